// Explicit per-layer channel counts (`channels`, MetaPruning's pruned nets) for mobilenet_v1,
// mobilenet_v2 and resnet: the unpruned widths reproduce the registered models exactly, pruned nets
// count as a hand computation says, residual/downsample placement, building, and bad input.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countArch, planOf } from "../../src/arch/count.js";
import { parseArch, printArch } from "../../src/arch/format.js";
import { type Arch, archOf, validateArch } from "../../src/arch/schema.js";
import { listOps } from "../../src/arch/walk.js";
import { randn, tidy } from "../../src/engine/index.js";
import { buildModel, tracedOps } from "../../src/models/index.js";

const opsOf = (arch: Arch) =>
  listOps(planOf(arch), { c: arch.inChannels, h: arch.inputSize, w: arch.inputSize }).ops;
const opNames = (arch: Arch) => new Set(opsOf(arch).map((o) => o.name));

/** The width-1.0 widths, written out. */
const V1_BLOCKS = [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024];
const V2_STAGES = [16, 24, 32, 64, 96, 160, 320];
/** Input width of features.2 .. features.17. */
const V2_INPUTS = [16, 24, 24, 32, 32, 32, 64, 64, 64, 64, 96, 96, 96, 160, 160, 160];
const V2_CHANNELS = { stem: 32, stages: V2_STAGES, hidden: V2_INPUTS.map((c) => 6 * c), last: 1280 };
const R18_CHANNELS = { stem: 64, stages: [64, 128, 256, 512], mid: [64, 64, 128, 128, 256, 256, 512, 512] };
const R50_MID = [3, 4, 6, 3].flatMap((n, s) => Array<number>(n).fill(64 << s));
const R50_CHANNELS = { stem: 64, stages: [256, 512, 1024, 2048], mid: R50_MID };

/** A pruned ResNet-18, small stem at 28 px; stem 24 != 16 = stages[0], so layer1.0 gets a downsample. */
const PRUNED_R18 = {
  family: "resnet",
  depth: 18,
  stem: "small",
  inputSize: 28,
  classes: 10,
  channels: { stem: 24, stages: [16, 40, 72, 136], mid: [20, 12, 30, 44, 50, 60, 100, 120] },
};
/** A channel-pruned ResNet-18 whose blocks 0 and 2 sample their inputs (He et al. 2017 Sec. 3.3). */
const SAMPLED_R18 = {
  ...PRUNED_R18,
  channels: {
    ...PRUNED_R18.channels,
    inputs: [[0, 3, 5, 23], null, [1, 2, 15], null, null, null, null, null],
  },
};
/** A pruned MobileNetV1 at 32 px (MetaPruning keeps the last 1024). */
const PRUNED_V1 = {
  family: "mobilenet_v1",
  inputSize: 32,
  classes: 10,
  channels: { stem: 8, blocks: [16, 24, 24, 40, 48, 96, 80, 72, 64, 88, 100, 200, 1024] },
};
/** A pruned MobileNetV2 at 32 px whose stride-1 first blocks features.1 and features.11 have inp == oup. */
const PRUNED_V2 = {
  family: "mobilenet_v2",
  inputSize: 32,
  classes: 10,
  stem: "small",
  channels: {
    stem: 16,
    stages: [16, 24, 32, 48, 48, 96, 160],
    hidden: [48, 72, 100, 96, 150, 140, 200, 180, 190, 210, 250, 260, 240, 500, 480, 520],
    last: 1280,
  },
};

/** Sums of k*k*cin/groups*cout*h*w (FLOPs) and k*k*cin/groups*cout + 2*cout (conv + its BN) over rows. */
function handCount(
  rows: readonly (readonly [k: number, cin: number, cout: number, hw: number, groups?: number])[],
) {
  let flops = 0;
  let params = 0;
  for (const [k, cin, cout, hw, groups = 1] of rows) {
    flops += ((k * k * cin) / groups) * cout * hw * hw;
    params += ((k * k * cin) / groups) * cout + 2 * cout;
  }
  return { flops, params };
}

