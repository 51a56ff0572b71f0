// Channel pruning of a MobileNetV2 (src/prune/channel-mobilenet.ts): at keep ratio 1 nothing changes
// and the network's output is the original's bit for bit; when the projection convs of features.2 (no
// residual) and features.3 (residual) read hidden channels 12..23 with exactly zero weights, pruning
// those blocks to 12 hidden channels keeps channels 0..11 (their expansion filters are the original's)
// and the output is unchanged; a 2x-pruned net is a smaller architecture whose FLOPs (analytic counter
// = traced modules) and parameters drop by exactly what the removed hidden channels weigh, whose
// weights load, and whose every reconstruction beats plain removal; a width-multiplier MobileNetV2
// whose residual rule explicit widths would change is refused. From the shell, a trained tiny
// MobileNetV2 is pruned 2x with a stage profile, `lithe eval` and `lithe export` (ONNX Runtime check)
// read it, `lithe prune l1` gives the L1 baseline at the same FLOPs, and bad input (speed-up <= 1,
// beyond one channel per layer, weights of another network, a bad profile, a width multiplier the
// pruned widths cannot keep) gets one error line with nothing written.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { countArch } from "../../src/arch/count.js";
import {
  type MobileNetV2Arch,
  mobilenetV2Channels,
  mobilenetV2Units,
} from "../../src/arch/families/mobilenet-v2.js";
import { validateArch } from "../../src/arch/schema.js";
import { manualSeed, noGrad, randn, type Tensor, tidy } from "../../src/engine/index.js";
import { buildModel, tracedCount } from "../../src/models/index.js";
import type { BatchNorm2d, Conv2d, Module } from "../../src/nn/index.js";
import { pruneMobileNetV2 } from "../../src/prune/channel-mobilenet.js";
import { atRatios, prunable, widthsFor } from "../../src/prune/channel-widths.js";
import { fails, lithe } from "../cli/run-cli.js";
import { tempDir } from "../helpers.js";

const ARCH = validateArch({
  family: "mobilenet_v2",
  stem: "small",
  inputSize: 32,
  classes: 10,
  channels: { stem: 8, stages: [8, 8, 8, 16, 16, 16, 16], hidden: Array(16).fill(24), last: 32 },
}) as MobileNetV2Arch;
const CONFIG = { points: 10, lassoRows: 400, seed: 0 };

/** A model with non-trivial BN statistics. */
function model(): Module {
  manualSeed(7);
  const m = buildModel(ARCH).eval();
  noGrad(() => {
    for (const [, mod] of m.namedModules()) {
      const bn = mod as BatchNorm2d;
      if (bn.runningVar && bn.weight) {
        bn.runningVar.copy_(randn([bn.numFeatures]).abs().add(0.5));
        bn.weight.copy_(randn([bn.numFeatures]).mul(0.3).add(1));
        bn.bias?.copy_(randn([bn.numFeatures]).mul(0.1));
      }
    }
  });
  return m;
}

const relativeDiff = (a: Tensor, b: Tensor) => tidy(() => a.sub(b).abs().max().item() / b.abs().max().item());

function load(arch: MobileNetV2Arch, state: Map<string, Tensor>): Module {
  const net = buildModel(arch).eval();
  net.loadStateDict(state);
  for (const t of state.values()) t.dispose();
  return net;
}

const withHidden = (hidden: number[]) =>
  validateArch({ ...ARCH, channels: { ...mobilenetV2Channels(ARCH), hidden } }) as MobileNetV2Arch;

/** Seeded images, so the sampled points do not depend on the tests run before. */
function images(): Tensor {
  manualSeed(11);
  return randn([32, 3, 32, 32]);
}

