// VGG (src/arch/families/vgg.ts): per-layer `channels` count as a hand computation says, the small
// stem's layout, the standard stem built at 224 px counts as traced, and bad input is refused.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countArch, planOf } from "../../src/arch/count.js";
import { archOf, validateArch } from "../../src/arch/schema.js";
import { listOps } from "../../src/arch/walk.js";
import { manualSeed } from "../../src/engine/index.js";
import { buildModel, tracedCount } from "../../src/models/index.js";

/** A pruned VGG-11 with BN on 32 px CIFAR-size inputs (small stem: pools after convs 1, 2, 4, 6). */
const PRUNED = {
  family: "vgg",
  depth: 11,
  bn: true,
  stem: "small",
  inputSize: 32,
  classes: 10,
  channels: [20, 50, 100, 90, 200, 180, 160, 512],
};

describe("vgg", () => {
  it("explicit channels count as conv 3x3 + bias + BN per layer, then GAP and one linear", () => {
    const c = PRUNED.channels;
    const sizes = [32, 16, 8, 8, 4, 4, 2, 2];
    let flops = 0;
    let params = 0;
    let inp = 3;
    c.forEach((out, i) => {
      const hw = (sizes[i] as number) ** 2;
      flops += 9 * inp * out * hw;
      params += 9 * inp * out + out + 2 * out;
      inp = out;
    });
    flops += 512 * 10;
    params += 512 * 10 + 10;
    const count = countArch(validateArch(PRUNED));
    assert.equal(count.params, params);
    assert.equal(count.flops, flops);
  });

  it("small stem: no last maxpool, avgpool (global) and classifier = Linear(last width, classes)", () => {
    const arch = validateArch(PRUNED);
    const ops = listOps(planOf(arch), { c: 3, h: 32, w: 32 }).ops;
    assert.equal(ops.filter((o) => o.op === "maxpool").length, 4);
    const tail = ops.slice(-2).map((o) => [o.name, o.op, o.inputs[0]]);
    assert.deepEqual(tail, [
      ["avgpool", "gap", { c: 512, h: 2, w: 2 }],
      ["classifier", "linear", { c: 512, h: 0, w: 0 }],
    ]);
    const convs = ops.filter((o) => o.op === "conv").map((o) => o.name);
    assert.deepEqual(convs.slice(0, 3), ["features.0", "features.4", "features.8"]);
  });

  it("the standard stem at 224 px builds, and the traced counter equals the analytic one", () => {
    const arch = archOf("vgg11", { classes: 10 });
    manualSeed(0);
    const model = buildModel(arch);
    assert.deepEqual(tracedCount(model, 3, 224), countArch(arch));
    for (const t of model.stateDict().values()) t.dispose();
  });

  it("refuses a wrong number of widths and a standard stem off 224 px", () => {
    assert.throws(
      () => validateArch({ ...PRUNED, channels: [8, 8] }),
      /VGG-11 has 8 conv layers, got 2 widths/,
    );
    assert.throws(() => validateArch({ ...PRUNED, channels: [0, 1, 1, 1, 1, 1, 1, 1] }), /channels/);
    assert.throws(() => archOf("vgg16", { inputSize: 32 }), /needs 224-255 px inputs, got 32/);
    assert.throws(() => validateArch({ family: "vgg", depth: 12 }), /field "depth"/);
  });
});
