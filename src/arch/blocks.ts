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
