// `--nproc N`: runs N ranks of this same command on this machine, as torchrun --standalone would: child
// processes with RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR=127.0.0.1 and a free MASTER_PORT, each on
// `threads` libtorch threads. Rank 0 speaks for the run (its output is passed through); another rank's
// errors are shown only when rank 0 succeeded without them.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

/** A port nothing listens on now (the OS picks it for a listener on port 0, which is then closed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** `argv` (process.argv's form) without `--nproc N` / `--nproc=N`. */
export function withoutNproc(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--nproc") i++;
    else if (!a.startsWith("--nproc=")) out.push(a);
  }
  return out;
}

/** Runs `nproc` local ranks of `argv` and resolves with the run's exit code (the first failure's). */
export async function launchLocal(nproc: number, argv: readonly string[], threads = 1): Promise<number> {
  const port = await freePort();
  const [node, script, ...args] = withoutNproc(argv) as [string, string, ...string[]];
  const children: ChildProcess[] = [];
  const onSignal = () => {
    for (const c of children) c.kill("SIGTERM");
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const exits = [...Array(nproc).keys()].map((rank) => {
      const env = {
        ...process.env,
        RANK: String(rank),
        WORLD_SIZE: String(nproc),
        LOCAL_RANK: String(rank),
        MASTER_ADDR: "127.0.0.1",
        MASTER_PORT: String(port),
        LITHE_NUM_THREADS: String(threads),
        OMP_NUM_THREADS: String(threads),
      };
      const child = spawn(node, [script, ...args], {
        env,
        stdio: rank === 0 ? ["ignore", "inherit", "inherit"] : ["ignore", "ignore", "pipe"],
      });
      children.push(child);
      let stderr = "";
      child.stderr?.on("data", (d) => {
        stderr += d;
      });
      return new Promise<{ code: number; stderr: string }>((resolve) =>
        child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stderr })),
      );
    });
    const results = await Promise.all(exits);
    const failed = results.find((r) => r.code !== 0);
    if (results[0]?.code === 0 && failed) process.stderr.write(failed.stderr);
    return failed?.code ?? 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }
}
