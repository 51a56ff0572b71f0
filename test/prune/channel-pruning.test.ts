// Channel pruning (src/prune/channel-pruning.ts, `lithe prune channels`): on a VGG whose conv0 has
// duplicated filters (so conv1's input channels 4..7 copy 0..3, read by conv1 with half the weights)
// the LASSO keeps the originals (the L1 optimum puts a collinear pair's weight on the larger column),
// least squares recovers conv1's outputs exactly (1.5x the kept weights), where plain removal leaves
// a known (0.5 / 1.5)^2 = 1/9 of the output energy as error; from the shell, a trained tiny VGG is pruned to 2x fewer FLOPs, every
// layer's reconstruction beats removal, `lithe eval` reads the result and `lithe train --init`
// fine-tunes it, `--widths paper` meets the target from a single-layer analysis whose errors fall
// with the kept channels; bad input gets one error line and nothing is written.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { countArch } from "../../src/arch/count.js";
import type { VggArch } from "../../src/arch/families/vgg.js";
import { validateArch } from "../../src/arch/schema.js";
import { manualSeed, noGrad, randn, tidy } from "../../src/engine/index.js";
import { buildModel } from "../../src/models/index.js";
import type { Conv2d } from "../../src/nn/index.js";
import { pruneChannels } from "../../src/prune/channel-pruning.js";
import { fails, lithe } from "../cli/run-cli.js";
import { tempDir } from "../helpers.js";

const ARCH = {
  family: "vgg",
  depth: 11,
  stem: "small",
  inputSize: 32,
  classes: 10,
  channels: [8, 8, 16, 16, 16, 16, 16, 16],
};

describe("channel pruning (library)", () => {
  it("keeps the originals of duplicated channels and reconstructs the outputs exactly", () => {
    const arch = validateArch(ARCH) as VggArch;
    const target = validateArch({ ...ARCH, channels: [4, ...ARCH.channels.slice(1)] }) as VggArch;
    manualSeed(3);
    const model = buildModel(arch).eval();
    const modules = new Map(model.namedModules());
    const conv0 = modules.get("features.0") as Conv2d;
    const conv1 = modules.get("features.3") as Conv2d;
    noGrad(() => {
      conv0.weight.narrow(0, 4, 4).copy_(conv0.weight.narrow(0, 0, 4));
      conv0.bias?.narrow(0, 4, 4).copy_(conv0.bias.narrow(0, 0, 4));
      conv1.weight.narrow(1, 4, 4).copy_(conv1.weight.narrow(1, 0, 4).mul(0.5));
    });
    const x = randn([48, 3, 32, 32]);
    const { state, reports } = pruneChannels(arch, model, target, x, { points: 10, lassoRows: 400, seed: 0 });
    assert.deepEqual(
      reports.map((r) => [r.layer, r.channels, r.kept]),
      [["features.3", 8, 4]],
    );
    const [r] = reports;
    assert.ok(
      Math.abs((r?.removedError ?? 0) - 1 / 9) < 1e-5,
      `removal error ${r?.removedError}, expected 1/9`,
    );
    assert.ok((r?.reconstructedError ?? 1) < 1e-8, `reconstruction error ${r?.reconstructedError}`);
    const pruned = buildModel(target).eval();
    pruned.loadStateDict(state);
    tidy(() => {
      const want = model.forward(x);
      const got = pruned.forward(x);
      const diff = got.sub(want).abs().max().item() / want.abs().max().item();
      assert.ok(diff < 1e-4, `pruned logits differ by ${diff} relative`);
    });
  });
});

