// Small constructors for plan nodes, so family decoders read like the papers' layer tables.
import type { Act, Named, Node } from "./plan.js";

export interface ConvOptions {
  stride?: number;
  groups?: number;
  bias?: boolean;
  /** Default k // 2 ("same" padding for odd kernels). */
  pad?: number;
}

export const conv = (out: number, k: number, o: ConvOptions = {}): Node => ({
  op: "conv",
  out,
  k,
  stride: o.stride ?? 1,
  pad: o.pad ?? Math.floor(k / 2),
  groups: o.groups ?? 1,
  bias: o.bias ?? false,
});

/** Depthwise k x k convolution over `channels` channels. */
export const dwConv = (channels: number, k: number, stride = 1): Node =>
  conv(channels, k, { stride, groups: channels });

export const bn = (affine = true): Node => ({ op: "bn", affine });
export const act = (fn: Act): Node => ({ op: "act", fn });
export const relu: Node = act("relu");
export const maxPool = (k: number, stride: number, pad: number): Node => ({ op: "maxpool", k, stride, pad });
export const avgPool = (k: number, stride: number, pad: number): Node => ({ op: "avgpool", k, stride, pad });
export const gap = (keepdim = false): Node => ({ op: "gap", keepdim });
export const dropout = (p: number): Node => ({ op: "dropout", p });
export const linear = (out: number, bias = true): Node => ({ op: "linear", out, bias });
/** The channel sampler reading input channels `channels` (distinct, ascending). */
export const pick = (channels: readonly number[]): Node => ({ op: "pick", channels });

/** Children named "0", "1", ... like torch.nn.Sequential. */
export const indexed = (...nodes: Node[]): Named[] => nodes.map((n, i) => [String(i), n] as const);
export const seq = (...nodes: Node[]): Node => ({ op: "seq", layers: indexed(...nodes) });
export const named = (layers: Named[]): Node => ({ op: "seq", layers });

/** conv -> BN -> activation (activation omitted when null), as one indexed Sequential's children. */
export const convBnAct = (out: number, k: number, fn: Act | null, o: ConvOptions = {}): Node[] =>
  fn ? [conv(out, k, o), bn(), act(fn)] : [conv(out, k, o), bn()];

/** Rounds width * channels to the nearest multiple of `divisor`, never below 90% (torchvision _make_divisible). */
export function makeDivisible(value: number, divisor = 8, min = divisor): number {
  const rounded = Math.max(
    min,
    Math.floor(value + divisor / 2) - (Math.floor(value + divisor / 2) % divisor),
  );
  return rounded < 0.9 * value ? rounded + divisor : rounded;
}

/**
 * The official Megvii squeeze-and-excitation layer (ShuffleNet-Series ShuffleNetV2+/blocks.py SELayer):
 * x * hsigmoid(SE_opr(x)), SE_opr = global pool -> conv1x1 (C/4) -> BN -> ReLU -> conv1x1 (C), no biases;
 * the gate is clamp(a + 3, 0, 6) / 6. Used by megviiChoiceUnit and the shufflenet_v2_plus head.
 */
export const megviiSE = (channels: number): Node => ({
  op: "gate",
  body: ["SE_opr", seq(gap(true), conv(Math.floor(channels / 4), 1), bn(), relu, conv(channels, 1))],
  fn: "hsigmoid",
});

export interface MegviiUnitOptions {
  /** Channels entering the unit (all of them, also at stride 1 where branch_main reads half). */
  inp: number;
  out: number;
  /** Width of branch_main's inner layers (official `mid_channels` / `base_mid_channels`). */
  mid: number;
  stride: number;
  /** "shuffle": pw -> dw k x k -> pw; "xception": three dw3x3 + pw pairs (k = 3). */
  kind: "shuffle" | "xception";
  k: number;
  act: Act;
  /** Append the SE layer to branch_main (ShuffleNetV2+ stages 3-4). */
  se: boolean;
}

/**
 * The choice unit of SPOS and ShuffleNetV2+, laid out and named as the official blocks.py (Shufflenet,
 * Shuffle_Xception) in megvii-model/SinglePathOneShot and ShuffleNet-Series: a "megvii" split-unit whose
 * branch_main writes out - (channels it reads); at stride 2 branch_proj = dw k x k s2 -> BN -> pw -> BN -> act.
 * Xception strides only its first dw conv (SPOS network.py; the V2+ copy strides all three, but the V2+
 * genotype never puts an Xception block at a stride-2 position). Shared by the oneshot and
 * shufflenet_v2_plus families.
 */
export function megviiChoiceUnit(o: MegviiUnitOptions): Node {
  const reads = o.stride === 1 ? o.inp / 2 : o.inp;
  const outputs = o.out - reads;
  const a = act(o.act);
  const main =
    o.kind === "shuffle"
      ? [conv(o.mid, 1), bn(), a, dwConv(o.mid, o.k, o.stride), bn(), conv(outputs, 1), bn(), a]
      : [
          ...[dwConv(reads, 3, o.stride), bn(), conv(o.mid, 1), bn(), a],
          ...[dwConv(o.mid, 3), bn(), conv(o.mid, 1), bn(), a],
          ...[dwConv(o.mid, 3), bn(), conv(outputs, 1), bn(), a],
        ];
  if (o.se) main.push(megviiSE(outputs));
  const proj = o.stride === 1 ? null : seq(dwConv(o.inp, o.k, o.stride), bn(), conv(o.inp, 1), bn(), a);
  return {
    op: "split-unit",
    style: "megvii",
    proj: proj ? ["branch_proj", proj] : null,
    main: ["branch_main", seq(...main)],
  };
}
