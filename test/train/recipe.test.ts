// Recipe pieces against hand-computed values: LR schedules, gradient clipping, SGD parameter groups,
// top-k counting, and BN recalibration (only running statistics change; cumulative average).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keep, manualSeed, randn, tensor, tidy } from "../../src/engine/index.js";
import { BatchNorm2d, Conv2d, Linear, ReLU, Sequential } from "../../src/nn/index.js";
import { recalibrateBatchNorm } from "../../src/train/bn.js";
import { lrAt } from "../../src/train/schedule.js";
import { SGD } from "../../src/train/sgd.js";
import { clipGradNorm, correctCounts } from "../../src/train/step.js";
import { assertClose } from "../helpers.js";

describe("learning-rate schedules", () => {
  const total = 100;
  it("linear decays to 0 per iteration (official)", () => {
    assert.equal(lrAt(0, { kind: "linear", lr: 0.5, totalSteps: total }), 0.5);
    assert.equal(lrAt(50, { kind: "linear", lr: 0.5, totalSteps: total }), 0.25);
    assert.equal(lrAt(100, { kind: "linear", lr: 0.5, totalSteps: total }), 0);
  });
  it("cosine, step and warm-up", () => {
    assertClose([lrAt(50, { kind: "cosine", lr: 1, totalSteps: total })], [0.5]);
    assertClose(
      [lrAt(25, { kind: "cosine", lr: 1, totalSteps: total })],
      [0.5 * (1 + Math.cos(Math.PI / 4))],
    );
    assertClose([lrAt(65, { kind: "step", lr: 1, totalSteps: total, stepEvery: 30, gamma: 0.1 })], [0.01]);
    const warm = { kind: "linear" as const, lr: 1, totalSteps: 110, warmupSteps: 10, warmupStart: 0 };
    assertClose([lrAt(0, warm), lrAt(5, warm), lrAt(10, warm), lrAt(60, warm)], [0, 0.5, 1, 0.5]);
  });
});

it("clipGradNorm scales all gradients by maxNorm / global norm, only when above", () => {
  const a = keep(tensor([3, 0]).requiresGrad_());
  const b = keep(tensor([[0, 4]]).requiresGrad_());
  tidy(() =>
    a
      .mul(tensor([1, 1]))
      .sum()
      .add(b.mul(tensor([[1, 1]])).sum())
      .backward(),
  );
  tidy(() => {
    a.grad = tensor([3, 0]);
    b.grad = tensor([[0, 4]]);
  });
  assert.equal(clipGradNorm([a, b], 10), 5);
  assertClose((a.grad as NonNullable<typeof a.grad>).toList(), [3, 0]);
  assert.ok(Math.abs(clipGradNorm([a, b], 1) - 5) < 1e-6);
  assertClose(
    [...(a.grad as NonNullable<typeof a.grad>).toList(), ...(b.grad as NonNullable<typeof b.grad>).toList()],
    [0.6, 0, 0, 0.8],
    { atol: 1e-5 },
  );
});

it("SGD puts weight decay only on parameters with more than one dimension", () => {
  const net = new Sequential(new Conv2d(2, 3, 3), new BatchNorm2d(3), new Linear(3, 2));
  const sgd = new SGD(net.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 4e-5 });
  const decayed = sgd.groups.find((g) => g.weightDecay > 0);
  const plain = sgd.groups.find((g) => g.weightDecay === 0);
  assert.deepEqual(
    decayed?.params.map((p) => p.ndim),
    [4, 2],
  );
  assert.deepEqual(
    plain?.params.map((p) => p.ndim),
    [1, 1, 1, 1],
  );
  assert.equal(sgd.buffers().length, 6);
});

it("correctCounts counts top-1 and top-5 hits", () => {
  tidy(() => {
    const logits = tensor([
      [0, 1, 2, 3, 4, 5, 6],
      [6, 5, 4, 3, 2, 1, 0],
      [0, 1, 9, 2, 3, 4, 5],
    ]);
    // label 6: a top-1 hit; label 1: a top-5 hit only; label 0: the lowest logit, neither
    assert.deepEqual(correctCounts(logits, tensor([6, 1, 0], { dtype: "int64" })), { top1: 1, top5: 2 });
  });
});

it("recalibrateBatchNorm changes only running statistics, to the cumulative average of batch statistics", async () => {
  manualSeed(4);
  const net = new Sequential(new Conv2d(3, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU());
  const bn = net.layers[1] as BatchNorm2d;
  const params = net.parameters().map((p) => keep(p.clone()));
  const batches = [0, 1, 2].map(() => keep(randn([2, 3, 5, 5])));
  const used = await recalibrateBatchNorm(net, batches);
  assert.equal(used, 3);
  for (const [i, p] of net.parameters().entries()) {
    assert.ok(p.equal(params[i] as NonNullable<(typeof params)[0]>), "parameters unchanged");
  }
  assert.equal(bn.momentum, 0.1, "momentum restored");
  tidy(() => {
    const conv = net.layers[0] as Conv2d;
    const means = batches.map((x) => conv.forward(x).mean([0, 2, 3]));
    const vars = batches.map((x) => {
      const y = conv.forward(x);
      const n = y.numel / 4;
      return y
        .sub(y.mean([0, 2, 3], true))
        .pow(2)
        .sum([0, 2, 3])
        .div(n - 1);
    });
    const avg = (ts: typeof means) =>
      ts
        .reduce((s, t) => s.add(t))
        .div(ts.length)
        .toList();
    assertClose(bn.runningMean?.toList() ?? [], avg(means), { atol: 1e-6 });
    assertClose(bn.runningVar?.toList() ?? [], avg(vars), { atol: 1e-5 });
    assert.equal(bn.numBatchesTracked?.item(), 3);
  });
});
