// Exact resume: a run killed with SIGKILL and resumed, and a run stopped with --steps and resumed,
// end with the same weight bytes as an uninterrupted run; lithe eval of a run reproduces its logged test figures.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { lithe, litheAsync } from "../cli/run-cli.js";
import { assertClose, tempDir } from "../helpers.js";

const base = tempDir("lithe-resume-");
// 256 synthetic 32x32 images, batch 32: 8 steps per epoch, 16 in all; a checkpoint every 3 steps.
const RUN = [
  "train",
  "--data",
  "synthetic:256",
  "--epochs",
  "2",
  "--batch-size",
  "32",
  "--lr",
  "0.05",
  "--seed",
  "5",
];
const run = (out: string, ...extra: string[]) => {
  const r = lithe([...RUN, "--out", out, "--checkpoint-every", "3", "--json", ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { steps: number };
};
const weights = (dir: string) => readFileSync(join(dir, "model.safetensors"));

const reference = join(base, "reference");
const referenceRun = run(reference);

it("an uninterrupted run makes 16 steps and writes weights, checkpoint, run.json and log.jsonl", () => {
  assert.equal(referenceRun.steps, 16);
  for (const f of ["model.safetensors", "checkpoint.safetensors", "run.json", "log.jsonl"]) {
    assert.ok(existsSync(join(reference, f)), f);
  }
  const lines = readFileSync(join(reference, "log.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.filter((l) => l.type === "epoch").map((l) => l.step),
    [8, 16],
  );
});

it("kill -9 mid-run, then --resume: identical weight bytes", async () => {
  const out = join(base, "killed");
  // Killed where the run says it is (its log line for step 4, past the checkpoint at step 3), not after a
  // wait that a fast machine could outrun: 12 more steps and an evaluation are left when the signal lands.
  const child = litheAsync([...RUN, "--out", out, "--checkpoint-every", "3", "--log-every", "1"]);
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const logPath = join(out, "log.jsonl");
  const loggedSteps = () =>
    existsSync(logPath)
      ? readFileSync(logPath, "utf8")
          .split("\n")
          .filter((l) => l.includes('"type":"step"'))
          .map((l) => (JSON.parse(l) as { step: number }).step)
      : [];
  while (!loggedSteps().includes(4)) await sleep(2);
  child.kill("SIGKILL");
  await exited;
  const log = readFileSync(logPath, "utf8");
  assert.ok(!log.includes('"type":"summary"'), "the run was killed before it finished");
  assert.ok(existsSync(join(out, "checkpoint.safetensors")), "the checkpoint of step 3 is there");
  run(out, "--resume");
  assert.ok(weights(out).equals(weights(reference)), "resumed weights differ from the uninterrupted run");
});

it("--steps 5 then --steps 16 --resume equals one run (the schedule follows --epochs)", () => {
  const out = join(base, "steps");
  assert.equal(run(out, "--steps", "5").steps, 5);
  assert.equal(run(out, "--steps", "16", "--resume").steps, 16);
  assert.ok(weights(out).equals(weights(reference)));
});

it("refuses to resume with different options, and to overwrite a run without --resume", () => {
  const changed = lithe([...RUN, "--out", reference, "--lr", "0.07", "--resume"]);
  assert.notEqual(changed.code, 0);
  assert.match(changed.stderr, /--resume with different options/);
  const again = lithe([...RUN, "--out", reference]);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /already holds a run; pass --resume/);
});

it("lithe eval of the run's weights reports the test figures the run logged", () => {
  const r = lithe([
    "eval",
    "--weights",
    join(reference, "model.safetensors"),
    "--data",
    "synthetic:256",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const e = JSON.parse(r.stdout) as { top1: number; top5: number; loss: number; samples: number };
  const summary = readFileSync(join(reference, "log.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .find((l) => l.type === "summary") as { test: typeof e };
  // the same images through the same weights: the same counts; the mean loss up to float32 summation
  assert.deepEqual([e.top1, e.top5, e.samples], [summary.test.top1, summary.test.top5, summary.test.samples]);
  assert.equal(e.samples, 256);
  assertClose([e.loss], [summary.test.loss], { rtol: 1e-6, atol: 0, what: "eval loss" });
  const wrong = lithe([
    "eval",
    "--weights",
    join(reference, "model.safetensors"),
    "--model",
    "mobilenet_v2_x0_35",
    "--data",
    "synthetic:256",
  ]);
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /does not fit mobilenet_v2/);
});
