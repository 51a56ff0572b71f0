// What the three runtimes share: the input batch they all feed (seeded, so outputs compare across
// runtimes), the weights of a plan (given, or freshly initialised under a fixed seed without
// disturbing the caller's generator), and the runner's extra face for checks: the last output.
import type { Node, Shape } from "../../arch/plan.js";
import { getRngState, manualSeed, setRngState, type Tensor } from "../../engine/index.js";
import { buildNode } from "../../models/build.js";
import type { Module } from "../../nn/index.js";
import type { PrepareOptions, Runner, Runtime } from "../types.js";

/** Seed of the weights of a plan prepared without weights. */
export const INIT_SEED = 0;

/** A runner that can also hand back what it computed, and says how the runtime was set up. */
export interface ProbeRunner extends Runner {
  /** Runs once more and returns the output, row-major float32, and its dims (batch first). */
  output(): Promise<{ data: Float32Array; dims: number[] }>;
  /** What was actually used, e.g. "1 thread (the page is not cross-origin isolated)". */
  readonly setup: string;
}

export interface ProbeRuntime extends Runtime {
  prepare(plan: Node, input: Shape, o: PrepareOptions): Promise<ProbeRunner>;
}

/** The batch every runtime is fed: `n` values uniform in [-1, 1) from a fixed-seed LCG. */
export function inputData(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export const inputDims = (batch: number, s: Shape): number[] => [batch, s.c, s.h, s.w];

/**
 * The plan built as lithe modules with `weights` loaded (strictly: names and shapes must match), or
 * initialised with the layers' defaults under INIT_SEED when there are none.
 */
export function planModel(plan: Node, input: Shape, weights?: ReadonlyMap<string, Tensor>): Module {
  const rng = getRngState();
  try {
    manualSeed(INIT_SEED);
    const model = buildNode(plan, input);
    if (weights) model.loadStateDict(weights);
    return model.eval();
  } finally {
    setRngState(rng);
  }
}

/** Frees a model's parameters and buffers now rather than at garbage collection. */
export function disposeModel(model: Module): void {
  for (const t of model.stateDict().values()) t.dispose();
}

/** The first line of an error's message (ONNX Runtime's and Playwright's can span many). */
export const firstLine = (error: unknown): string =>
  ((error as Error).message ?? String(error)).split("\n")[0] as string;
