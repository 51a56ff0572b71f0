// PruningNet training resumes exactly: the encoding of a step depends only on (seed, step), so a run
// stopped after some steps and resumed ends with the same weight bytes as one that never stopped (the
// generators, the per-width BN statistics and the classifier alike), on the shared training loop.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { type PruningNetTrainingOptions, runPruningNetTraining } from "../../src/prune/metapruning.js";
import { fixturePath, tempDir } from "../helpers.js";

const dir = tempDir("lithe-prune-train-");
const options = (out: string, steps: number, resume: boolean): PruningNetTrainingOptions => ({
  data: { source: "synthetic:96", augment: "none", workers: 0 },
  recipe: { epochs: 2, steps, batchSize: 16, logEvery: 1, checkpointEvery: 2 },
  space: fixturePath("prune/tiny-mobilenet-v1.json"),
  stem: "small",
  holdoutShare: 0.2,
  run: { out, resume },
  threads: 1,
});
const weights = (out: string) => readFileSync(join(out, "model.safetensors"));

it("a PruningNet run stopped at step 3 and resumed to 8 equals one run of 8 steps, byte for byte", async () => {
  const whole = join(dir, "whole");
  const split = join(dir, "split");
  await runPruningNetTraining(options(whole, 8, false));
  await runPruningNetTraining(options(split, 3, false));
  assert.equal(weights(split).equals(weights(whole)), false);
  const resumed = await runPruningNetTraining(options(split, 8, true));
  assert.equal(resumed.steps, 8);
  assert.ok(weights(split).equals(weights(whole)), "resumed weights differ from the uninterrupted run");
});
