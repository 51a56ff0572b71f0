// SPOS search space, OneShot and ShuffleNetV2+ families, and the fast genotype counter: published
// FLOPs/params, the official code's names and exact counts, counter == countArch, the official tuple
// format, and schema rejections that name the offending label and value.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Cost } from "../../src/arch/cost.js";
import { countArch, planOf } from "../../src/arch/count.js";
import { ONESHOT_MODELS } from "../../src/arch/families/oneshot.js";
import { SHUFFLENET_V2_PLUS_MODELS } from "../../src/arch/families/shufflenet-v2-plus.js";
import type { Genotype } from "../../src/arch/genotype.js";
import { makeGenotypeCounter } from "../../src/arch/genotype-counter.js";
import { type Arch, archOf, familyDef, isFamily, validateArch } from "../../src/arch/schema.js";
import {
  fromOfficial,
  midChannels,
  positions,
  randomGenotype,
  SPOS_IMAGENET,
  toOfficial,
} from "../../src/arch/spaces/spos.js";
import { listOps } from "../../src/arch/walk.js";
import { Random } from "../../src/util/random.js";

const M = 1e6;

const opsOf = (a: Arch) => listOps(planOf(a), { c: a.inChannels, h: a.inputSize, w: a.inputSize }).ops;

/** Learnable tensors and their shapes, named as the built module's state dict. */
function paramShapes(a: Arch): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const o of opsOf(a)) {
    const cin = o.inputs[0]?.c ?? 0;
    if (o.op === "conv") {
      const { groups, k } = o.attrs as { groups: number; k: number };
      shapes[`${o.name}.weight`] = [o.output.c, cin / groups, k, k];
    } else if (o.op === "bn" && o.attrs.affine) {
      shapes[`${o.name}.weight`] = [cin];
      shapes[`${o.name}.bias`] = [cin];
    } else if (o.op === "linear") {
      shapes[`${o.name}.weight`] = [o.output.c, cin];
    }
  }
  return shapes;
}

const costOf = (c: Cost): Cost => ({
  flops: c.flops,
  ops: c.ops,
  params: c.params,
  mac: c.mac,
  activations: c.activations,
});

/** The genotype of a registered oneshot model. */
function genotypeOf(model: string): Genotype {
  const a = archOf(model);
  assert.ok(isFamily(a, "oneshot"), model);
  return a.genotype;
}

const oneshotArch = (genotype: Genotype, overrides: Record<string, unknown> = {}) =>
  validateArch({ family: "oneshot", space: SPOS_IMAGENET.name, genotype, ...overrides });

/**
 * published: SPOS paper Table 3 / SinglePathOneShot README (OneShot), ShuffleNet-Series README (V2+).
 * exact: conv + linear multiply-adds (forward hooks) and sum(p.numel()) of a PyTorch 1.13 rebuild of the
 * official network.py/blocks.py at 224x224, 1000 classes; tensors: its learnable state-dict entries.
 */
const MODELS = [
  { model: "oneshot_block_channel", flops: 328, params: 3.4, exact: [327_857_920, 3_432_579], tensors: 229 },
  { model: "oneshot_block", flops: 323, params: 3.5, exact: [322_918_720, 3_558_464], tensors: 247 },
  {
    model: "shufflenet_v2_plus_small",
    flops: 156,
    params: 5.1,
    exact: [155_845_008, 5_137_116],
    tensors: 282,
  },
  {
    model: "shufflenet_v2_plus_medium",
    flops: 222,
    params: 5.6,
    exact: [222_249_984, 5_679_840],
    tensors: 282,
  },
  {
    model: "shufflenet_v2_plus_large",
    flops: 360,
    params: 6.7,
    exact: [360_050_704, 6_768_220],
    tensors: 282,
  },
];

const random = new Random(20201127);

