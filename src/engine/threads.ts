// The default intra-op thread count, applied when the addon loads.
import { availableParallelism } from "node:os";

/**
 * LITHE_NUM_THREADS if set, else one thread per available core. libtorch's OpenMP pool is the only
 * compute pool: data-loading workers only decode and copy, so the two do not fight for cores
 * (oversubscribed OpenMP threads spin and can slow a step twenty-fold).
 */
export function defaultNumThreads(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.LITHE_NUM_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return Math.max(1, availableParallelism());
}
