// ShuffleNet V1 family: registry, published FLOPs/params, official layer names and unit layout, small stem.
import assert from "node:assert/strict";
import { test } from "node:test";
import { countArch, planOf } from "../../src/arch/count.js";
import { SHUFFLENET_V1_MODELS, shufflenetV1Channels } from "../../src/arch/families/shufflenet-v1.js";
import type { LayerOp } from "../../src/arch/plan.js";
import { archOf, isFamily, validateArch } from "../../src/arch/schema.js";
import { listOps } from "../../src/arch/walk.js";

const GROUPS = [1, 2, 3, 4, 8] as const;
const WIDTHS = ["0_25", "0_5", "1_0", "1_5", "2_0"] as const;
const name = (g: number, w: string) => `shufflenet_v1_g${g}_x${w}`;

const opsOf = (model: string, overrides = {}): LayerOp[] => {
  const arch = archOf(model, overrides);
  return listOps(planOf(arch), { c: arch.inChannels, h: arch.inputSize, w: arch.inputSize }).ops;
};
const op = (ops: LayerOp[], n: string): LayerOp => {
  const found = ops.find((o) => o.name === n);
  assert.ok(found, `no op named ${n}`);
  return found;
};
const within = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= tol * expected,
    `${what}: ${actual} is not within ${tol * 100}% of ${expected}`,
  );

test("registry: shufflenet_v1_g{1,2,3,4,8}_x{0_25,0_5,1_0,1_5,2_0}, all valid", () => {
  const expected = GROUPS.flatMap((g) => WIDTHS.map((w) => name(g, w)));
  assert.deepEqual(Object.keys(SHUFFLENET_V1_MODELS).sort(), expected.sort());
  for (const g of GROUPS) {
    WIDTHS.forEach((w, i) => {
      const arch = archOf(name(g, w));
      assert.ok(isFamily(arch, "shufflenet_v1"));
      assert.deepEqual(
        [arch.family, arch.groups, arch.width],
        ["shufflenet_v1", g, [0.25, 0.5, 1, 1.5, 2][i]],
      );
    });
  }
});

// Official README (megvii-model/ShuffleNet-Series/ShuffleNetV1) = reference.md table, rounded;
// exact: the official network.py + blocks.py, run in PyTorch 1.13 (hooks on Conv2d/Linear for
// multiply-adds at 224x224, sum of p.numel() for params).
const OFFICIAL = [
  {
    model: "shufflenet_v1_g3_x2_0",
    flops: 524e6,
    params: 5.4e6,
    exactFlops: 524_045_184,
    exactParams: 5_449_776,
  },
  {
    model: "shufflenet_v1_g8_x2_0",
    flops: 522e6,
    params: 6.5e6,
    exactFlops: 521_942_016,
    exactParams: 6_521_232,
  },
  {
    model: "shufflenet_v1_g3_x1_5",
    flops: 292e6,
    params: 3.4e6,
    exactFlops: 292_443_552,
    exactParams: 3_441_168,
  },
  {
    model: "shufflenet_v1_g8_x1_5",
    flops: 290e6,
    params: 4.3e6,
    exactFlops: 290_188_800,
    exactParams: 4_268_952,
  },
  {
    model: "shufflenet_v1_g3_x1_0",
    flops: 138e6,
    params: 1.9e6,
    exactFlops: 137_460_672,
    exactParams: 1_864_728,
  },
  {
    model: "shufflenet_v1_g8_x1_0",
    flops: 138e6,
    params: 2.4e6,
    exactFlops: 138_365_952,
    exactParams: 2_433_768,
  },
  {
    model: "shufflenet_v1_g3_x0_5",
    flops: 38e6,
    params: 0.7e6,
    exactFlops: 37_589_856,
    exactParams: 717_324,
  },
  {
    model: "shufflenet_v1_g8_x0_5",
    flops: 40e6,
    params: 1.0e6,
    exactFlops: 40_469_760,
    exactParams: 1_010_448,
  },
];

test("official table: FLOPs within 2%, params within 3%, and exactly the official code's counts", () => {
  for (const r of OFFICIAL) {
    const c = countArch(archOf(r.model));
    within(c.flops, r.flops, 0.02, `${r.model} FLOPs`);
    within(c.params, r.params, 0.03, `${r.model} params`);
    assert.equal(c.flops, r.exactFlops, `${r.model} FLOPs vs official code`);
    assert.equal(c.params, r.exactParams, `${r.model} params vs official code`);
  }
});