describe("channel pruning of a MobileNetV2 (library)", () => {
  const x = images();

  it("at keep ratio 1 keeps every weight and gives the original output exactly", () => {
    const m = model();
    const r = pruneMobileNetV2(ARCH, m, atRatios(ARCH, [1, 1, 1, 1, 1, 1]) as MobileNetV2Arch, x, CONFIG);
    assert.deepEqual(r.reports, []);
    assert.deepEqual(mobilenetV2Channels(r.arch), mobilenetV2Channels(ARCH));
    const pruned = load(r.arch, r.state);
    tidy(() => assert.equal(pruned.forward(x).sub(m.forward(x)).abs().max().item(), 0));
  });

  it("drops hidden channels the projection reads with zero weights and leaves the output unchanged", () => {
    const m = model();
    const modules = new Map(m.namedModules());
    const expansions = ["features.2", "features.3"].map((b) =>
      (modules.get(`${b}.conv.0.0`) as Conv2d).weight.narrow(0, 0, 12).clone(),
    );
    noGrad(() => {
      for (const b of ["features.2", "features.3"])
        (modules.get(`${b}.conv.2`) as Conv2d).weight.narrow(1, 12, 12).zero_();
    });
    const target = withHidden([12, 12, ...Array(14).fill(24)]);
    assert.deepEqual(
      mobilenetV2Units(ARCH)
        .slice(1, 3)
        .map((u) => u.residual),
      [false, true],
    );
    const r = pruneMobileNetV2(ARCH, m, target, x, CONFIG);
    assert.deepEqual(
      r.reports.map((l) => [l.layer, l.channels, l.kept]),
      [
        ["features.2.conv.2", 24, 12],
        ["features.3.conv.2", 24, 12],
      ],
    );
    // Float32 rounding and the reconstruction's 1e-6 relative ridge leave ~1e-8.
    for (const l of r.reports) assert.ok(l.reconstructedError < 1e-6, JSON.stringify(l));
    ["features.2", "features.3"].forEach((b, i) => {
      const expansion = r.state.get(`${b}.conv.0.0.weight`) as Tensor;
      const diff = tidy(() =>
        expansion
          .sub(expansions[i] as Tensor)
          .abs()
          .max()
          .item(),
      );
      assert.equal(diff, 0, `${b} keeps expansion filters 0..11`);
    });
    const pruned = load(r.arch, r.state);
    assert.ok(relativeDiff(pruned.forward(x), m.forward(x)) < 1e-4);
  });

  it("prunes 2x into a smaller network whose counts drop by the removed hidden channels", () => {
    const m = model();
    const original = countArch(ARCH);
    const planned = widthsFor(ARCH, original.flops / 2, "speedup") as MobileNetV2Arch;
    const r = pruneMobileNetV2(ARCH, m, planned, x, CONFIG);
    const after = countArch(r.arch);
    assert.ok(after.flops <= original.flops / 2 && after.flops > original.flops / 3, `${after.flops}`);
    // Per hidden channel: an expansion filter (inp), BN (2), a depthwise filter (9), BN (2), a projection column (oup).
    const kept = mobilenetV2Units(r.arch);
    let removed = 0;
    mobilenetV2Units(ARCH).forEach((u, b) => {
      if (u.hidden !== null) removed += (u.hidden - (kept[b]?.hidden as number)) * (u.inp + 13 + u.oup);
    });
    assert.equal(original.params - after.params, removed);
    const pruned = load(r.arch, r.state);
    assert.equal(tracedCount(pruned, 3, 32).flops, after.flops);
    assert.equal(r.reports.length, 16);
    for (const l of r.reports) assert.ok(l.reconstructedError < l.removedError, JSON.stringify(l));
    tidy(() => assert.deepEqual(pruned.forward(x).shape, [32, 10]));
  });

  it("refuses a width multiplier whose residual rule explicit widths would change", () => {
    const narrow = validateArch({ family: "mobilenet_v2", width: 0.25 });
    assert.throws(() => prunable(narrow, "weights"), /at width 0.25 this MobileNetV2 adds a residual/);
    assert.equal(
      prunable(validateArch({ family: "mobilenet_v2", width: 0.5 }), "weights").family,
      "mobilenet_v2",
    );
  });
});

