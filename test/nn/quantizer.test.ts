// LSQ and PACT quantizers against PyTorch 1.13 (scripts/gen-quant-golden.py computes LSQ's initial step
// and gradient scale and PACT's clipping from the papers, apart from this code): outputs, input
// gradients, and the step's or clipping level's gradient; a quantizer's state survives a state dict.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type LsqOptions, LsqQuantizer, PactQuantizer } from "../../src/nn/index.js";
import { goldenFixture } from "../golden.js";

const golden = goldenFixture("quant-golden.safetensors");
const { get, leaf, options, expectClose } = golden;

describe("LSQ: step initialised from the data, its gradient scaled by 1/sqrt(N Qp)", () => {
  for (const name of golden.cases().filter((c) => c.startsWith("lsq_"))) {
    test(name, () => {
      const q = new LsqQuantizer(options<LsqOptions>(name));
      const x = leaf(`${name}.x`);
      const y = q.forward(x);
      expectClose(q.scale.detach(), `${name}.scale0`, { rtol: 1e-6, atol: 0 });
      expectClose(y, `${name}.y`, { rtol: 1e-6, atol: 1e-6 });
      y.mul(get(`${name}.dy`))
        .sum()
        .backward();
      expectClose(x.grad, `${name}.dx`, { rtol: 0, atol: 0 });
      expectClose(q.scale.grad, `${name}.dscale`, { rtol: 1e-5, atol: 1e-7 });
    });
  }

  test("the learned step is kept: a second pass does not re-initialise, and a state dict carries it", () => {
    const q = new LsqQuantizer({ bits: 4, signed: true });
    q.forward(get("lsq_act_b4.x"));
    const first = q.scale.item();
    q.forward(get("lsq_act_b4.x").mul(10));
    assert.equal(q.scale.item(), first);
    const copy = new LsqQuantizer({ bits: 4, signed: true });
    copy.loadStateDict(q.stateDict());
    copy.forward(get("lsq_act_b4.x").mul(10));
    assert.equal(copy.scale.item(), first, "a loaded quantizer re-initialised its step");
  });

  test("refuses a width outside 1..8 and a tensor with another channel count", () => {
    assert.throws(
      () => new LsqQuantizer({ bits: 9, signed: true }),
      /bits must be an integer from 1 to 8, got 9/,
    );
    const q = new LsqQuantizer({ bits: 4, signed: true, channels: 3 });
    assert.throws(
      () => q.forward(get("lsq_weight_b4.x")),
      /LsqQuantizer: 3 channels, got a tensor of shape \[4,3,3,3\]/,
    );
  });
});

describe("PACT: clip at a learned alpha, quantize on 2^b levels, d/dalpha = 1 where x >= alpha", () => {
  for (const name of golden.cases().filter((c) => c.startsWith("pact_"))) {
    test(name, () => {
      const q = new PactQuantizer(options<{ bits: number; alpha: number }>(name));
      const x = leaf(`${name}.x`);
      const y = q.forward(x);
      expectClose(y, `${name}.y`, { rtol: 0, atol: 1e-6 });
      y.mul(get(`${name}.dy`))
        .sum()
        .backward();
      // The reference's straight-through path multiplies by (1 / step) * step, 1 to within a rounding.
      expectClose(x.grad, `${name}.dx`, { rtol: 1e-6, atol: 0 });
      expectClose(q.alpha.grad, `${name}.dalpha`, { rtol: 1e-5, atol: 1e-6 });
    });
  }
});
