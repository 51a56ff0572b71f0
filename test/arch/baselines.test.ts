// The baseline families MetaPruning and channel pruning prune (MobileNetV1/V2, ResNet, VGG): published FLOPs and params,
// torchvision's exact parameter counts and state-dict names, small stems and schema bounds.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { countArch, planOf } from "../../src/arch/count.js";
import { type Arch, archOf, familyDef, listModels, validateArch } from "../../src/arch/schema.js";
import { listOps } from "../../src/arch/walk.js";
import { fixturePath } from "../helpers.js";

const BASELINE = /^(mobilenet_v1|mobilenet_v2|resnet)/;
const M = 1e6;
const G = 1e9;

interface Published {
  model: string;
  flops: number;
  params?: number;
  source: string;
  /** Wider relative tolerances where the published figure's rounding alone exceeds 2% / 3%. */
  tol?: { flops?: number; params?: number; why: string };
}

const PUBLISHED: Published[] = [
  // Howard et al. 2017, Table 6 (also MetaPruning's uniform baselines).
  { model: "mobilenet_v1_x1_0", flops: 569 * M, params: 4.2 * M, source: "MobileNetV1 Table 6" },
  { model: "mobilenet_v1_x0_75", flops: 325 * M, params: 2.6 * M, source: "MobileNetV1 Table 6" },
  { model: "mobilenet_v1_x0_5", flops: 149 * M, params: 1.3 * M, source: "MobileNetV1 Table 6" },
  {
    model: "mobilenet_v1_x0_25",
    flops: 41 * M,
    params: 0.5 * M,
    source: "MobileNetV1 Table 6",
    tol: { params: 0.1, why: "printed with one decimal: 0.47M shows as 0.5M" },
  },
  {
    model: "mobilenet_v2_x1_0",
    flops: 300 * M,
    params: 3.4 * M,
    source: "MobileNetV2 Table 4",
    tol: {
      params: 0.04,
      why: "3.4M is TF's 3.47M conv/FC weights cut to one decimal; torchvision adds 34,112 BN",
    },
  },
  { model: "mobilenet_v2_x1_4", flops: 585 * M, source: "MobileNetV2 Table 4" },
  // tensorflow/models research/slim/nets/mobilenet/README.md (MACs of the released checkpoints).
  { model: "mobilenet_v2_x0_75", flops: 209 * M, source: "TF-slim MobileNetV2 README" },
  { model: "mobilenet_v2_x0_5", flops: 97 * M, source: "TF-slim MobileNetV2 README" },
  { model: "mobilenet_v2_x0_35", flops: 59 * M, source: "TF-slim MobileNetV2 README" },
  // He et al. 2016, Table 1 (18/34); 4.1G is ResNet-50 v1.5 as in torchvision and MetaPruning (the
  // paper's 3.8G puts the stride on the first 1x1).
  { model: "resnet18", flops: 1.8 * G, params: 11.7 * M, source: "ResNet Table 1" },
  { model: "resnet34", flops: 3.6 * G, params: 21.8 * M, source: "ResNet Table 1" },
  { model: "resnet50", flops: 4.1 * G, params: 25.6 * M, source: "MetaPruning ResNet-50 table" },
  { model: "resnet50_x0_75", flops: 2.3 * G, source: "MetaPruning uniform baseline" },
  {
    model: "resnet50_x0_5",
    flops: 1.1 * G,
    source: "MetaPruning uniform baseline",
    tol: { flops: 0.05, why: "printed with one decimal: 1.05G shows as 1.1G" },
  },
];

/** torchvision 0.14 models, 1000 classes: sum(p.numel() for p in model.parameters()) (see scripts/gen-torchvision-keys.py). */
const TORCHVISION_PARAMS: Record<string, number> = {
  mobilenet_v2_x0_35: 1_677_128,
  mobilenet_v2_x0_5: 1_968_680,
  mobilenet_v2_x0_75: 2_636_424,
  mobilenet_v2_x1_0: 3_504_872,
  mobilenet_v2_x1_4: 6_108_776,
  resnet18: 11_689_512,
  resnet34: 21_797_672,
  resnet50: 25_557_032,
  vgg11: 132_863_336,
  vgg11_bn: 132_868_840,
  vgg13: 133_047_848,
  vgg13_bn: 133_053_736,
  vgg16: 138_357_544,
  vgg16_bn: 138_365_992,
  vgg19: 143_667_240,
  vgg19_bn: 143_678_248,
};

function assertNear(what: string, actual: number, expected: number, rtol: number, why = "") {
  const rel = Math.abs(actual - expected) / expected;
  assert.ok(
    rel <= rtol,
    `${what}: ${actual} is ${(100 * rel).toFixed(2)}% from ${expected} (limit ${100 * rtol}%) ${why}`,
  );
}

const opsOf = (arch: Arch) =>
  listOps(planOf(arch), { c: arch.inChannels, h: arch.inputSize, w: arch.inputSize });

/** The state-dict keys a module tree built from the plan has, in registration (= plan) order. */
function stateKeys(arch: Arch): string[] {
  return opsOf(arch).ops.flatMap((o) => {
    if (o.op === "conv" || o.op === "linear")
      return o.attrs.bias ? [`${o.name}.weight`, `${o.name}.bias`] : [`${o.name}.weight`];
    if (o.op !== "bn") return [];
    const buffers = ["running_mean", "running_var", "num_batches_tracked"];
    return [...(o.attrs.affine ? ["weight", "bias"] : []), ...buffers].map((p) => `${o.name}.${p}`);
  });
}

