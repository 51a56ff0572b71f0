// Layer tracing: while trace(fn) runs, every leaf layer (and the element-wise work of composite
// blocks) reports what it executed, with the actual input and output shapes. The traced counter in
// src/models uses this to count a built model independently of its architecture description.
import type { Module } from "./module.js";

export type TraceAttrs = Record<string, number | boolean | string>;

export interface TraceRecord {
  module: Module;
  /** For work done by a composite block itself (e.g. "add"), appended to the block's name. */
  suffix: string | null;
  op: string;
  /** Shapes including the batch dimension. */
  inputs: number[][];
  output: number[];
  attrs: TraceAttrs;
  params: number;
}

let active: TraceRecord[] | null = null;

export function isTracing(): boolean {
  return active !== null;
}

export function record(
  module: Module,
  op: string,
  inputs: { shape: number[] }[],
  output: { shape: number[] },
  attrs: TraceAttrs = {},
  { suffix = null as string | null, params = 0 } = {},
): void {
  active?.push({
    module,
    suffix,
    op,
    inputs: inputs.map((t) => [...t.shape]),
    output: [...output.shape],
    attrs,
    params,
  });
}

/** Runs fn and returns what the layers reported. Not re-entrant. */
export function trace<T>(fn: () => T): { records: TraceRecord[]; result: T } {
  if (active) throw new Error("trace(): already tracing");
  const records: TraceRecord[] = [];
  active = records;
  try {
    return { records, result: fn() };
  } finally {
    active = null;
  }
}
