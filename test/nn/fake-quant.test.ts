// Fake-quantized layers: a conv's effective weight sits on each channel's b-bit grid, inputs take the
// sign of their data (and PACT where the data are never negative), every step gets a gradient, width
// choices switch, and the learned state survives a state dict.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { manualSeed, randn } from "../../src/engine/index.js";
import { Conv2d, LayerQuantizer, Linear } from "../../src/nn/index.js";

describe("LayerQuantizer on conv and linear layers", () => {
  test("the effective weight uses at most 2^b levels per output channel, on multiples of its step", () => {
    manualSeed(1);
    const conv = new Conv2d(4, 6, 3, { padding: 1 });
    conv.setQuantizer(new LayerQuantizer(6, { weights: [3], activations: [4] }));
    conv.forward(randn([2, 4, 5, 5]));
    const q = conv.quantizer as LayerQuantizer;
    const w = q.weight(conv.weight).toTypedArray() as Float32Array;
    const steps = q.weightQuantizer.scale.toTypedArray() as Float32Array;
    const per = w.length / 6;
    for (let c = 0; c < 6; c++) {
      const levels = new Set<number>();
      for (let i = 0; i < per; i++) {
        const k = (w[c * per + i] as number) / (steps[c] as number);
        assert.ok(Math.abs(k - Math.round(k)) < 1e-4, `channel ${c}: ${k} is off the grid`);
        assert.ok(k >= -4 - 1e-4 && k <= 3 + 1e-4, `channel ${c}: level ${k} outside [-4, 3]`);
        levels.add(Math.round(k));
      }
      assert.ok(levels.size <= 8);
    }
  });

  test("inputs: unsigned after non-negative data, signed otherwise; PACT only on non-negative data", () => {
    const lin = new Linear(8, 3);
    lin.setQuantizer(new LayerQuantizer(3, { weights: [4], activations: [4] }, "pact"));
    lin.forward(randn([5, 8]).relu());
    assert.equal((lin.quantizer as LayerQuantizer).inputQuantizer.usesPact, true);
    const signed = new Linear(8, 3);
    signed.setQuantizer(new LayerQuantizer(3, { weights: [4], activations: [4] }, "pact"));
    signed.forward(randn([5, 8]));
    const input = (signed.quantizer as LayerQuantizer).inputQuantizer;
    assert.equal(input.usesPact, false);
    assert.equal(input.lsq.signed, true);
    const plain = new Linear(8, 3);
    plain.setQuantizer(new LayerQuantizer(3, { weights: [4], activations: [4] }));
    plain.forward(randn([5, 8]).relu());
    assert.equal((plain.quantizer as LayerQuantizer).inputQuantizer.lsq.signed, false);
  });

  test("every step gets a gradient, and the learned state survives a state dict", () => {
    manualSeed(2);
    const conv = new Conv2d(3, 4, 3);
    conv.setQuantizer(new LayerQuantizer(4, { weights: [2, 4], activations: [2, 4] }));
    const q = conv.quantizer as LayerQuantizer;
    const x = randn([2, 3, 6, 6]);
    for (const bits of [
      { weights: 2, activations: 4 },
      { weights: 4, activations: 2 },
    ]) {
      q.select(bits);
      conv.forward(x).pow(2).sum().backward();
    }
    for (const [name, p] of conv.namedParameters()) assert.ok(p.grad, `${name} got no gradient`);
    const copy = new Conv2d(3, 4, 3);
    copy.setQuantizer(new LayerQuantizer(4, { weights: [2, 4], activations: [2, 4] }));
    copy.loadStateDict(conv.stateDict());
    (copy.quantizer as LayerQuantizer).select({ weights: 4, activations: 2 });
    assert.deepEqual(copy.forward(x).toList(), conv.forward(x).toList());
    assert.throws(() => q.select({ weights: 3, activations: 2 }), /w3a2 is not among w\{2,4\} a\{2,4\}/);
  });
});
