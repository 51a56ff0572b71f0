// The training loop on a small Fashion-MNIST subset: the loss falls and test accuracy beats chance
// (10%) by a wide margin; evaluation reports fractions; the log is valid JSONL.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { archOf } from "../../src/arch/index.js";
import { holdoutSplit } from "../../src/data/dataset.js";
import { FASHION_MNIST_DIR, loadMnistFormat } from "../../src/data/mnist.js";
import { manualSeed } from "../../src/engine/index.js";
import { buildModel } from "../../src/models/index.js";
import { recipe } from "../../src/train/recipe.js";
import { makeLoader } from "../../src/train/setup.js";
import { evaluate, train } from "../../src/train/trainer.js";
import { tempDir } from "../helpers.js";

it("shufflenet_v2_x0_5 on 2,560 Fashion-MNIST images: loss falls, test top-1 well above chance", async () => {
  const trainSet = loadMnistFormat(FASHION_MNIST_DIR, "train");
  const testSet = loadMnistFormat(FASHION_MNIST_DIR, "test");
  const data = { source: "fashion-mnist", augment: "auto", workers: 1 };
  const batching = { batchSize: 64, seed: 3 };
  const trainLoader = makeLoader(holdoutSplit(trainSet, 2560, 1).holdout, data, batching, true);
  const testLoader = makeLoader(holdoutSplit(testSet, 1000, 2).holdout, data, batching, false);
  const arch = archOf("shufflenet_v2_x0_5", { inputSize: 28, inChannels: 1, classes: 10, stem: "small" });
  manualSeed(3);
  const model = buildModel(arch);
  const out = tempDir("lithe-train-");
  const losses: number[] = [];
  try {
    const before = await evaluate(model, testLoader);
    const r = await train({
      arch,
      model,
      recipe: recipe({ epochs: 3, batchSize: 64, lr: 0.05, seed: 3, logEvery: 10, checkpointEvery: 1000 }),
      train: trainLoader,
      test: testLoader,
      run: { out },
      onProgress: (e) => losses.push(e.loss),
    });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [first, last] = [mean(losses.slice(0, 10)), mean(losses.slice(-10))];
    console.log(
      `trainer: ${r.steps} steps, loss ${first.toFixed(3)} -> ${last.toFixed(3)}, test top-1 ${before.top1.toFixed(3)} -> ${r.test?.top1.toFixed(3)}, ${r.imagesPerSecond.toFixed(0)} img/s, data wait ${(100 * r.dataWaitShare).toFixed(1)}%`,
    );
    assert.equal(r.steps, 120);
    assert.ok(last < 0.7 * first, `loss should fall: ${first} -> ${last}`);
    assert.ok(r.test && r.test.top1 > 0.6, `test top-1 ${r.test?.top1}`);
    assert.ok(r.test.top5 >= r.test.top1 && r.test.top5 <= 1);
    assert.equal(r.test.samples, 1000);
    const log = readFileSync(join(out, "log.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(log.filter((l) => l.type === "step").length, 12);
    assert.equal(log.filter((l) => l.type === "epoch").length, 3);
    assert.equal(log.at(-1).type, "summary");
  } finally {
    await trainLoader.close();
    await testLoader.close();
  }
});