describe("channels: the unpruned widths give the registered model", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["mobilenet_v1_x1_0", { family: "mobilenet_v1", channels: { stem: 32, blocks: V1_BLOCKS } }],
    ["mobilenet_v2_x1_0", { family: "mobilenet_v2", channels: V2_CHANNELS }],
    ["resnet18", { family: "resnet", depth: 18, channels: R18_CHANNELS }],
    ["resnet50", { family: "resnet", depth: 50, channels: R50_CHANNELS }],
  ];
  for (const [model, description] of cases) {
    it(model, () => {
      for (const stem of ["standard", "small"] as const) {
        const explicit = validateArch({ ...description, stem });
        const registered = archOf(model, { stem });
        assert.deepEqual(planOf(explicit), planOf(registered), `${stem} stem: plan`);
        assert.deepEqual(countArch(explicit), countArch(registered), `${stem} stem: count`);
      }
    });
  }

  it("registered models keep torchvision's residual and downsample rules", () => {
    // mobilenet_v2: add exactly when the depthwise conv has stride 1 and the block keeps its width.
    for (const width of [0.35, 0.5, 0.75, 1, 1.4]) {
      const ops = opsOf(validateArch({ family: "mobilenet_v2", width }));
      for (let f = 1; f <= 17; f++) {
        const block = ops.filter((o) => o.name.startsWith(`features.${f}.`));
        const dw = block.find((o) => o.op === "conv" && o.attrs.groups !== 1);
        const last = block.filter((o) => o.op === "conv").at(-1);
        const torchvision = dw?.attrs.stride === 1 && block[0]?.inputs[0]?.c === last?.output.c;
        assert.equal(
          block.some((o) => o.op === "add"),
          torchvision,
          `x${width} features.${f}`,
        );
      }
    }
    // resnet: downsample exactly when the stride or the width changes.
    for (const model of ["resnet18", "resnet34", "resnet50", "resnet50_x0_75", "resnet50_x0_5"]) {
      const ops = opsOf(archOf(model));
      for (const add of ops.filter((o) => o.op === "add")) {
        const unit = add.name.slice(0, -".add".length);
        const first = ops.find((o) => o.name === `${unit}.conv1`);
        const changes = first?.attrs.stride !== 1 || first?.inputs[0]?.c !== add.output.c;
        assert.equal(
          ops.some((o) => o.name === `${unit}.downsample.0`),
          changes,
          `${model} ${unit}`,
        );
      }
    }
  });
});

describe("channels: pruned nets", () => {
  it("ResNet-18 FLOPs and params equal a hand count", () => {
    // [k, cin, cout, output size]: every conv is followed by a BN; small stem, 28 -> 28 -> 14 -> 7 -> 4.
    const convs = [
      [3, 3, 24, 28],
      ...[
        [3, 24, 20, 28],
        [3, 20, 16, 28],
        [1, 24, 16, 28],
      ],
      ...[
        [3, 16, 12, 28],
        [3, 12, 16, 28],
      ],
      ...[
        [3, 16, 30, 14],
        [3, 30, 40, 14],
        [1, 16, 40, 14],
      ],
      ...[
        [3, 40, 44, 14],
        [3, 44, 40, 14],
      ],
      ...[
        [3, 40, 50, 7],
        [3, 50, 72, 7],
        [1, 40, 72, 7],
      ],
      ...[
        [3, 72, 60, 7],
        [3, 60, 72, 7],
      ],
      ...[
        [3, 72, 100, 4],
        [3, 100, 136, 4],
        [1, 72, 136, 4],
      ],
      ...[
        [3, 136, 120, 4],
        [3, 120, 136, 4],
      ],
    ] as const;
    const hand = handCount(convs);
    const c = countArch(validateArch(PRUNED_R18));
    assert.equal(c.flops, hand.flops + 136 * 10);
    assert.equal(c.params, hand.params + 136 * 10 + 10);
  });

  it("MobileNetV1 FLOPs and params equal a hand count", () => {
    const { stem, blocks } = PRUNED_V1.channels;
    // Output size of feature.1 .. feature.13 at 32 px (the stem halves 32 to 16; Table 1 strides).
    const sizes = [16, 8, 8, 4, 4, 2, 2, 2, 2, 2, 2, 1, 1];
    const inputs = [stem, ...blocks.slice(0, -1)];
    const convs = blocks.flatMap((cout, i) => {
      const cin = inputs[i] as number;
      const hw = sizes[i] as number;
      return [[3, cin, cin, hw, cin] as const, [1, cin, cout, hw] as const];
    });
    const hand = handCount([[3, 3, stem, 16], ...convs]);
    const c = countArch(validateArch(PRUNED_V1));
    assert.equal(c.flops, hand.flops + 1024 * 10);
    assert.equal(c.params, hand.params + 1024 * 10 + 10);
  });

  it("mobilenet_v2: a stage's first block has no residual even when inp == oup", () => {
    const names = opNames(validateArch(PRUNED_V2));
    for (const f of [1, 11]) assert.ok(!names.has(`features.${f}.add`), `features.${f}`);
    for (const f of [3, 12, 13]) assert.ok(names.has(`features.${f}.add`), `features.${f}`);
    const ops = opsOf(validateArch(PRUNED_V2));
    const dw1 = ops.find((o) => o.name === "features.1.conv.0.0");
    assert.deepEqual([dw1?.attrs.groups, dw1?.output.c], [16, 16], "features.1: depthwise on the stem width");
    const expand2 = ops.find((o) => o.name === "features.2.conv.0.0");
    assert.deepEqual([expand2?.attrs.k, expand2?.output.c], [1, 48], "features.2: expansion to hidden[0]");
  });

  it("resnet: a Bottleneck's first block always has a downsample", () => {
    const names = opNames(
      validateArch({
        family: "resnet",
        depth: 50,
        channels: { stem: 64, stages: [64, 64, 128, 256], mid: R50_MID.map((c) => c / 2) },
      }),
    );
    for (let s = 1; s <= 4; s++) {
      assert.ok(names.has(`layer${s}.0.downsample.0`), `layer${s}.0`);
      assert.ok(!names.has(`layer${s}.1.downsample.0`), `layer${s}.1`);
    }
  });

  it("resnet: BasicBlock layer1.0 has a downsample exactly when stem != stages[0]", () => {
    assert.ok(opNames(validateArch(PRUNED_R18)).has("layer1.0.downsample.0"));
    const same = { ...PRUNED_R18, channels: { ...PRUNED_R18.channels, stem: 16 } };
    assert.ok(!opNames(validateArch(same)).has("layer1.0.downsample.0"));
  });

  for (const description of [PRUNED_V1, PRUNED_V2, PRUNED_R18, SAMPLED_R18]) {
    it(`${description.family}: builds, runs forward and has countArch's parameters`, () => {
      const arch = validateArch(description);
      assert.deepEqual(parseArch(printArch(arch)), arch, "string round trip");
      const model = buildModel(arch);
      const traced = tracedOps(model, arch.inChannels, arch.inputSize);
      assert.deepEqual(traced, opsOf(arch), "traced ops == analytic ops");
      assert.equal(
        model.parameters().reduce((s, p) => s + p.numel, 0),
        countArch(arch).params,
      );
      tidy(() => {
        const logits = model.forward(randn([2, arch.inChannels, arch.inputSize, arch.inputSize]));
        assert.deepEqual(logits.shape, [2, arch.classes]);
        assert.ok(Number.isFinite(logits.sum().item()), "finite logits");
      });
      for (const t of model.stateDict().values()) t.dispose();
    });
  }
});

