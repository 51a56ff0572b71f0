// Starts the ranks of a loopback run as child processes (torchrun's environment variables, 1 thread
// each), with a free port, a bound on the wait and every child killed at the end.
import { type ChildProcess, spawn } from "node:child_process";

export { freePort } from "../../src/dist/index.js";

export interface RankResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment torchrun gives rank `rank` of `worldSize` on this machine. */
export const rankEnv = (rank: number, worldSize: number, port: number): NodeJS.ProcessEnv => ({
  RANK: String(rank),
  WORLD_SIZE: String(worldSize),
  LOCAL_RANK: String(rank),
  MASTER_ADDR: "127.0.0.1",
  MASTER_PORT: String(port),
  LITHE_NUM_THREADS: "1",
  OMP_NUM_THREADS: "1",
});

/**
 * Runs `node script ...args` (or args(rank)) once per entry of `envs` (each merged over process.env) and resolves with
 * their exits in order; rejects if they are not all done within timeoutMs. Kills every child at the end.
 */
export async function runRanks(
  script: string,
  args: readonly string[] | ((rank: number) => readonly string[]),
  envs: readonly NodeJS.ProcessEnv[],
  timeoutMs: number,
): Promise<RankResult[]> {
  const children: ChildProcess[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const exits = envs.map((env, rank) => {
      const own = typeof args === "function" ? args(rank) : args;
      const child = spawn(process.execPath, [script, ...own], { env: { ...process.env, ...env } });
      children.push(child);
      const out = { stdout: "", stderr: "" };
      child.stdout?.on("data", (d) => {
        out.stdout += d;
      });
      child.stderr?.on("data", (d) => {
        out.stderr += d;
      });
      return new Promise<RankResult>((resolve) => child.on("close", (code) => resolve({ code, ...out })));
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`ranks still running after ${timeoutMs} ms`)), timeoutMs);
    });
    return await Promise.race([Promise.all(exits), timeout]);
  } finally {
    clearTimeout(timer);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }
}
