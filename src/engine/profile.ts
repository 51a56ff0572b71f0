// Op profiling: self time per ATen op and autograd node while a function runs (native/profile.cc).
import { native } from "./native.js";

/** One profiler key: an op name ("aten::cat", "NativeBatchNormBackward0") or a convolution kind
 * ("conv dw fwd", "conv 1x1 bwd", "conv kxk fwd") that also holds the time of the ops it calls. */
export interface OpTime {
  key: string;
  /** Time spent in the op itself, not in the ops it called (microseconds, summed over calls). */
  selfUs: number;
  calls: number;
}

/** Runs fn with the op profiler on; returns fn's result and the ops' self times, largest first. */
export function profileOps<T>(fn: () => T): { result: T; ops: OpTime[] } {
  native.profileStart();
  let rows: [string, number, number][];
  let result: T;
  try {
    result = fn();
  } finally {
    rows = native.profileStop();
  }
  const ops = rows.map(([key, selfUs, calls]) => ({ key, selfUs, calls }));
  return { result, ops: ops.sort((a, b) => b.selfUs - a.selfUs) };
}
