// Knowledge distillation's loss: T^2 KL(softmax(t/T) || softmax(s/T)) against a direct evaluation of
// its definition in float64, zero when the student matches the teacher, its gradient by central
// differences, and no gradient into the teacher; in-place distillation's step: the largest path's label
// gradient plus the sampled path's KL gradient, which vanishes where the two paths are one network.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { manualSeed, randint, randn } from "../../src/engine/index.js";
import { Linear } from "../../src/nn/index.js";
import { distillationLoss } from "../../src/train/distill.js";
import { SGD } from "../../src/train/sgd.js";
import { trainStep } from "../../src/train/step.js";
import { Random } from "../../src/util/random.js";
import { float64, gradcheck } from "../gradcheck.js";

const [N, C] = [3, 5];
const random = new Random(4);
const logits = () => Float64Array.from({ length: N * C }, () => random.uniform(-3, 3));

/** The definition, row by row. */
function reference(s: Float64Array, t: Float64Array, T: number): number {
  let total = 0;
  for (let i = 0; i < N; i++) {
    const row = (a: Float64Array) => Array.from(a.slice(i * C, (i + 1) * C), (v) => v / T);
    const logSoftmax = (r: number[]) => {
      const m = Math.max(...r);
      const z = Math.log(r.reduce((acc, v) => acc + Math.exp(v - m), 0)) + m;
      return r.map((v) => v - z);
    };
    const p = logSoftmax(row(t));
    const q = logSoftmax(row(s));
    total += p.reduce((acc, lp, k) => acc + Math.exp(lp) * (lp - (q[k] as number)), 0);
  }
  return (T * T * total) / N;
}

describe("distillation loss", () => {
  test("equals T^2 KL(teacher || student) averaged over the batch, and 0 for a perfect student", () => {
    const [s, t] = [logits(), logits()];
    for (const T of [1, 4]) {
      const got = distillationLoss(float64(s, [N, C]), float64(t, [N, C]), T).item();
      assert.ok(Math.abs(got - reference(s, t, T)) < 1e-12, `T=${T}: ${got} vs ${reference(s, t, T)}`);
    }
    assert.ok(Math.abs(distillationLoss(float64(t, [N, C]), float64(t, [N, C]), 2).item()) < 1e-12);
  });

  test("its gradient by central differences; the teacher gets none", () => {
    const t = float64(logits(), [N, C]);
    gradcheck(([s]) => distillationLoss(s as never, t, 2), [float64(logits(), [N, C])]);
    const teacher = float64(logits(), [N, C]).requiresGrad_();
    distillationLoss(float64(logits(), [N, C]).requiresGrad_(), teacher, 1).backward();
    assert.equal(teacher.grad, null);
  });
});

describe("in-place distillation step", () => {
  test("puts the net on its largest path, then back on the sampled one, before the sampled forward", () => {
    const calls: string[] = [];
    const net = new Linear(4, 3);
    const optimizer = new SGD(net.parameters(), { lr: 0.1 });
    trainStep(net, optimizer, randn([2, 4]), randint(0, 3, [2]), {
      inplace: { largest: () => calls.push("largest"), sampled: () => calls.push("sampled") },
    });
    assert.deepEqual(calls, ["largest", "sampled"]);
  });

  test("with one path for both it is the plain label step (the KL gradient is 0 at the teacher)", () => {
    manualSeed(3);
    const [a, b] = [new Linear(4, 3), new Linear(4, 3)];
    b.loadStateDict(a.stateDict());
    const [x, y] = [randn([5, 4]), randint(0, 3, [5])];
    trainStep(a, new SGD(a.parameters(), { lr: 0.5 }), x, y, { labelSmoothing: 0.1 });
    const noop = { largest: () => {}, sampled: () => {} };
    const r = trainStep(b, new SGD(b.parameters(), { lr: 0.5 }), x, y, {
      labelSmoothing: 0.1,
      inplace: noop,
    });
    assert.ok(Math.abs(r.loss) < 1e-6, `KL of a path with itself is ${r.loss}`);
    const [wa, wb] = [a.weight.toTypedArray(), b.weight.toTypedArray()];
    for (let i = 0; i < wa.length; i++) assert.ok(Math.abs((wa[i] as number) - (wb[i] as number)) < 1e-6);
  });
});