describe("baseline families: published numbers", () => {
  for (const p of PUBLISHED) {
    it(`${p.model}: ${p.source}`, () => {
      const c = countArch(archOf(p.model));
      assertNear(`${p.model} FLOPs`, c.flops, p.flops, p.tol?.flops ?? 0.02, p.tol?.why);
      if (p.params !== undefined)
        assertNear(`${p.model} params`, c.params, p.params, p.tol?.params ?? 0.03, p.tol?.why);
    });
  }
});

describe("baseline families: torchvision equivalence", () => {
  for (const [model, params] of Object.entries(TORCHVISION_PARAMS)) {
    it(`${model} has torchvision's ${params} parameters`, () => {
      assert.equal(countArch(archOf(model)).params, params);
    });
  }

  it("mobilenet_v2 rounds unregistered widths as torchvision's width_mult (0.6, 1.3)", () => {
    // torchvision mobilenet_v2(width_mult=0.6) and (width_mult=1.3): 2,217,000 and 5,386,792.
    assert.equal(countArch(validateArch({ family: "mobilenet_v2", width: 0.6 })).params, 2_217_000);
    assert.equal(countArch(validateArch({ family: "mobilenet_v2", width: 1.3 })).params, 5_386_792);
  });

  for (const model of ["mobilenet_v2_x1_0", "resnet50", "vgg16_bn"]) {
    it(`${model}: plan names equal torchvision's state-dict keys`, () => {
      const fixture = JSON.parse(readFileSync(fixturePath(`torchvision-keys-${model}.json`), "utf8")) as {
        keys: string[];
      };
      assert.deepEqual(stateKeys(archOf(model)), fixture.keys);
    });
  }

  it("mobilenet_v1 uses MetaPruning's module names", () => {
    const keys = stateKeys(archOf("mobilenet_v1_x1_0"));
    for (const k of ["feature.0.conv1.weight", "feature.0.bn1.running_var", "feature.13.dwconv_3x3.weight"]) {
      assert.ok(keys.includes(k), k);
    }
    assert.deepEqual(keys.slice(-3), ["feature.13.bn2.num_batches_tracked", "fc.weight", "fc.bias"]);
  });

  it("init recipes", () => {
    assert.equal(familyDef(archOf("mobilenet_v1_x1_0")).init, "kaiming-fan-out");
    assert.equal(familyDef(archOf("mobilenet_v2_x1_0")).init, "kaiming-fan-out");
    assert.equal(familyDef(archOf("resnet50")).init, "torchvision-resnet");
    assert.equal(familyDef(archOf("vgg16")).init, "kaiming-fan-out");
  });
});

describe("baseline families: small stem and any input size", () => {
  const models = listModels().filter((n) => BASELINE.test(n));

  it("registers every baseline", () => {
    assert.deepEqual(models.sort(), [
      "mobilenet_v1_x0_25",
      "mobilenet_v1_x0_5",
      "mobilenet_v1_x0_75",
      "mobilenet_v1_x1_0",
      "mobilenet_v2_x0_35",
      "mobilenet_v2_x0_5",
      "mobilenet_v2_x0_75",
      "mobilenet_v2_x1_0",
      "mobilenet_v2_x1_4",
      "resnet18",
      "resnet34",
      "resnet50",
      "resnet50_x0_5",
      "resnet50_x0_75",
    ]);
  });

  for (const model of models) {
    it(`${model} decodes at 28 and 32 px, both stems, to [classes]`, () => {
      for (const inputSize of [28, 32]) {
        for (const stem of ["standard", "small"] as const) {
          const { output } = opsOf(archOf(model, { inputSize, stem, classes: 10, inChannels: 1 }));
          assert.deepEqual(output, { c: 10, h: 0, w: 0 });
        }
      }
    });
  }

  it("small stem: MobileNets' first conv has stride 1; ResNet's conv1 is 3x3 stride 1 without maxpool", () => {
    const first = (model: string) => opsOf(archOf(model, { stem: "small", inputSize: 32 })).ops;
    const v1 = first("mobilenet_v1_x1_0")[0];
    assert.deepEqual([v1?.name, v1?.attrs.stride], ["feature.0.conv1", 1]);
    const v2 = first("mobilenet_v2_x1_0")[0];
    assert.deepEqual([v2?.name, v2?.attrs.stride], ["features.0.0", 1]);
    const r = first("resnet18");
    assert.deepEqual(
      [r[0]?.name, r[0]?.attrs.k, r[0]?.attrs.stride, r[0]?.output],
      ["conv1", 3, 1, { c: 64, h: 32, w: 32 }],
    );
    assert.ok(!r.some((o) => o.op === "maxpool"));
    assert.deepEqual(stateKeys(archOf("resnet50", { stem: "small" })), stateKeys(archOf("resnet50")));
  });
});

describe("baseline families: schema", () => {
  it("rejects widths outside [0.1, 2] and depths other than 18/34/50", () => {
    for (const bad of [
      { family: "mobilenet_v1", width: 0.05 },
      { family: "mobilenet_v2", width: 2.5 },
      { family: "resnet", depth: 50, width: 0 },
      { family: "resnet", depth: 101 },
      { family: "resnet" },
    ]) {
      assert.throws(() => validateArch(bad), /architecture: field "(width|depth)"/, JSON.stringify(bad));
    }
  });

  it("mobilenet_v1 widths are int(c * width), every layer included", () => {
    const convs = opsOf(validateArch({ family: "mobilenet_v1", width: 0.3 })).ops.filter(
      (o) => o.op === "conv",
    );
    assert.deepEqual(
      convs.filter((o) => o.attrs.groups === 1).map((o) => o.output.c),
      [9, 19, 38, 38, 76, 76, 153, 153, 153, 153, 153, 153, 307, 307],
    );
  });
});
