// Channel pruning of a ResNet (src/prune/channel-resnet.ts): at keep ratio 1 nothing changes and the
// network reproduces the original; when the block input has duplicated channels (the stem's filters
// 4..7 copy 0..3, read by layer1.0.conv1 with half the weights) the channel sampler keeps the
// originals and conv1 is reconstructed exactly, so the pruned net's logits equal the original's; a
// 2x-pruned net is a smaller architecture whose FLOPs (analytic counter = traced modules) and
// parameters drop by the amounts the removed weights give, whose weights load, and whose every
// reconstruction beats plain removal.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countArch } from "../../src/arch/count.js";
import { type ResNetArch, resnetBlocks, resnetChannels } from "../../src/arch/families/resnet.js";
import { validateArch } from "../../src/arch/schema.js";
import { manualSeed, noGrad, randn, type Tensor, tidy } from "../../src/engine/index.js";
import { buildModel, tracedCount } from "../../src/models/index.js";
import type { BatchNorm2d, Conv2d, Module } from "../../src/nn/index.js";
import { pruneResNet } from "../../src/prune/channel-resnet.js";
import { atRatios, widthsFor } from "../../src/prune/channel-widths.js";

const ARCH = validateArch({
  family: "resnet",
  depth: 18,
  stem: "small",
  inputSize: 28,
  inChannels: 1,
  classes: 10,
  channels: { stem: 8, stages: [8, 16, 16, 16], mid: [8, 8, 16, 16, 16, 16, 16, 16] },
}) as ResNetArch;
const CONFIG = { points: 10, lassoRows: 400, seed: 0 };

/** A model with non-trivial BN statistics, so the BN scales of the correction matter. */
function model(): Module {
  manualSeed(5);
  const m = buildModel(ARCH).eval();
  noGrad(() => {
    for (const [, mod] of m.namedModules()) {
      const bn = mod as BatchNorm2d;
      if (bn.runningVar && bn.weight) {
        bn.runningVar.copy_(randn([bn.numFeatures]).abs().add(0.5));
        bn.weight.copy_(randn([bn.numFeatures]).mul(0.3).add(1));
      }
    }
  });
  return m;
}

const relativeDiff = (a: Tensor, b: Tensor) => tidy(() => a.sub(b).abs().max().item() / b.abs().max().item());

function load(arch: ResNetArch, state: Map<string, Tensor>): Module {
  const net = buildModel(arch).eval();
  net.loadStateDict(state);
  for (const t of state.values()) t.dispose();
  return net;
}

describe("channel pruning of a ResNet (library)", () => {
  const x = randn([32, 1, 28, 28]);

  it("at keep ratio 1 keeps every weight and reproduces the original output", () => {
    const m = model();
    const r = pruneResNet(ARCH, m, atRatios(ARCH, [1, 1, 1, 1]) as ResNetArch, x, CONFIG);
    assert.deepEqual(r.reports, []);
    assert.deepEqual(resnetChannels(r.arch), resnetChannels(ARCH));
    const pruned = load(r.arch, r.state);
    assert.ok(relativeDiff(pruned.forward(x), m.forward(x)) < 1e-6);
  });

  it("samples the originals of duplicated block-input channels and reconstructs conv1 exactly", () => {
    const m = model();
    const modules = new Map(m.namedModules());
    const stem = modules.get("conv1") as Conv2d;
    const bn = modules.get("bn1") as BatchNorm2d;
    const conv1 = modules.get("layer1.0.conv1") as Conv2d;
    noGrad(() => {
      stem.weight.narrow(0, 4, 4).copy_(stem.weight.narrow(0, 0, 4));
      for (const t of [bn.weight, bn.bias, bn.runningMean, bn.runningVar] as Tensor[])
        t.narrow(0, 4, 4).copy_(t.narrow(0, 0, 4));
      conv1.weight.narrow(1, 4, 4).copy_(conv1.weight.narrow(1, 0, 4).mul(0.5));
    });
    const ch = resnetChannels(ARCH);
    const inputs = resnetBlocks(ARCH).map((_, b) => (b === 0 ? [0, 1, 2, 3] : null));
    const target = validateArch({ ...ARCH, channels: { ...ch, inputs } }) as ResNetArch;
    const r = pruneResNet(ARCH, m, target, x, CONFIG);
    assert.deepEqual(resnetChannels(r.arch).inputs?.[0], [0, 1, 2, 3]);
    assert.deepEqual(
      r.reports.map((l) => [l.layer, l.channels, l.kept]),
      [["layer1.0.conv1", 8, 4]],
    );
    assert.ok((r.reports[0]?.reconstructedError ?? 1) < 1e-8, JSON.stringify(r.reports[0]));
    const pruned = load(r.arch, r.state);
    assert.ok(relativeDiff(pruned.forward(x), m.forward(x)) < 1e-4);
  });

  it("prunes 2x into a smaller network whose counts drop by the removed weights", () => {
    const m = model();
    const original = countArch(ARCH);
    const planned = widthsFor(ARCH, original.flops / 2, "speedup") as ResNetArch;
    const r = pruneResNet(ARCH, m, planned, x, CONFIG);
    const after = countArch(r.arch);
    assert.ok(after.flops <= original.flops / 2, `${after.flops} vs ${original.flops}`);
    // The removed conv1/bn1/conv2 weights, counted from the widths alone.
    const before = resnetChannels(ARCH);
    const now = resnetChannels(r.arch);
    const blocks = resnetBlocks(ARCH);
    let removed = 0;
    blocks.forEach(({ stage, inp }, b) => {
      const out = before.stages[stage] as number;
      const [mid, kept] = [before.mid[b] as number, now.mid[b] as number];
      const reads = now.inputs?.[b]?.length ?? inp;
      removed += 9 * (mid * inp - kept * reads) + 2 * (mid - kept) + 9 * out * (mid - kept);
    });
    assert.equal(original.params - after.params, removed);
    const pruned = load(r.arch, r.state);
    assert.equal(tracedCount(pruned, 1, 28).flops, after.flops);
    assert.equal(r.reports.length, 2 * blocks.length);
    for (const l of r.reports) assert.ok(l.reconstructedError < l.removedError, JSON.stringify(l));
    tidy(() => assert.deepEqual(pruned.forward(x).shape, [32, 10]));
  });
});
