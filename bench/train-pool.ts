// Standalone trainings a benchmark needs many of (ranking checks, retrained winners): run in this
// process, or queued to `jobs` worker processes (`lithe train`, one libtorch thread each) so that on a
// small machine they run beside the benchmark's own supernet training and searches instead of after
// them. A run whose log already holds its summary is read back, not retrained, so a resumed
// benchmark keeps finished runs; an unfinished one continues from its checkpoint.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runTraining } from "../src/train/run.js";
import type { ProgressEvent } from "../src/train/trainer.js";
import { logLinesOf } from "./run-log.js";

export interface StandaloneRun {
  /** An arch.json the zoo builds. */
  model: string;
  out: string;
  epochs: number;
  seed: number;
  /** Progress of a run trained in this process (a worker's run only reports its end). */
  onProgress?: (e: ProgressEvent) => void;
}

const LITHE = fileURLToPath(new URL("../../bin/lithe.js", import.meta.url));

/** Workers alive now: ended with the benchmark, so an interrupted one leaves none training on alone. */
const workers = new Set<ChildProcess>();
const endWorkers = (signal: NodeJS.Signals) => () => {
  for (const w of workers) w.kill("SIGTERM");
  process.exit(signal === "SIGINT" ? 130 : 143);
};
let handling = false;
function track(child: ChildProcess): void {
  if (!handling) {
    handling = true;
    process.once("SIGINT", endWorkers("SIGINT"));
    process.once("SIGTERM", endWorkers("SIGTERM"));
    process.once("exit", () => {
      for (const w of workers) w.kill("SIGTERM");
    });
  }
  workers.add(child);
  child.once("close", () => workers.delete(child));
}

/** The test top-1 of a finished run (its log.jsonl summary line), or undefined if it has none. */
const finishedTop1 = (out: string): number | undefined =>
  logLinesOf<{ test?: { top1: number } | null }>(out, "summary").at(-1)?.test?.top1;

export class TrainPool {
  readonly #jobs: number;
  readonly #data: string;
  #running = 0;
  readonly #queue: (() => void)[] = [];
  readonly #pending: Promise<void>[] = [];

  constructor(jobs: number, data: string) {
    this.#jobs = jobs;
    this.#data = data;
  }

  /**
   * Trains `run` (or reads it back if it finished before) and resolves with its test top-1. Runs wait
   * for a free worker; in this process (`jobs` 0) they run one at a time.
   */
  async train(run: StandaloneRun): Promise<number> {
    const done = finishedTop1(run.out);
    if (done !== undefined) return done;
    if (this.#running >= Math.max(this.#jobs, 1)) await new Promise<void>((go) => this.#queue.push(go));
    this.#running++;
    try {
      if (this.#jobs > 0) await this.#spawn(run);
      else await this.#trainHere(run);
    } finally {
      this.#running--;
      this.#queue.shift()?.();
    }
    return finishedTop1(run.out) ?? Number.NaN;
  }

  /**
   * Trains `run` and hands its test top-1 to `done`. Resolves when the caller may go on: at once with
   * workers (the run goes on beside it), after the run in this process (so it never interleaves with
   * the caller's own training). `finish` waits for every run handed in.
   */
  async submit(run: StandaloneRun, done: (top1: number) => void): Promise<void> {
    const finished = this.train(run).then(done);
    if (this.#jobs === 0) return finished;
    finished.catch(() => {}); // reported by finish(), not as an unhandled rejection meanwhile
    this.#pending.push(finished);
  }

  async finish(): Promise<void> {
    await Promise.all(this.#pending.splice(0));
  }

  #trainHere(run: StandaloneRun) {
    return runTraining({
      ...(run.onProgress ? { onProgress: run.onProgress } : {}),
      model: run.model,
      data: { source: this.#data },
      recipe: { epochs: run.epochs, seed: run.seed, batchSize: 128, logEvery: 1000, checkpointEvery: 100000 },
      run: { out: run.out, resume: true },
    });
  }

  #spawn(run: StandaloneRun): Promise<void> {
    const args = [
      ...[LITHE, "train", "--model", run.model, "--data", this.#data, "--epochs", String(run.epochs)],
      ...["--seed", String(run.seed), "--batch-size", "128", "--threads", "1", "--out", run.out],
      ...["--log-every", "1000", "--checkpoint-every", "100000", "--resume", "--quiet"],
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, {
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, LITHE_NUM_THREADS: "1", OMP_NUM_THREADS: "1" },
      });
      track(child);
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      child.on("error", reject);
      child.on("close", (code) => {
        if (code === 0) resolve();
        else
          reject(
            new Error(
              `${run.out}: lithe train failed: ${stderr.trim().split("\n").at(-1) ?? `exit ${code}`}`,
            ),
          );
      });
    });
  }
}
