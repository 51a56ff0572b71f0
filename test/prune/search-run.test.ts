// MetaPruning's search from the library side on a tiny space and synthetic data: the winner's pruned
// description loaded with its exported generated weights (best.safetensors) scores on the hold-out
// split exactly what the search scored with the PruningNet, and every logged candidate is within the
// limit at the FLOPs the zoo counts for it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { inputOf } from "../../src/arch/family.js";
import { countArch, validateArch } from "../../src/arch/index.js";
import { prunedArch } from "../../src/arch/spaces/pruning.js";
import { readPruningNetRun, runPruneSearch, runPruningNetTraining } from "../../src/prune/metapruning.js";
import type { Candidate } from "../../src/search/evolution.js";
import { collectBatches } from "../../src/search/scoring.js";
import { oneShotSplits } from "../../src/search/train-run.js";
import { loadModel, makeLoader } from "../../src/train/setup.js";
import { evalBatch } from "../../src/train/step.js";
import { fixturePath, tempDir } from "../helpers.js";

const dir = tempDir("lithe-prune-search-");
const run = join(dir, "pruningnet");
const out = join(dir, "search");
const data = { source: "synthetic:160", augment: "none", workers: 0 };
const LIMIT = 400_000;

describe("prune search on a trained PruningNet", () => {
  let result: Awaited<ReturnType<typeof runPruneSearch>>;
  before(async () => {
    await runPruningNetTraining({
      data,
      recipe: { epochs: 1, steps: 4, batchSize: 32, logEvery: 1, checkpointEvery: 100 },
      space: fixturePath("prune/tiny-mobilenet-v1.json"),
      stem: "small",
      holdoutShare: 0.2,
      run: { out: run },
      threads: 1,
    });
    result = await runPruneSearch({
      net: run,
      limits: { flops: LIMIT },
      run: { out },
      method: "evolution",
      evolution: { population: 4, generations: 2, topK: 2, seed: 3 },
      scoring: { recalibrationImages: 32, batchSize: 32, workers: 0 },
    });
  });

  it("best.json with best.safetensors scores on the hold-out split what the search scored", async () => {
    const arch = validateArch(JSON.parse(readFileSync(join(out, "best.json"), "utf8")));
    const model = loadModel(arch, join(out, "best.safetensors")).eval();
    const recorded = readPruningNetRun(run).data;
    const recordedData = { ...recorded, workers: 0 };
    const split = await oneShotSplits(recordedData, recorded.seed, recorded.holdout);
    const loader = makeLoader(split.holdout, recordedData, { batchSize: 32, seed: recorded.seed }, false);
    let correct = 0;
    let seen = 0;
    for (const { x, y } of await collectBatches(loader, split.holdout.indices.length)) {
      const r = evalBatch(model, x, y);
      correct += r.top1;
      seen += r.samples;
    }
    await loader.close();
    assert.equal(correct / seen, result.best.score);
  });

  it("logs only candidates within the limit, at the FLOPs the zoo counts", () => {
    const { arch } = readPruningNetRun(run);
    const lines = readFileSync(join(out, "search.jsonl"), "utf8").trim().split("\n");
    assert.equal(lines.length, result.evaluated);
    for (const line of lines) {
      const c = JSON.parse(line) as Candidate;
      const flops = countArch(prunedArch(arch.space, c.genotype, inputOf(arch))).flops;
      assert.equal(c.costs.flops, flops);
      assert.ok(flops <= LIMIT, `${flops} > ${LIMIT}`);
    }
    assert.equal(countArch(result.arch).flops, result.best.costs.flops);
  });
});
