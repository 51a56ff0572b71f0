// Fake quantization against PyTorch 1.13 (fixture written by scripts/gen-quant-golden.py): fixed
// per-tensor and per-channel scales at 1 to 8 bits, forward and straight-through backward; the grid of
// every bit width; and bit widths outside 1..8 refused.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fakeQuantize, quantRange } from "../../src/engine/index.js";
import { goldenFixture } from "../golden.js";

const golden = goldenFixture("quant-golden.safetensors");
const { get, leaf, options, expectClose } = golden;

test("the fixture holds the cases these tests and test/nn/quantizer.test.ts check", () => {
  assert.deepEqual(golden.cases(), [
    "fixed_channel_b3",
    "fixed_channel_b4",
    "fixed_channel_b8",
    "fixed_tensor_b1s",
    "fixed_tensor_b2s",
    "fixed_tensor_b4u",
    "fixed_tensor_b8s",
    "lsq_act_b4",
    "lsq_act_b8",
    "lsq_weight_b2",
    "lsq_weight_b4",
    "pact_b2",
    "pact_b4",
  ]);
});

test("the integer grid of every width: signed [-2^(b-1), 2^(b-1)-1], unsigned [0, 2^b-1]", () => {
  assert.deepEqual(quantRange({ bits: 8, signed: true }), { qmin: -128, qmax: 127 });
  assert.deepEqual(quantRange({ bits: 8, signed: false }), { qmin: 0, qmax: 255 });
  assert.deepEqual(quantRange({ bits: 4, signed: true }), { qmin: -8, qmax: 7 });
  assert.deepEqual(quantRange({ bits: 1, signed: false }), { qmin: 0, qmax: 1 });
  for (const bits of [0, 9, 2.5, Number.NaN])
    assert.throws(() => quantRange({ bits, signed: true }), /bits must be an integer from 1 to 8, got/);
});

describe("fixed scales, forward and straight-through backward", () => {
  for (const name of golden.cases().filter((c) => c.startsWith("fixed_"))) {
    test(name, () => {
      const o = options<{ bits: number; signed: boolean }>(name);
      const x = leaf(`${name}.x`);
      const perChannel = name.startsWith("fixed_channel");
      const y = fakeQuantize(x, { ...o, scale: get(`${name}.scale`), ...(perChannel ? { axis: 0 } : {}) });
      expectClose(y, `${name}.y`, { rtol: 0, atol: 1e-6 });
      y.mul(get(`${name}.dy`))
        .sum()
        .backward();
      expectClose(x.grad, `${name}.dx`, { rtol: 0, atol: 0 });
    });
  }
});