test("channels: the official network.py widths, rounded to the groups elsewhere", () => {
  // [stem, stage2, stage3, stage4] of network.py's stage_out_channels (group 3 and group 8).
  assert.deepEqual(shufflenetV1Channels(0.5, 3), [12, 120, 240, 480]);
  assert.deepEqual(shufflenetV1Channels(1, 3), [24, 240, 480, 960]);
  assert.deepEqual(shufflenetV1Channels(1.5, 3), [24, 360, 720, 1440]);
  assert.deepEqual(shufflenetV1Channels(2, 3), [48, 480, 960, 1920]);
  assert.deepEqual(shufflenetV1Channels(0.5, 8), [16, 192, 384, 768]);
  assert.deepEqual(shufflenetV1Channels(1, 8), [24, 384, 768, 1536]);
  assert.deepEqual(shufflenetV1Channels(1.5, 8), [24, 576, 1152, 2304]);
  assert.deepEqual(shufflenetV1Channels(2, 8), [48, 768, 1536, 3072]);
  // Table 1 (1x) for the group counts the official code lacks.
  assert.deepEqual(shufflenetV1Channels(1, 1), [24, 144, 288, 576]);
  assert.deepEqual(shufflenetV1Channels(1, 2), [24, 200, 400, 800]);
  assert.deepEqual(shufflenetV1Channels(1, 4), [24, 272, 544, 1088]);
  for (const g of GROUPS) {
    for (const w of [0.25, 0.5, 1, 1.5, 2]) {
      const [stem, ...stages] = shufflenetV1Channels(w, g) as [number, ...number[]];
      assert.equal(stem % g, 0, `stem ${stem} at ${w}x g${g}`);
      for (const c of stages) assert.equal(c % (4 * g), 0, `stage width ${c} at ${w}x g${g}`);
    }
  }
});

test("paper Table 1: 1x complexity per group count within 2%", () => {
  // Zhang et al. 2018, Table 1: 143M, 140M, 137M, 133M, 137M for g = 1, 2, 3, 4, 8.
  const table1: Record<number, number> = { 1: 143e6, 2: 140e6, 3: 137e6, 4: 133e6, 8: 137e6 };
  for (const g of GROUPS)
    within(countArch(archOf(name(g, "1_0"))).flops, table1[g] as number, 0.02, `1.0x g${g}`);
});

// Paper Table 2 gives one complexity per row for all of g = 1..8 (1x 140M, 0.5x 38M, 0.25x 13M).
// Tolerance 10%: the number is one rounded level for five networks (Table 1's own 1x row spans
// 133-143M), the official 0.5x g8 model is 40.5M (+6.5%), and rounding widths to multiples of 4g
// moves g2/g4 at 0.5x by +7%; 10% still tells the stem rule apart (a 6-channel 0.25x stem gives
// 10.4-11.0M, -15% to -20%).
// Not matched: 0.25x g8 counts 15.7M (+21%): its stem must be a multiple of 8, and 16 channels (12
// rounded up, as the official code does at 0.5x g8) cost 5.4M in the 3x3 stem alone; with 8 it
// would be 12.4M. The paper does not give the 0.25x widths, so the official rule is kept.
test("paper Table 2 complexity levels for g = 1..8 within 10% (0.25x g8 excepted, see note)", () => {
  const levels: [string, number][] = [
    ["1_0", 140e6],
    ["0_5", 38e6],
    ["0_25", 13e6],
  ];
  for (const [w, level] of levels) {
    for (const g of GROUPS) {
      const flops = countArch(archOf(name(g, w))).flops;
      if (w === "0_25" && g === 8) assert.equal(flops, 15_719_040);
      else within(flops, level, 0.1, `${w}x g${g}`);
    }
  }
});

