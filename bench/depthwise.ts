// lithe's depthwise conv (native/depthwise.cc) against ATen's (oneDNN) on the depthwise shapes of the zoo's
// ShuffleNet V2 at 32 px and of the SPOS spaces' 3x3 / 5x5 / 7x7 and strided blocks: forward + backward
// of both input and filter, alternated and repeated, the fastest of each kept (noise only adds time).
import { F, randn, type Tensor, tidy } from "../src/engine/index.js";
import { native } from "../src/engine/native.js";
import { Tensor as TensorClass } from "../src/engine/tensor.js";

export interface DepthwiseTiming {
  /** "NxCxHxW k<k> s<stride>" */
  shape: string;
  aten_ms: number;
  lithe_ms: number;
  /** aten_ms / lithe_ms */
  speedup: number;
  /** Whether F.conv2d routes this shape to lithe's kernel. */
  routed: boolean;
}

/** [channels, size, kernel, stride] */
const SHAPES: readonly (readonly [number, number, number, number])[] = [
  [58, 16, 3, 1],
  [116, 8, 3, 1],
  [232, 4, 3, 1],
  [24, 14, 3, 1],
  [24, 14, 5, 1],
  [24, 14, 7, 1],
  [48, 7, 7, 1],
  [96, 4, 5, 1],
  [24, 28, 3, 2],
  [24, 28, 7, 2],
];

const elapsedMs = (f: () => void) => {
  const start = performance.now();
  tidy(f);
  return performance.now() - start;
};

export function depthwiseTimings(batch: number, repeats: number): DepthwiseTiming[] {
  return SHAPES.map(([c, size, k, stride]) =>
    tidy(() => {
      const padding = k >> 1;
      const x = randn([batch, c, size, size]).requiresGrad_();
      const w = randn([c, 1, k, k]).requiresGrad_();
      const aten = () =>
        new TensorClass(native.conv2d(x.h, w.h, null, [stride, stride], [padding, padding], [1, 1], c));
      const lithe = () => F.depthwiseConv2d(x, w, { stride, padding });
      const gy = tidy(() => aten().detach().normal_());
      const step = (conv: () => Tensor) => () => {
        conv().backward(gy);
        x.grad = null;
        w.grad = null;
      };
      const best = { aten: Number.POSITIVE_INFINITY, lithe: Number.POSITIVE_INFINITY };
      for (let r = 0; r < repeats + 2; r++) {
        const a = elapsedMs(step(aten));
        const l = elapsedMs(step(lithe));
        if (r < 2) continue;
        best.aten = Math.min(best.aten, a);
        best.lithe = Math.min(best.lithe, l);
      }
      return {
        shape: `${batch}x${c}x${size}x${size} k${k} s${stride}`,
        aten_ms: best.aten,
        lithe_ms: best.lithe,
        speedup: best.aten / best.lithe,
        routed: F.litheDepthwiseWins([k, k]),
      };
    }),
  );
}
