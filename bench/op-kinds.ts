// Groups the op profiler's keys (src/engine/profile.ts) into the kinds of issue 18's table: convolution
// by kind and direction, batch norm, ReLU, copies, the channel ops, and the time outside ATen.
import type { OpTime } from "../src/engine/index.js";

export interface OpKindShare {
  kind: string;
  /** Milliseconds per step. */
  ms: number;
  /** Fraction of the measured wall time of a step. */
  share: number;
}

const CONV_KINDS: Record<string, string> = {
  "conv 1x1": "pointwise conv",
  "conv dw": "depthwise conv",
  "conv kxk": "dense conv",
};

const OP_KINDS: Record<string, string> = {
  "aten::native_batch_norm": "batch norm forward",
  "aten::native_batch_norm_backward": "batch norm backward",
  "aten::clamp_min": "ReLU forward",
  "aten::relu": "ReLU forward",
  "aten::relu_": "ReLU forward",
  "aten::threshold_backward": "ReLU backward",
  "aten::copy_": "copies",
  "aten::clone": "copies",
  "aten::cat": "concat",
  "lithe::interleave": "fused shuffle (interleave)",
  "lithe::deinterleave": "fused shuffle (interleave)",
  "aten::mm": "linear",
  "aten::addmm": "linear",
};

function kindOf(key: string): string {
  const conv = CONV_KINDS[key.slice(0, 8).trim()];
  if (conv) return `${conv} ${key.endsWith("bwd") ? "backward" : "forward"}`;
  return OP_KINDS[key] ?? "other ATen ops";
}

/** Per-step time of each kind over `steps` profiled steps that took `wallMs` in all, largest first; the
 * rest of the wall time is "outside ATen" (JS, N-API, the autograd engine's bookkeeping). */
export function opKindShares(ops: readonly OpTime[], steps: number, wallMs: number): OpKindShare[] {
  const ms = new Map<string, number>();
  for (const op of ops) {
    const kind = kindOf(op.key);
    ms.set(kind, (ms.get(kind) ?? 0) + op.selfUs / 1000 / steps);
  }
  const stepMs = wallMs / steps;
  const inside = [...ms.values()].reduce((s, v) => s + v, 0);
  ms.set("outside ATen (JS, N-API, autograd engine)", Math.max(0, stepMs - inside));
  return [...ms.entries()]
    .map(([kind, v]) => ({ kind, ms: v, share: v / stepMs }))
    .sort((a, b) => b.ms - a.ms);
}
