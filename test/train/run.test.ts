// runTraining as a library call: nested options with the official recipe's defaults, the thread count
// given for the call restored after it, and a finished run resumed: nothing is redone and the run's
// own summary is returned and logged once (it used to log a second, zeroed summary).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { getNumThreads } from "../../src/engine/index.js";
import { runTraining, type TrainingOptions } from "../../src/train/run.js";
import { tempDir } from "../helpers.js";

const out = join(tempDir("lithe-run-"), "run");
const options = (resume: boolean): TrainingOptions => ({
  model: "shufflenet_v2_x0_5",
  data: { source: "synthetic:64", imageSize: 32, augment: "none", workers: 0 },
  recipe: { epochs: 1, batchSize: 16, logEvery: 1 },
  run: { out, resume },
  threads: getNumThreads() === 1 ? 2 : 1,
});

it("trains with nested options, restores the thread count, and resumes a finished run to its own summary", async () => {
  const threads = getNumThreads();
  const first = await runTraining(options(false));
  assert.equal(getNumThreads(), threads, "the call's thread count leaked out of it");
  const run = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
  assert.equal(run.config.lr, 0.1, "the official recipe's lr where none was given");
  assert.equal(first.epochs, 1);
  assert.equal(first.finished, true);
  const again = await runTraining(options(true));
  assert.deepEqual(again, first);
  const summaries = readFileSync(join(out, "log.jsonl"), "utf8")
    .trim()
    .split("\n")
    .filter((l) => l.includes('"type":"summary"'));
  assert.equal(summaries.length, 1);
});