describe("lithe prune channels (MobileNetV2)", () => {
  const dir = tempDir("lithe-chanprune-mobilenet-");
  after(() => rmSync(dir, { recursive: true, force: true }));
  const data = "--data synthetic:128 --workers 0 --batch-size 32 --threads 1".split(" ");
  const archFile = join(dir, "arch.json");
  const run = join(dir, "run");
  const out = join(dir, "pruned");
  const weights = join(run, "model.safetensors");
  const prune = ["prune", "channels", "--weights", weights, ...data, "--images", "64"];

  it("prunes a trained MobileNetV2 2x; eval, export and the L1 baseline read it", () => {
    writeFileSync(archFile, JSON.stringify(ARCH));
    const t = lithe(["train", "--model", archFile, ...data, "--epochs", "1", "--out", run]);
    assert.equal(t.code, 0, t.stderr);
    const r = lithe([...prune, "--speedup", "2", "--stage-ratios", "1,1,1,0.5,0.5,0.5", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /features\.17\.conv\.2: \d+\/24 input channels, relative error/);
    const best = validateArch(JSON.parse(readFileSync(join(out, "best.json"), "utf8"))) as MobileNetV2Arch;
    assert.ok(countArch(best).flops <= countArch(ARCH).flops / 2);
    // The profile: stage 1 (features.2) keeps more of its hidden width than stage 6 (features.17).
    const hidden = mobilenetV2Channels(best).hidden;
    assert.ok((hidden[0] as number) > (hidden[15] as number), hidden.join(" "));
    const layers = readFileSync(join(out, "layers.jsonl"), "utf8").trim().split("\n");
    assert.equal(layers.length, 16);
    const e = lithe(["eval", "--weights", join(out, "model.safetensors"), ...data]);
    assert.equal(e.code, 0, e.stderr);
    const x = lithe(["export", "--weights", join(out, "model.safetensors"), "--out", join(dir, "p.onnx")]);
    assert.equal(x.code, 0, x.stderr);
    const l1 = join(dir, "l1");
    const p = lithe(["prune", "l1", "--weights", weights, "--like", join(out, "best.json"), "--out", l1]);
    assert.equal(p.code, 0, p.stderr);
    const l1Arch = validateArch(JSON.parse(readFileSync(join(l1, "best.json"), "utf8")));
    assert.equal(countArch(l1Arch).flops, countArch(best).flops);
    const e1 = lithe(["eval", "--weights", join(l1, "model.safetensors"), ...data]);
    assert.equal(e1.code, 0, e1.stderr);
  });

  it("refuses bad input with one line and writes nothing", () => {
    const bad = ["--out", join(dir, "bad")];
    fails([...prune, "--speedup", "1", ...bad], /--speedup must be above 1, got 1/);
    fails([...prune, "--speedup", "1000", ...bad], /--speedup: even one channel per prunable layer needs/);
    fails([...prune, "--speedup", "2", "--model", "mobilenet_v2_x0_5", ...bad], /does not fit/);
    fails(
      [...prune, "--speedup", "2", "--stage-ratios", "1,0.5,0.5,0.5", ...bad],
      /--stage-ratios needs 6 ratios/,
    );
    fails([...prune, "--flops", "1k", ...bad], /--flops: even one channel per prunable layer needs/);
    // A width multiplier whose residual rule the pruned (explicit) widths would change.
    const narrow = join(dir, "narrow.json");
    writeFileSync(
      narrow,
      JSON.stringify({ family: "mobilenet_v2", width: 0.25, stem: "small", inputSize: 32 }),
    );
    const n = lithe([
      "train",
      "--model",
      narrow,
      ...data,
      "--epochs",
      "1",
      "--steps",
      "1",
      "--out",
      join(dir, "narrow"),
    ]);
    assert.equal(n.code, 0, n.stderr);
    const narrowWeights = join(dir, "narrow", "model.safetensors");
    fails(
      ["prune", "channels", "--weights", narrowWeights, ...data, "--speedup", "2", ...bad],
      /--weights: at width 0.25 this MobileNetV2 adds a residual/,
    );
    assert.ok(!existsSync(join(dir, "bad")), "nothing written");
  });
});