describe("channels: bad input is refused naming the field", () => {
  const v1 = (channels: unknown) => ({ family: "mobilenet_v1", channels });
  const v2 = (patch: Record<string, unknown>) => ({
    family: "mobilenet_v2",
    channels: { ...V2_CHANNELS, ...patch },
  });
  const r50 = (patch: Record<string, unknown>) => ({
    family: "resnet",
    depth: 50,
    channels: { ...R50_CHANNELS, ...patch },
  });
  const cases: [string, unknown, RegExp][] = [
    [
      "v1 blocks too short",
      v1({ stem: 32, blocks: V1_BLOCKS.slice(1) }),
      /field "channels\.blocks" is \[.*\]: MobileNetV1 has 13 blocks/,
    ],
    ["v1 stem 0", v1({ stem: 0, blocks: V1_BLOCKS }), /field "channels\.stem" is 0: .*>=1/],
    [
      "v1 non-integer",
      v1({ stem: 32, blocks: V1_BLOCKS.map((c, i) => (i === 3 ? 12.5 : c)) }),
      /field "channels\.blocks\.3" is 12\.5: .*int/,
    ],
    ["v1 missing blocks", v1({ stem: 32 }), /field "channels\.blocks" is missing/],
    ["v1 not an object", v1([32, 64]), /field "channels" is \[32,64\]/],
    ["v1 unknown key", v1({ stem: 32, blocks: V1_BLOCKS, last: 1024 }), /unknown field "channels.last"/],
    [
      "v2 stages",
      v2({ stages: V2_STAGES.slice(1) }),
      /field "channels\.stages" is .*MobileNetV2 has 7 stages/,
    ],
    [
      "v2 hidden",
      v2({ hidden: [1, ...V2_CHANNELS.hidden] }),
      /field "channels\.hidden" is .*MobileNetV2 has 16 expanding blocks/,
    ],
    ["v2 last 0", v2({ last: 0 }), /field "channels\.last" is 0/],
    [
      "v2 hidden -3",
      v2({ hidden: [-3, ...V2_CHANNELS.hidden.slice(1)] }),
      /field "channels\.hidden\.0" is -3/,
    ],
    [
      "resnet50 mid",
      r50({ mid: R50_MID.slice(1) }),
      /field "channels\.mid" is \[.*\]: ResNet-50 has 16 blocks, got 15/,
    ],
    [
      "resnet18 given resnet50's mid",
      { family: "resnet", depth: 18, channels: { ...R18_CHANNELS, mid: R50_MID } },
      /field "channels\.mid" is .*ResNet-18 has 8 blocks, got 16/,
    ],
    ["resnet stages", r50({ stages: [256, 512, 1024] }), /field "channels\.stages" is .*ResNet has 4 stages/],
    ["resnet mid 0.5", r50({ mid: [0.5, ...R50_MID.slice(1)] }), /field "channels\.mid\.0" is 0\.5/],
  ];
  for (const [what, input, message] of cases) {
    it(what, () => {
      assert.throws(() => validateArch(input), message);
    });
  }
});
