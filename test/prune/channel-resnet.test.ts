// Channel pruning of a ResNet (src/prune/channel-resnet.ts): at keep ratio 1 nothing changes and the
// network reproduces the original; when the block input has duplicated channels (the stem's filters
// 4..7 copy 0..3, read by layer1.0.conv1 with half the weights) the channel sampler keeps the
// originals and conv1 is reconstructed exactly, so the pruned net's logits equal the original's; a
// 2x-pruned net is a smaller architecture whose FLOPs (analytic counter = traced modules) and
// parameters drop by the amounts the removed weights give, whose weights load, and whose every
// reconstruction beats plain removal; from the shell, a trained tiny ResNet is pruned 2x with a
// stage profile, `lithe eval` and `lithe export` (ONNX Runtime check) read it, and `lithe prune l1`
// gives the L1 baseline at the same FLOPs.
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { countArch } from "../../src/arch/count.js";
import { type ResNetArch, resnetBlocks, resnetChannels } from "../../src/arch/families/resnet.js";
import { validateArch } from "../../src/arch/schema.js";
import { manualSeed, noGrad, randn, type Tensor, tidy } from "../../src/engine/index.js";
import { buildModel, tracedCount } from "../../src/models/index.js";
import type { BatchNorm2d, Conv2d, Module } from "../../src/nn/index.js";
import { pruneResNet } from "../../src/prune/channel-resnet.js";
import { atRatios, widthsFor } from "../../src/prune/channel-widths.js";
import { fails, lithe } from "../cli/run-cli.js";
import { tempDir } from "../helpers.js";

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

describe("lithe prune channels (ResNet)", () => {
  const dir = tempDir("lithe-chanprune-resnet-");
  after(() => rmSync(dir, { recursive: true, force: true }));
  const data = "--data synthetic:128 --workers 0 --batch-size 32 --threads 1".split(" ");
  const archFile = join(dir, "arch.json");
  const run = join(dir, "run");
  const out = join(dir, "pruned");
  const arch = { ...ARCH, inputSize: 32, inChannels: 3 };

  it("prunes a trained ResNet 2x; eval, export and the L1 baseline read it", () => {
    writeFileSync(archFile, JSON.stringify(arch));
    const t = lithe(["train", "--model", archFile, ...data, "--epochs", "1", "--out", run]);
    assert.equal(t.code, 0, t.stderr);
    const weights = join(run, "model.safetensors");
    const prune = ["prune", "channels", "--weights", weights, ...data, "--images", "64"];
    const r = lithe([...prune, "--speedup", "2", "--stage-ratios", "1,1,0.5,0.5", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /layer3\.0\.conv2: \d+\/16 input channels, relative error/);
    const best = validateArch(JSON.parse(readFileSync(join(out, "best.json"), "utf8"))) as ResNetArch;
    const original = countArch(validateArch(arch));
    assert.ok(countArch(best).flops <= original.flops / 2);
    // The profile: layer1 keeps more of its inner width than layer4.
    const mid = resnetChannels(best).mid;
    assert.ok((mid[0] as number) / 8 > (mid[7] as number) / 16, mid.join(" "));
    const e = lithe(["eval", "--weights", join(out, "model.safetensors"), ...data]);
    assert.equal(e.code, 0, e.stderr);
    const x = lithe(["export", "--weights", join(out, "model.safetensors"), "--out", join(dir, "p.onnx")]);
    assert.equal(x.code, 0, x.stderr);
    const l1 = lithe([
      "prune",
      "l1",
      "--weights",
      weights,
      "--like",
      join(out, "best.json"),
      "--out",
      join(dir, "l1"),
    ]);
    assert.equal(l1.code, 0, l1.stderr);
    const l1Arch = validateArch(JSON.parse(readFileSync(join(dir, "l1", "best.json"), "utf8")));
    assert.equal(countArch(l1Arch).flops, countArch(best).flops);
    const e1 = lithe(["eval", "--weights", join(dir, "l1", "model.safetensors"), ...data]);
    assert.equal(e1.code, 0, e1.stderr);
    fails(
      [...prune, "--speedup", "2", "--stage-ratios", "1,0.5", "--out", join(dir, "bad")],
      /--stage-ratios needs 4 ratios/,
    );
  });
});
