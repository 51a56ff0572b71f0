// The quick-start demo on a small Fashion-MNIST subset: loss falls and accuracy beats chance widely.
import assert from "node:assert/strict";
import { it } from "node:test";
import { FASHION_MNIST_DIR } from "../../src/data/mnist.js";
import { runDemo } from "../../src/train/demo.js";

it("a small CNN trained on 3,200 Fashion-MNIST images reaches well over chance (10%) on 1,000 test images", () => {
  const losses: number[] = [];
  const r = runDemo({
    dataDir: FASHION_MNIST_DIR,
    trainImages: 3200,
    testImages: 1000,
    epochs: 1,
    batchSize: 32,
    lr: 0.1,
    seed: 3,
    onStep: (_step, _total, loss) => losses.push(loss),
  });
  assert.equal(r.steps, 100);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(losses.slice(0, 10));
  const last = mean(losses.slice(-10));
  console.log(
    `demo: loss ${first.toFixed(3)} -> ${last.toFixed(3)}, test accuracy ${(100 * r.testAccuracy).toFixed(1)}%`,
  );
  assert.ok(last < 0.75 * first, `loss should fall: first 10 steps ${first}, last 10 ${last}`);
  assert.ok(r.testAccuracy > 0.6, `test accuracy ${r.testAccuracy}`);
});