test("names: the official state-dict names (megvii network.py + blocks.py)", () => {
  const params = (ops: LayerOp[]) =>
    ops.flatMap((o) =>
      o.op === "conv" || o.op === "linear"
        ? [`${o.name}.weight`]
        : o.op === "bn"
          ? [`${o.name}.weight`, `${o.name}.bias`]
          : [],
    );
  const names = params(opsOf("shufflenet_v1_g3_x1_0"));
  // named_parameters() of the official ShuffleNetV1(group=3, model_size="1.0x"): 148 tensors.
  assert.equal(names.length, 148);
  assert.deepEqual(names.slice(0, 13), [
    "first_conv.0.weight",
    "first_conv.1.weight",
    "first_conv.1.bias",
    "features.0.branch_main_1.0.weight",
    "features.0.branch_main_1.1.weight",
    "features.0.branch_main_1.1.bias",
    "features.0.branch_main_1.3.weight",
    "features.0.branch_main_1.4.weight",
    "features.0.branch_main_1.4.bias",
    "features.0.branch_main_2.0.weight",
    "features.0.branch_main_2.1.weight",
    "features.0.branch_main_2.1.bias",
    "features.1.branch_main_1.0.weight",
  ]);
  assert.deepEqual(names.slice(-4), [
    "features.15.branch_main_2.0.weight",
    "features.15.branch_main_2.1.weight",
    "features.15.branch_main_2.1.bias",
    "classifier.0.weight",
  ]);
  assert.ok(
    names.every((n, i) => names.indexOf(n) === i),
    "names are unique",
  );
});

test("units: ungrouped first 1x1, shuffle only for g > 1 in megvii order, ReLU placement", () => {
  const ops = opsOf("shufflenet_v1_g3_x1_0");
  // First unit of stage 2: first 1x1 NOT grouped (24 input channels), second grouped.
  assert.equal(op(ops, "features.0.branch_main_1.0").attrs.groups, 1);
  assert.equal(op(ops, "features.0.branch_main_2.0").attrs.groups, 3);
  assert.equal(op(ops, "features.4.branch_main_1.0").attrs.groups, 3);
  // blocks.py channel_shuffle(x, 3) on mid = 60 channels = the paper's shuffle with 60/3 groups.
  assert.equal(op(ops, "features.0.channel_shuffle").attrs.groups, 20);
  // Stride 2: the main branch gives 240 - 24 channels, ReLU on it alone, then cat(avgpool(x), main).
  const unit0 = ops.filter((o) => o.name.startsWith("features.0.")).map((o) => `${o.name.slice(11)}:${o.op}`);
  assert.deepEqual(unit0.slice(-4), [
    "branch_main_2.1:bn",
    "act:act",
    "branch_proj:avgpool",
    "concat:concat",
  ]);
  assert.equal(op(ops, "features.0.branch_main_2.0").output.c, 216);
  assert.deepEqual(
    op(ops, "features.0.concat").inputs.map((s) => s.c),
    [24, 216],
  );
  // Stride 1: relu(main + x).
  const unit1 = ops.filter((o) => o.name.startsWith("features.1.")).map((o) => o.op);
  assert.deepEqual(unit1.slice(-3), ["bn", "add", "act"]);
  // g = 1: the official code skips the shuffle.
  assert.equal(opsOf("shufflenet_v1_g1_x1_0").filter((o) => o.op === "shuffle").length, 0);
  assert.equal(ops.filter((o) => o.op === "shuffle").length, 16);
  // Global pool and a bias-free classifier.
  assert.equal(op(ops, "globalpool").op, "gap");
  assert.deepEqual(op(ops, "classifier.0").attrs, { bias: false });
});

test("small stem: first_conv stride 1, no max-pool; every model decodes at 28 and 32 px", () => {
  const ops = opsOf("shufflenet_v1_g3_x1_0", { inputSize: 32, stem: "small", inChannels: 1, classes: 10 });
  assert.equal(op(ops, "first_conv.0").attrs.stride, 1);
  assert.equal(ops.filter((o) => o.op === "maxpool").length, 0);
  assert.deepEqual(op(ops, "features.0.branch_main_1.0").inputs[0], { c: 24, h: 32, w: 32 });
  assert.deepEqual(op(ops, "features.15.act").output, { c: 960, h: 4, w: 4 });
  for (const model of Object.keys(SHUFFLENET_V1_MODELS)) {
    for (const inputSize of [28, 32]) {
      for (const stem of ["standard", "small"] as const) {
        const arch = archOf(model, { inputSize, stem, classes: 10 });
        const { output } = listOps(planOf(arch), { c: 3, h: inputSize, w: inputSize });
        assert.deepEqual(output, { c: 10, h: 0, w: 0 }, `${model} ${stem} ${inputSize}px`);
      }
    }
  }
});

test("bad input: widths and group counts outside the paper are rejected by field", () => {
  assert.throws(() => validateArch({ family: "shufflenet_v1", width: 0.75, groups: 3 }), /field "width"/);
  assert.throws(() => validateArch({ family: "shufflenet_v1", width: 1, groups: 6 }), /field "groups"/);
  assert.throws(() => validateArch({ family: "shufflenet_v1", width: 1 }), /field "groups" is missing/);
});
