// The distributed environment as torchrun sets it (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT; SLURM launch scripts and `lithe ... --nproc` set the same), read into DistOptions.
import { DistError, type DistOptions, ProcessGroup } from "./process-group.js";

const int = (env: NodeJS.ProcessEnv, name: string, fallback?: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === "") {
    if (fallback !== undefined) return fallback;
    throw new DistError(`${name} is not set (WORLD_SIZE is, so lithe runs distributed and needs it)`);
  }
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0)
    throw new DistError(`${name} must be a non-negative integer, got '${raw}'`);
  return v;
};

/** The run's place from the environment, or null when WORLD_SIZE is unset (a single process). */
export function distFromEnv(env: NodeJS.ProcessEnv = process.env): DistOptions | null {
  if (env.WORLD_SIZE === undefined || env.WORLD_SIZE === "") return null;
  const worldSize = int(env, "WORLD_SIZE");
  const rank = int(env, "RANK");
  const port = int(env, "MASTER_PORT");
  if (port < 1 || port > 65535) throw new DistError(`MASTER_PORT must be in [1, 65535], got ${port}`);
  return {
    rank,
    worldSize,
    localRank: int(env, "LOCAL_RANK", rank),
    masterAddr: env.MASTER_ADDR || "127.0.0.1",
    masterPort: port,
    ...(env.LITHE_DIST_TIMEOUT_MS ? { timeoutMs: int(env, "LITHE_DIST_TIMEOUT_MS") } : {}),
  };
}

/** Joins the run the environment describes, or returns null for a single process (WORLD_SIZE unset). */
export function fromEnv(
  o: { config?: Record<string, unknown>; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): ProcessGroup | null {
  const dist = distFromEnv(o.env);
  if (dist === null) return null;
  return ProcessGroup.init({
    ...dist,
    ...(o.config ? { config: o.config } : {}),
    ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
  });
}
