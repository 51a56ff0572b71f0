// Layer plan -> ONNX nodes. Walks the plan with the same recursion as src/arch/walk.ts (shapes come
// from outputShape, never re-derived), naming every node, value and initializer after the plan's
// dotted path, so `features.0.0` is the Conv whose weight is `features.0.0.weight`. Composite work is
// named `<unit>.<op>` as in the walker (`stage2.0.concat`, `stage2.0.shuffle`). Dropout is left out.
import type { Act, Named, Node, Shape } from "../arch/plan.js";
import { outputShape, planPath } from "../arch/walk.js";
import { foldConvBn } from "./fold-bn.js";
import type { GraphBuilder } from "./onnx-builder.js";

/** BatchNorm2d's epsilon (the plan does not carry one: every BN in lithe uses PyTorch's default). */
export const BN_EPS = 1e-5;

/** Float32 data of a named weight, checked against the shape the plan needs. */
export type WeightSource = (name: string, shape: readonly number[]) => Float32Array;

export interface EmitOptions {
  opset: number;
  /** Fold each BN that directly follows a conv in a layer list into that conv. */
  foldBn: boolean;
}

type ConvNode = Extract<Node, { op: "conv" }>;

export class PlanEmitter {
  /** Conv + BN pairs folded so far. */
  folded = 0;

  constructor(
    private readonly g: GraphBuilder,
    private readonly weight: WeightSource,
    private readonly o: EmitOptions,
  ) {}

