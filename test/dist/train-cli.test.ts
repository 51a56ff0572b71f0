// `lithe train` data-parallel on loopback, 2 ranks x 1 thread: --nproc runs to the end with rank 0
// alone writing, and its sharded test evaluation equals one process's on the saved weights; a rank killed mid-run makes the other fail in one line within the timeout, and the
// restart with --resume ends with the same weight bytes as an uninterrupted 2-rank run; a rank
// started with another recipe is refused naming the field.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { EvalResult } from "../../src/train/trainer.js";
import { LITHE, lithe } from "../cli/run-cli.js";
import { tempDir } from "../helpers.js";
import { freePort, rankEnv, runRanks } from "./ranks.js";

const base = tempDir("lithe-dist-train-");
// 128 synthetic images, 2 ranks x batch 16: 4 steps per epoch, 8 in all; a checkpoint every step.
const RUN = [
  "train",
  "--data",
  "synthetic:128",
  "--epochs",
  "2",
  "--batch-size",
  "16",
  "--lr",
  "0.05",
  "--seed",
  "3",
];
const ARGS = (out: string) => [...RUN, "--out", out, "--checkpoint-every", "1", "--log-every", "1", "--json"];
const TIMEOUT = { LITHE_DIST_TIMEOUT_MS: "8000" };
const weights = (dir: string) => readFileSync(join(dir, "model.safetensors"));
const loggedSteps = (dir: string) =>
  existsSync(join(dir, "log.jsonl"))
    ? readFileSync(join(dir, "log.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l.includes('"type":"step"')).length
    : 0;

describe("lithe train on 2 ranks (127.0.0.1)", () => {
  const reference = join(base, "reference");

  it("--nproc 2 trains to the end; rank 0 writes the run; the sharded test accuracy is one process's", () => {
    const r = lithe([...ARGS(reference), "--nproc", "2"], TIMEOUT);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { steps: number; test: EvalResult };
    assert.equal(summary.steps, 8);
    assert.equal(loggedSteps(reference), 8);
    // each rank scored its exact share of the test split; one process scores the saved weights whole
    const one = lithe([
      "eval",
      "--weights",
      join(reference, "model.safetensors"),
      "--data",
      "synthetic:128",
      "--batch-size",
      "16",
      "--json",
    ]);
    assert.equal(one.code, 0, one.stderr);
    const whole = JSON.parse(one.stdout) as EvalResult;
    assert.equal(summary.test.samples, whole.samples);
    assert.equal(summary.test.top1, whole.top1);
    assert.equal(summary.test.top5, whole.top5);
    assert.ok(Math.abs(summary.test.loss - whole.loss) < 1e-5, `loss ${summary.test.loss} vs ${whole.loss}`);
  });

  it("a killed rank makes the other fail in one line; --resume then ends with the uninterrupted run's bytes", async () => {
    const out = join(base, "crashed");
    const port = await freePort();
    const ranks = [0, 1].map((rank) =>
      spawn(process.execPath, [LITHE, ...ARGS(out)], {
        env: { ...process.env, ...rankEnv(rank, 2, port), ...TIMEOUT },
        stdio: ["ignore", "ignore", "pipe"],
      }),
    );
    try {
      let stderr = "";
      ranks[0]?.stderr?.on("data", (d) => {
        stderr += d;
      });
      const exited = new Promise<number | null>((resolve) => ranks[0]?.on("close", resolve));
      for (let i = 0; i < 400 && loggedSteps(out) < 3; i++) await sleep(50);
      assert.ok(loggedSteps(out) >= 3, "rank 0 logged 3 steps within 20 s");
      ranks[1]?.kill("SIGKILL");
      const code = await Promise.race([exited, sleep(20_000).then(() => "hung")]);
      assert.notEqual(code, "hung");
      assert.notEqual(code, 0);
      const lines = stderr.split("\n").filter((l) => l.startsWith("lithe:"));
      assert.equal(lines.length, 1, stderr);
      assert.match(
        lines[0] as string,
        /rank 0: gradient allreduce failed: a peer died or did not answer within 8 s/,
      );
    } finally {
      for (const c of ranks) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    }
    const r = lithe([...ARGS(out), "--nproc", "2", "--resume"], TIMEOUT);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(weights(out).equals(weights(reference)), "resumed weights equal the uninterrupted run's");
  });

  it("--resume of the finished run stops on every rank with rank 0's summary, changing nothing", () => {
    const before = weights(reference);
    const r = lithe([...ARGS(reference), "--nproc", "2", "--resume"], TIMEOUT);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { steps: number }).steps, 8);
    assert.ok(weights(reference).equals(before));
    assert.equal(loggedSteps(reference), 8);
  });

  it("refuses a rank started with a different recipe, naming the field", async () => {
    const port = await freePort();
    const out = join(base, "mismatch");
    const results = await runRanks(
      LITHE,
      (rank) => [...ARGS(out), "--lr", rank === 0 ? "0.05" : "0.1"],
      [
        { ...rankEnv(0, 2, port), ...TIMEOUT },
        { ...rankEnv(1, 2, port), ...TIMEOUT },
      ],
      25_000,
    );
    for (const [rank, r] of results.entries()) {
      assert.notEqual(r.code, 0);
      const lines = r.stderr.split("\n").filter((l) => l.startsWith("lithe:"));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(
        lines[0] as string,
        new RegExp(`rank ${rank}: its run configuration differs from rank ${1 - rank}'s in recipe\\.lr`),
      );
    }
  });
});
