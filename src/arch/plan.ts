// The layer plan: what an architecture description decodes to. A tree of plain-data nodes whose
// names become the module (and state-dict) names; input channels and spatial sizes are not stored
// but inferred by walking the tree from the input shape (annotate), so a plan cannot disagree with
// itself. The counter sums the annotated leaves; the model builder turns each node into a module.

export type Act = "relu" | "relu6" | "hswish" | "hsigmoid" | "sigmoid";

export type Node =
  /** Convolution, k x k, zero padding `pad`; input channels come from the incoming shape. */
  | { op: "conv"; out: number; k: number; stride: number; pad: number; groups: number; bias: boolean }
  | { op: "bn"; affine: boolean }
  | { op: "act"; fn: Act }
  | { op: "maxpool"; k: number; stride: number; pad: number }
  /** Average pooling; count_include_pad as in PyTorch's default (true). */
  | { op: "avgpool"; k: number; stride: number; pad: number }
  /** Global average pool: [C, H, W] -> [C, 1, 1] (keepdim) or [C]. */
  | { op: "gap"; keepdim: boolean }
  | { op: "dropout"; p: number }
  /** [C, H, W] -> [C * H * W], a view (torch.flatten(x, 1)), e.g. after a keepdim pool and an SE gate. */
  | { op: "flatten" }
  /** Fully connected on a flat [C] input. */
  | { op: "linear"; out: number; bias: boolean }
  /** Channel shuffle (ShuffleNet V1 Sec. 3.1): (C) -> (g, C/g) -> transpose -> (C). */
  | { op: "shuffle"; groups: number }
  /**
   * Channel sampler (He, Zhang, Sun, ICCV 2017, Sec. 3.3, multi-branch networks): keeps the input
   * channels at the given (distinct, ascending) indices, [C, H, W] -> [channels.length, H, W].
   */
  | { op: "pick"; channels: readonly number[] }
  /** Children run in order. */
  | { op: "seq"; layers: Named[] }
  /** Residual: out = after(main(x) + (shortcut ? shortcut(x) : x)); main's layers sit directly in this module. */
  | { op: "add"; main: Named[]; shortcut: Named | null; after: Act | null }
  /** ShuffleNet V1 stride-2 unit: out = cat(shortcut(x), mainAct(main(x))); main's layers sit in this module. */
  | { op: "concat"; main: Named[]; shortcut: Named; mainAct: Act | null }
  /**
   * ShuffleNet V2 unit (Ma et al. 2018, Fig. 3c/d). Without proj (stride 1) half the channels pass
   * untouched and `main` takes the other half; with proj (stride 2) both branches take all of x.
   * style "torchvision": x1, x2 = chunk(x, 2); out = shuffle(cat(x1, main(x2)), 2) (or cat(proj(x), main(x))).
   * style "megvii" (official SPOS / V2+ code): stride 1 splits even/odd channels,
   * x1, x2 = x[:, 0::2], x[:, 1::2]; out = cat(x1, main(x2)); stride 2: out = cat(proj(x), main(x)).
   */
  | { op: "split-unit"; style: "torchvision" | "megvii"; proj: Named | null; main: Named }
  /** Squeeze-and-excitation style gate: out = x * fn(body(x)), body maps [C, H, W] -> [C, 1, 1]. */
  | { op: "gate"; body: Named; fn: Act };

export type Named = readonly [name: string, node: Node];

/** A feature map [channels, height, width]; a flat vector has height = width = 0. */
export interface Shape {
  c: number;
  h: number;
  w: number;
}

export const flat = (c: number): Shape => ({ c, h: 0, w: 0 });
export const elements = (s: Shape): number => s.c * Math.max(s.h, 1) * Math.max(s.w, 1);
export const showShape = (s: Shape): string => (s.h === 0 ? `[${s.c}]` : `[${s.c}, ${s.h}, ${s.w}]`);

/** Output size of a conv or pool along one axis (floor mode). */
export const outSize = (size: number, k: number, stride: number, pad: number): number =>
  Math.floor((size + 2 * pad - k) / stride) + 1;

/**
 * One executed operation with everything a cost needs: the leaf ops of the plan plus the element-wise
 * work done by composite nodes (add, mul, concat, shuffle, split). `name` is the dotted module path
 * (composite work is named `<unit path>.<op>`).
 */
export interface LayerOp {
  name: string;
  op:
    | "conv"
    | "bn"
    | "act"
    | "maxpool"
    | "avgpool"
    | "gap"
    | "dropout"
    | "flatten"
    | "linear"
    | "shuffle"
    | "pick"
    | "add"
    | "mul"
    | "concat"
    | "split";
  inputs: Shape[];
  output: Shape;
  /** conv: k, stride, pad, groups, bias; linear: bias; act: fn; pools: k, stride, pad; bn: affine. */
  attrs: Readonly<Record<string, number | boolean | string>>;
  /** Learnable parameters of this op. */
  params: number;
}