  /** Emits `node` (plan path `name`) on value `x` of shape `s`; returns the output value's name. */
  emit(node: Node, name: string, x: string, s: Shape): string {
    const g = this.g;
    switch (node.op) {
      case "conv":
        return this.conv(node, name, x, s, null);
      case "bn":
        return this.batchNorm(name, x, s.c, node.affine);
      case "act":
        return this.act(node.fn, name, x);
      case "maxpool":
      case "avgpool": {
        const { k, stride, pad } = node;
        const ints = { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad] };
        if (node.op === "maxpool") return g.node("MaxPool", name, [x], { ints });
        return g.node("AveragePool", name, [x], { ints: { ...ints, count_include_pad: 1 } });
      }
      case "gap": {
        if (node.keepdim) return g.node("GlobalAveragePool", name, [x]);
        const pooled = g.node("GlobalAveragePool", `${name}.pool`, [x]);
        return g.node("Flatten", name, [pooled], { ints: { axis: 1 } });
      }
      case "dropout":
        return x; // identity at inference
      case "flatten":
        return g.node("Flatten", name, [x], { ints: { axis: 1 } });
      case "linear": {
        const w = g.float(`${name}.weight`, [node.out, s.c], this.weight(`${name}.weight`, [node.out, s.c]));
        const inputs = [x, w];
        if (node.bias)
          inputs.push(g.float(`${name}.bias`, [node.out], this.weight(`${name}.bias`, [node.out])));
        return g.node("Gemm", name, inputs, { ints: { transB: 1 } });
      }
      case "shuffle":
        return this.shuffle(name, x, s, node.groups);
      case "pick":
        return g.node(
          "Gather",
          name,
          [x, g.int64(`${name}.index`, [node.channels.length], [...node.channels])],
          {
            ints: { axis: 1 },
          },
        );
      case "seq":
        return this.list(node.layers, name, x, s);
      case "add": {
        const main = this.list(node.main, name, x, s);
        const short = node.shortcut ? this.named(node.shortcut, name, x, s) : x;
        const sum = g.node("Add", `${name}.add`, [main, short]);
        return node.after ? this.act(node.after, `${name}.act`, sum) : sum;
      }
      case "concat": {
        let main = this.list(node.main, name, x, s);
        if (node.mainAct) main = this.act(node.mainAct, `${name}.act`, main);
        const short = this.named(node.shortcut, name, x, s);
        return g.node("Concat", `${name}.concat`, [short, main], { ints: { axis: 1 } });
      }
      case "split-unit":
        return this.splitUnit(node, name, x, s);
      case "gate": {
        const body = this.named(node.body, name, x, s);
        const gate = this.act(node.fn, `${name}.act`, body);
        return g.node("Mul", `${name}.mul`, [x, gate]);
      }
    }
  }

  private named([child, node]: Named, prefix: string, x: string, s: Shape): string {
    return this.emit(node, planPath(prefix, child), x, s);
  }

  /** Layers in order; with foldBn a conv directly followed by a BN becomes one Conv. */
  private list(layers: readonly Named[], prefix: string, x: string, s: Shape): string {
    let [y, shape] = [x, s];
    for (let i = 0; i < layers.length; i++) {
      const [name, node] = layers[i] as Named;
      const next = layers[i + 1];
      if (this.o.foldBn && node.op === "conv" && next?.[1].op === "bn") {
        const bn = { name: planPath(prefix, next[0]), affine: next[1].affine };
        y = this.conv(node, planPath(prefix, name), y, shape, bn);
        i++; // the BN is inside the conv now and keeps the shape
      } else {
        y = this.emit(node, planPath(prefix, name), y, shape);
      }
      shape = outputShape(node, shape);
    }
    return y;
  }

  /** Conv with weight [out, C/groups, k, k]; `bn` is a following BN to fold into it. */
  private conv(
    node: ConvNode,
    name: string,
    x: string,
    s: Shape,
    bn: { name: string; affine: boolean } | null,
  ): string {
    const wShape = [node.out, s.c / node.groups, node.k, node.k];
    let w = this.weight(`${name}.weight`, wShape);
    let b = node.bias ? this.weight(`${name}.bias`, [node.out]) : null;
    if (bn) {
      const stats = this.bnStats(bn.name, node.out, bn.affine);
      ({ weight: w, bias: b } = foldConvBn(w, b, { ...stats, eps: BN_EPS }));
      this.folded++;
    }
    const inputs = [x, this.g.float(`${name}.weight`, wShape, w)];
    if (b) inputs.push(this.g.float(`${name}.bias`, [node.out], b));
    const { k, stride, pad, groups } = node;
    return this.g.node("Conv", name, inputs, {
      ints: { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad], group: groups },
    });
  }

  /** A BN's gamma, beta (1 and 0 when not affine), running mean and variance. */
  private bnStats(name: string, c: number, affine: boolean) {
    return {
      gamma: affine ? this.weight(`${name}.weight`, [c]) : new Float32Array(c).fill(1),
      beta: affine ? this.weight(`${name}.bias`, [c]) : new Float32Array(c),
      mean: this.weight(`${name}.running_mean`, [c]),
      variance: this.weight(`${name}.running_var`, [c]),
    };
  }

  private batchNorm(name: string, x: string, c: number, affine: boolean): string {
    const st = this.bnStats(name, c, affine);
    const g = this.g;
    const inputs = [
      x,
      g.float(`${name}.weight`, [c], st.gamma),
      g.float(`${name}.bias`, [c], st.beta),
      g.float(`${name}.running_mean`, [c], st.mean),
      g.float(`${name}.running_var`, [c], st.variance),
    ];
    return g.node("BatchNormalization", name, inputs, { floats: { epsilon: BN_EPS } });
  }

  private act(fn: Act, name: string, x: string): string {
    const g = this.g;
    const hardSigmoid = { floats: { alpha: 1 / 6, beta: 0.5 } };
    switch (fn) {
      case "relu":
        return g.node("Relu", name, [x]);
      case "relu6": {
        const lo = g.float(`${name}.min`, [], new Float32Array([0]));
        const hi = g.float(`${name}.max`, [], new Float32Array([6]));
        return g.node("Clip", name, [x, lo, hi]);
      }
      case "hswish": {
        if (this.o.opset >= 14) return g.node("HardSwish", name, [x]);
        // HardSwish arrived in opset 14: x * hardsigmoid(x) is the same function.
        return g.node("Mul", name, [x, g.node("HardSigmoid", `${name}.hsigmoid`, [x], hardSigmoid)]);
      }
      case "hsigmoid":
        return g.node("HardSigmoid", name, [x], hardSigmoid);
      case "sigmoid":
        return g.node("Sigmoid", name, [x]);
    }
  }

  /** Channel shuffle (ShuffleNet V1 Sec. 3.1). */
  private shuffle(name: string, x: string, s: Shape, groups: number): string {
    const g = this.g;
    // (N, C, H, W) -> (N, g, C/g, H, W) -> transpose(1, 2) -> (N, C/g, g, H, W) -> (N, C, H, W)
    const grouped = g.node("Reshape", `${name}.view`, [
      x,
      g.int64(`${name}.view.shape`, [5], [0, groups, s.c / groups, s.h, s.w]),
    ]);
    const swapped = g.node("Transpose", `${name}.transpose`, [grouped], { ints: { perm: [0, 2, 1, 3, 4] } });
    return g.node("Reshape", name, [swapped, g.int64(`${name}.shape`, [4], [0, s.c, s.h, s.w])]);
  }

  private splitUnit(node: Extract<Node, { op: "split-unit" }>, name: string, x: string, s: Shape): string {
    const g = this.g;
    let passed: string;
    let main: string;
    if (node.proj) {
      passed = this.named(node.proj, name, x, s);
      main = this.named(node.main, name, x, s);
    } else {
      const half = { ...s, c: s.c / 2 };
      const [x1, x2] = node.style === "torchvision" ? this.halves(name, x, s) : this.evenOdd(name, x, s);
      passed = x1;
      main = this.named(node.main, name, x2, half);
    }
    const y = g.node("Concat", `${name}.concat`, [passed, main], { ints: { axis: 1 } });
    return node.style === "torchvision" ? this.shuffle(`${name}.shuffle`, y, outputShape(node, s), 2) : y;
  }

  /** torchvision: x1, x2 = x.chunk(2, dim=1). */
  private halves(name: string, x: string, s: Shape): [string, string] {
    const sizes = this.g.int64(`${name}.split.sizes`, [2], [s.c / 2, s.c / 2]);
    const outs = [`${name}.split.0`, `${name}.split.1`];
    this.g.node("Split", `${name}.split`, [x, sizes], { ints: { axis: 1 } }, outs);
    return outs as [string, string];
  }

  /** Megvii: (N, C, H, W) -> (N, C/2, 2, H, W); x1 = [:, :, 0], x2 = [:, :, 1] (even and odd channels). */
  private evenOdd(name: string, x: string, s: Shape): [string, string] {
    const g = this.g;
    const pairs = g.node("Reshape", `${name}.split`, [
      x,
      g.int64(`${name}.split.shape`, [5], [0, s.c / 2, 2, s.h, s.w]),
    ]);
    // A scalar index drops axis 2: (N, C/2, 2, H, W) -> (N, C/2, H, W).
    const pick = (i: number) =>
      g.node("Gather", `${name}.split.${i}`, [pairs, g.int64(`${name}.split.index${i}`, [], [i])], {
        ints: { axis: 2 },
      });
    return [pick(0), pick(1)];
  }
}
