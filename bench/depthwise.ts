// The depthwise benchmark: forward + backward of lithe's depthwise conv (native/depthwise.cc) against
// ATen's conv2d with groups = channels (oneDNN) on the depthwise layers of ShuffleNet V2 1.0x and the
// SPOS units at 32x32 input, batch 64; the two are timed alternately, median of the repeats.
import { F, keep, randn, type Tensor, tidy } from "../src/engine/index.js";

export interface DepthwiseCase {
  /** [N, C, H, W] of the input */
  input: number[];
  kernel: number;
  stride: number;
  lithe_ms: number;
  onednn_ms: number;
  /** onednn_ms / lithe_ms: above 1 means lithe's is faster. */
  speedup: number;
}

export interface DepthwiseBenchResult {
  cases: DepthwiseCase[];
  /** Sum of the onednn times over the sum of lithe's. */
  total_speedup: number;
}

// The depthwise inputs of ShuffleNet V2 1.0x with the CIFAR stem (stage inputs 32, 16, 8, 4 px).
const SHAPES: readonly (readonly [number, number, number])[] = [
  [24, 32, 2],
  [58, 32, 2],
  [58, 16, 1],
  [116, 16, 2],
  [116, 8, 1],
  [232, 8, 2],
  [232, 4, 1],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

function timeCase(
  n: number,
  c: number,
  hw: number,
  k: number,
  stride: number,
  repeats: number,
): DepthwiseCase {
  const x = keep(randn([n, c, hw, hw]).requiresGrad_());
  const w = keep(randn([c, 1, k, k]).requiresGrad_());
  const o = { stride, padding: (k - 1) / 2 };
  const run = (conv: () => Tensor) => {
    const start = performance.now();
    tidy(() => {
      conv().sum().backward();
      x.grad = null;
      w.grad = null;
    });
    return performance.now() - start;
  };
  const lithe = () => run(() => F.depthwiseConv2d(x, w, o));
  const onednn = () => run(() => F.conv2d(x, w, null, { ...o, groups: c }));
  try {
    for (let i = 0; i < 2; i++) {
      lithe();
      onednn();
    }
    const times = { lithe: [] as number[], onednn: [] as number[] };
    for (let i = 0; i < repeats; i++) {
      times.lithe.push(lithe());
      times.onednn.push(onednn());
    }
    const l = median(times.lithe);
    const d = median(times.onednn);
    return { input: [n, c, hw, hw], kernel: k, stride, lithe_ms: l, onednn_ms: d, speedup: d / l };
  } finally {
    x.dispose();
    w.dispose();
  }
}

export function runDepthwiseBench(
  batch: number,
  kernels: readonly number[],
  repeats: number,
): DepthwiseBenchResult {
  const cases = kernels.flatMap((k) => SHAPES.map(([c, hw, s]) => timeCase(batch, c, hw, k, s, repeats)));
  const sum = (f: (c: DepthwiseCase) => number) => cases.reduce((s, c) => s + f(c), 0);
  return { cases, total_speedup: sum((c) => c.onednn_ms) / sum((c) => c.lithe_ms) };
}