describe("oneshot and shufflenet_v2_plus: published and official numbers", () => {
  it("registers the five models", () => {
    assert.deepEqual(
      [...Object.keys(ONESHOT_MODELS), ...Object.keys(SHUFFLENET_V2_PLUS_MODELS)].sort(),
      MODELS.map((m) => m.model).sort(),
    );
  });

  for (const m of MODELS) {
    it(`${m.model}: ${m.flops}M FLOPs (2%), ${m.params}M params (3%), the official code's exact counts`, () => {
      const a = archOf(m.model);
      const c = countArch(a);
      assert.ok(Math.abs(c.flops / (m.flops * M) - 1) <= 0.02, `FLOPs ${c.flops} vs published ${m.flops}M`);
      assert.ok(
        Math.abs(c.params / (m.params * M) - 1) <= 0.03,
        `params ${c.params} vs published ${m.params}M`,
      );
      assert.deepEqual([c.flops, c.params], m.exact);
      assert.equal(Object.keys(paramShapes(a)).length, m.tensors);
      assert.equal(familyDef(a).init, "megvii");
    });
  }
});

describe("oneshot and shufflenet_v2_plus: official layout and names", () => {
  it("oneshot_block_channel: first_conv, branch_proj/branch_main, Xception, head (official state dict)", () => {
    const s = paramShapes(archOf("oneshot_block_channel"));
    // block_1 = shuffle3x3 at scale 1.4: mid = int(32 * 1.4) = 44, stride 2 from 16 channels.
    assert.deepEqual(s["first_conv.0.weight"], [16, 3, 3, 3]);
    assert.deepEqual(s["features.0.branch_main.0.weight"], [44, 16, 1, 1]);
    assert.deepEqual(s["features.0.branch_main.3.weight"], [44, 1, 3, 3]);
    assert.deepEqual(s["features.0.branch_main.5.weight"], [48, 44, 1, 1]);
    assert.deepEqual(s["features.0.branch_proj.0.weight"], [16, 1, 3, 3]);
    assert.deepEqual(s["features.0.branch_proj.2.weight"], [16, 16, 1, 1]);
    // block_3 = xception at scale 0.8: mid = int(32 * 0.8) = 25; the last pair is branch_main.10-13.
    assert.deepEqual(s["features.2.branch_main.10.weight"], [25, 1, 3, 3]);
    assert.deepEqual(s["features.2.branch_main.12.weight"], [32, 25, 1, 1]);
    assert.deepEqual(s["conv_last.0.weight"], [1024, 640, 1, 1]);
    assert.deepEqual(s["classifier.0.weight"], [1000, 1024]);
    assert.equal(s["classifier.0.bias"], undefined);
  });

  it("oneshot units split even/odd channels at stride 1 and stride only the first Xception dw", () => {
    const ops = opsOf(archOf("oneshot_block_channel"));
    const split = ops.find((o) => o.name === "features.1.split");
    assert.deepEqual(split?.attrs, { copy: true });
    const strides = ops.filter(
      (o) => o.op === "conv" && /^features\.8\.branch_main\.\d+$/.test(o.name) && o.attrs.k === 7,
    );
    assert.deepEqual(
      strides.map((o) => o.attrs.stride),
      [2],
    );
    const g = { ...genotypeOf("oneshot_block_channel"), block_1: "xception" };
    const dw = opsOf(oneshotArch(g)).filter((o) => /^features\.0\.branch_main\.(0|5|10)$/.test(o.name));
    assert.deepEqual(
      dw.map((o) => [o.attrs.k, o.attrs.stride]),
      [
        [3, 2],
        [3, 1],
        [3, 1],
      ],
    );
  });

  it("shufflenet_v2_plus_large: SE in stages 3-4, LastSE, fc + hswish, classifier (official state dict)", () => {
    const a = archOf("shufflenet_v2_plus_large");
    const s = paramShapes(a);
    assert.deepEqual(s["features.0.branch_main.5.weight"], [52, 34, 1, 1]);
    assert.deepEqual(s["features.8.branch_main.8.SE_opr.1.weight"], [42, 168, 1, 1]);
    assert.deepEqual(s["features.8.branch_main.8.SE_opr.4.weight"], [168, 42, 1, 1]);
    assert.deepEqual(s["LastSE.SE_opr.1.weight"], [320, 1280, 1, 1]);
    assert.deepEqual(s["LastSE.SE_opr.4.weight"], [1280, 320, 1, 1]);
    assert.deepEqual(s["fc.0.weight"], [1280, 1280]);
    assert.deepEqual(s["classifier.0.weight"], [1000, 1280]);
    const ops = opsOf(a);
    const acts = (re: RegExp) => [
      ...new Set(ops.filter((o) => o.op === "act" && re.test(o.name)).map((o) => o.attrs.fn)),
    ];
    assert.deepEqual(acts(/^first_conv\./), ["hswish"]);
    assert.deepEqual(acts(/^features\.[0-3]\.branch_(main|proj)\.\d+$/), ["relu"]);
    assert.deepEqual(acts(/^features\.([4-9]|1\d)\.branch_(main|proj)\.\d+$/), ["hswish"]);
    assert.deepEqual(acts(/\.SE_opr\.\d+$/), ["relu"]);
    assert.deepEqual(acts(/^(features\.\d+\.branch_main\.\d+|LastSE)\.act$/), ["hsigmoid"]);
    const se = new Set(
      ops
        .filter((o) => o.name.startsWith("features.") && o.name.includes(".SE_opr."))
        .map((o) => o.name.split(".")[1]),
    );
    assert.deepEqual([...se].map(Number), [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    assert.deepEqual(
      ops.slice(-7).map((o) => `${o.name}:${o.op}`),
      [
        "LastSE.act:act",
        "LastSE.mul:mul",
        "flatten:flatten",
        "fc.0:linear",
        "fc.1:act",
        "dropout:dropout",
        "classifier.0:linear",
      ],
    );
  });

  it("any input size >= 28 and the small stem decode to a valid plan", () => {
    for (const model of MODELS.map((m) => m.model)) {
      for (const inputSize of [28, 32, 33, 97, 224]) {
        for (const stem of ["standard", "small"] as const) {
          const a = archOf(model, { inputSize, stem, classes: 10 });
          const { output } = listOps(planOf(a), { c: a.inChannels, h: inputSize, w: inputSize });
          assert.deepEqual(output, { c: 10, h: 0, w: 0 }, `${model} ${inputSize} ${stem}`);
        }
      }
    }
    // The small stem only drops first_conv's stride: 32x32 reaches features.0 at 32x32.
    const first = opsOf(archOf("oneshot_block", { inputSize: 32, stem: "small" })).find(
      (o) => o.name === "features.0.branch_proj.0",
    );
    assert.deepEqual(first?.inputs[0], { c: 16, h: 32, w: 32 });
  });
});

describe("spos_imagenet space", () => {
  it("declares 20 positions, stride 2 first in each stage, official mid rounding", () => {
    const ps = positions(SPOS_IMAGENET);
    assert.equal(ps.length, 20);
    assert.deepEqual(
      ps.filter((p) => p.stride === 2).map((p) => [p.block, p.inp, p.out]),
      [
        ["block_1", 16, 64],
        ["block_5", 64, 160],
        ["block_9", 160, 320],
        ["block_17", 320, 640],
      ],
    );
    // int(outp // 2 * scale) with the official literals: int(80 * 0.6) = 48, int(32 * 0.2) = 6, int(160 * 1.4) = 224.
    assert.deepEqual([midChannels(160, 0.6), midChannels(64, 0.2), midChannels(320, 1.4)], [48, 6, 224]);
  });

  it("reads the official tuples and writes them back", () => {
    const blockIds = [0, 0, 3, 1, 1, 1, 0, 0, 2, 0, 2, 1, 1, 0, 2, 0, 2, 1, 3, 2];
    const scaleIds = [6, 5, 3, 5, 2, 6, 3, 4, 2, 5, 7, 5, 4, 6, 7, 4, 4, 5, 4, 3];
    const g = fromOfficial(SPOS_IMAGENET, blockIds, scaleIds);
    assert.equal(g.block_3, "xception");
    assert.equal(g.mid_3, 0.8);
    assert.equal(g.block_9, "shuffle7x7");
    assert.equal(g.mid_11, 1.6);
    assert.deepEqual(toOfficial(SPOS_IMAGENET, g), { blockIds, scaleIds });
    // Without scale ids the mids stay unset (1.0, official id 4).
    const blocksOnly = fromOfficial(SPOS_IMAGENET, blockIds);
    assert.equal(blocksOnly.mid_1, undefined);
    assert.deepEqual(toOfficial(SPOS_IMAGENET, blocksOnly).scaleIds, Array(20).fill(4));
    const r = randomGenotype(SPOS_IMAGENET, random);
    const t = toOfficial(SPOS_IMAGENET, r);
    assert.deepEqual(fromOfficial(SPOS_IMAGENET, t.blockIds, t.scaleIds), r);
  });

  it("rejects malformed official tuples", () => {
    assert.throws(() => fromOfficial(SPOS_IMAGENET, [0, 1, 2]), /expected 20 block ids, got 3/);
    assert.throws(
      () => fromOfficial(SPOS_IMAGENET, [...Array(19).fill(0), 4]),
      /block id 4 at position 19 is not in 0\.\.3/,
    );
    assert.throws(
      () => fromOfficial(SPOS_IMAGENET, Array(20).fill(0), [...Array(19).fill(0), 8]),
      /channel-scale id 8 at position 19 is not in 0\.\.7/,
    );
  });
});

describe("oneshot schema", () => {
  const base = genotypeOf("oneshot_block_channel");
  const rejects = (input: unknown, pattern: RegExp) => assert.throws(() => validateArch(input), pattern);
  const arch = (genotype: unknown, extra = {}) => ({
    family: "oneshot",
    space: "spos_imagenet",
    genotype,
    ...extra,
  });

  it("rejects an unknown choice label, naming label and value", () => {
    rejects(
      arch({ ...base, block_7: "shuffle9x9" }),
      /"genotype\.block_7" is "shuffle9x9": expected a block of spos_imagenet/,
    );
  });

  it("rejects a scale outside the set, naming label and value", () => {
    rejects(
      arch({ ...base, mid_4: 0.7 }),
      /"genotype\.mid_4" is 0\.7: expected a channel scale of spos_imagenet/,
    );
    rejects(arch({ ...base, mid_4: "0.8" }), /"genotype\.mid_4" is "0\.8": expected a channel scale/);
  });

  it("rejects a missing block label and an unknown label", () => {
    const { block_12: _, ...missing } = base;
    rejects(arch(missing), /"genotype\.block_12" is missing: expected a block of spos_imagenet/);
    rejects(
      arch({ ...base, block_21: "xception" }),
      /"genotype\.block_21" is "xception": spos_imagenet has no such label/,
    );
  });

  it("rejects an unknown space", () => {
    rejects(arch(base, { space: "spos_nowhere" }), /field "space" is "spos_nowhere"/);
    rejects({ family: "shufflenet_v2_plus", size: "huge" }, /field "size" is "huge"/);
  });

  it("treats a missing mid label as 1.0", () => {
    const blocks = fromOfficial(SPOS_IMAGENET, toOfficial(SPOS_IMAGENET, base).blockIds);
    const explicit = Object.fromEntries(positions(SPOS_IMAGENET).map((p) => [p.mid, 1.0]));
    assert.deepEqual(
      costOf(countArch(oneshotArch(blocks))),
      costOf(countArch(oneshotArch({ ...blocks, ...explicit }))),
    );
  });
});

describe("genotype counter", () => {
  const settings = [{}, { inputSize: 32, stem: "small" as const, classes: 10, inChannels: 1 }];
  for (const common of settings) {
    it(`equals countArch exactly on 200 random genotypes (${JSON.stringify(common)})`, () => {
      const counter = makeGenotypeCounter(SPOS_IMAGENET, common);
      for (let i = 0; i < 200; i++) {
        const g = randomGenotype(SPOS_IMAGENET, random);
        assert.deepEqual(counter(g), costOf(countArch(oneshotArch(g, common))), JSON.stringify(g));
      }
    });
  }

  it("prices the registered models and unset mids as countArch does", () => {
    const counter = makeGenotypeCounter(SPOS_IMAGENET);
    for (const model of Object.keys(ONESHOT_MODELS)) {
      assert.deepEqual(counter(genotypeOf(model)), costOf(countArch(archOf(model))), model);
    }
  });

  it("refuses labels it cannot price", () => {
    const counter = makeGenotypeCounter(SPOS_IMAGENET);
    const g = randomGenotype(SPOS_IMAGENET, random);
    assert.throws(() => counter({ ...g, block_5: "conv3x3" }), /"block_5" is "conv3x3", not a block/);
    assert.throws(() => counter({ ...g, mid_5: 0.5 }), /"mid_5" is 0\.5, not a channel scale/);
  });
});
