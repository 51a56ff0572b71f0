// Process-wide engine settings: intra-op threads, the global random generator, build information.
import { type BlasRuntime, blasEnv, native } from "./native.js";

export { defaultNumThreads } from "./threads.js";

import { Tensor } from "./tensor.js";

export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected a positive integer, got ${n}`);
  native.setNumThreads(n);
}

export function getNumThreads(): number {
  return native.getNumThreads();
}

/**
 * Runs `fn` with `threads` intra-op threads (unchanged when undefined) and restores the count it found:
 * how a library call takes a thread count without leaving process-wide state behind.
 */
export async function withNumThreads<T>(threads: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (threads === undefined) return fn();
  const before = getNumThreads();
  setNumThreads(threads);
  try {
    return await fn();
  } finally {
    setNumThreads(before);
  }
}

/** Seeds libtorch's global CPU generator (rand, randn, randint, randperm, dropout, init). */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`manualSeed: expected a non-negative integer, got ${seed}`);
  native.manualSeed(seed);
}

/** The generator's full state as bytes (save it in a checkpoint; restore with setRngState). */
export function getRngState(): Uint8Array {
  const state = new Tensor(native.getRngState());
  try {
    return state.toTypedArray() as Uint8Array;
  } finally {
    state.dispose();
  }
}

export function setRngState(bytes: Uint8Array): void {
  const state = new Tensor(native.fromBuffer(bytes, [bytes.length], 3));
  try {
    native.setRngState(state.h);
  } finally {
    state.dispose();
  }
}

export interface BuildInfo {
  torchVersion: string;
  /** BLAS_INFO of the libtorch build ("generic" = the system's libblas.so.3). */
  blasInfo: string;
  /** The BLAS library actually loaded and, for OpenBLAS, its core and threads. */
  blas: BlasRuntime | null;
  parallelBackend: string;
  cpuCapability: string;
  openblasCoreType: string | null;
  openblasCoreSource: string;
  config: string;
}

export function buildInfo(): BuildInfo {
  const config = native.showConfig();
  const field = (re: RegExp) => re.exec(config)?.[1]?.trim() ?? "unknown";
  return {
    torchVersion: field(/TORCH_VERSION=([^,\s]+)/),
    blasInfo: field(/BLAS_INFO=([^,\s]+)/),
    blas: native.blasRuntime(),
    parallelBackend: field(/ATen parallel backend: (.+)/),
    cpuCapability: field(/CPU capability usage: (.+)/),
    openblasCoreType: blasEnv.coreType,
    openblasCoreSource: blasEnv.source,
    config,
  };
}