describe("lithe prune channels", () => {
  const dir = tempDir("lithe-chanprune-");
  after(() => rmSync(dir, { recursive: true, force: true }));
  const data = "--data synthetic:256 --workers 0 --batch-size 32 --threads 1".split(" ");
  const run = join(dir, "run");
  const archFile = join(dir, "arch.json");
  const out = join(dir, "pruned");

  it("prunes a trained VGG to the speed-up, reconstructing better than removal; eval and fine-tuning read it", () => {
    writeFileSync(archFile, JSON.stringify({ ...ARCH, bn: true }));
    const t = lithe(["train", "--model", archFile, ...data, "--epochs", "1", "--out", run]);
    assert.equal(t.code, 0, t.stderr);
    const weights = join(run, "model.safetensors");
    const r = lithe([
      "prune",
      "channels",
      "--weights",
      weights,
      ...data,
      "--speedup",
      "2",
      "--images",
      "128",
      "--out",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /features\.4: \d+\/8 input channels, relative error/);
    const best = validateArch(JSON.parse(readFileSync(join(out, "best.json"), "utf8")));
    const original = countArch(validateArch({ ...ARCH, bn: true })).flops;
    const flops = countArch(best).flops;
    assert.ok(flops <= original / 2 && flops > original / 3, `${flops} FLOPs vs ${original}`);
    const layers = readFileSync(join(out, "layers.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(layers.length, ARCH.channels.length - 1);
    for (const l of layers) assert.ok(l.reconstructedError < l.removedError, JSON.stringify(l));

    const e = lithe(["eval", "--weights", join(out, "model.safetensors"), ...data]);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /top-1 [\d.]+%/);
    const f = lithe([
      "train",
      "--init",
      join(out, "model.safetensors"),
      "--model",
      join(out, "best.json"),
      ...data,
      "--epochs",
      "1",
      "--steps",
      "2",
      "--out",
      join(dir, "finetuned"),
    ]);
    assert.equal(f.code, 0, f.stderr);
    assert.ok(existsSync(join(dir, "finetuned", "model.safetensors")));
  });

  it("--widths paper plans from the single-layer analysis and meets the target", () => {
    const paper = join(dir, "paper");
    const r = lithe([
      "prune",
      "channels",
      "--weights",
      join(run, "model.safetensors"),
      ...data,
      "--speedup",
      "2",
      "--widths",
      "paper",
      "--images",
      "64",
      "--out",
      paper,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const best = validateArch(JSON.parse(readFileSync(join(paper, "best.json"), "utf8")));
    assert.ok(countArch(best).flops <= countArch(validateArch({ ...ARCH, bn: true })).flops / 2);
    const s = JSON.parse(readFileSync(join(paper, "sensitivity.json"), "utf8"));
    assert.deepEqual(s.keepRatios, [0.25, 0.5, 0.75]);
    assert.equal(s.errors.length, ARCH.channels.length - 1);
    // Each layer's single-layer error falls as it keeps more channels.
    for (const e of s.errors) assert.ok(e[0] > e[2], e.join(" "));
  });

  it("prune l1 writes the L1-norm baseline at the same widths, which eval reads", () => {
    const l1 = join(dir, "l1");
    const r = lithe([
      "prune",
      "l1",
      "--weights",
      join(run, "model.safetensors"),
      "--like",
      join(out, "best.json"),
      "--out",
      l1,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      JSON.parse(readFileSync(join(l1, "best.json"), "utf8")),
      JSON.parse(readFileSync(join(out, "best.json"), "utf8")),
    );
    const e = lithe(["eval", "--weights", join(l1, "model.safetensors"), ...data]);
    assert.equal(e.code, 0, e.stderr);
    const wider = join(dir, "wider.json");
    writeFileSync(wider, JSON.stringify({ ...ARCH, bn: true, channels: [16, ...ARCH.channels.slice(1)] }));
    fails(
      [
        "prune",
        "l1",
        "--weights",
        join(run, "model.safetensors"),
        "--like",
        wider,
        "--out",
        join(dir, "bad"),
      ],
      /--like .* is not the network of --weights with no wider layers/,
    );
  });

  it("refuses bad input with one line and writes nothing", () => {
    const weights = join(run, "model.safetensors");
    const base = ["prune", "channels", "--weights", weights, ...data, "--out", join(dir, "bad")];
    fails([...base, "--speedup", "1"], /--speedup must be above 1, got 1/);
    fails([...base, "--speedup", "1000"], /--speedup: even one channel per prunable layer needs/);
    fails([...base], /needs a target: --speedup or --flops/);
    fails(
      [...base, "--speedup", "2", "--widths", "paper", "--stage-ratios", "1,1,1,1,0.5"],
      /--stage-ratios sets the stage widths rule, not --widths paper/,
    );
    fails([...base, "--speedup", "2", "--widths", "official"], /--widths/);
    fails([...base, "--speedup", "2", "--model", "vgg13_bn"], /does not fit/);
    const mobilenet = join(dir, "mobilenet");
    const m = lithe([
      "train",
      "--model",
      "mobilenet_v1_x0_25",
      ...data,
      "--epochs",
      "1",
      "--steps",
      "1",
      "--out",
      mobilenet,
    ]);
    assert.equal(m.code, 0, m.stderr);
    fails(
      [
        "prune",
        "channels",
        "--weights",
        join(mobilenet, "model.safetensors"),
        ...data,
        "--speedup",
        "2",
        "--out",
        join(dir, "bad"),
      ],
      /prunes the vgg, resnet and mobilenet_v2 families, not mobilenet_v1/,
    );
    assert.ok(!existsSync(join(dir, "bad")), "nothing written");
  });
});
