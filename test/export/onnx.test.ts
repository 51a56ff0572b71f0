// ONNX export: every registered model is exported, run in ONNX Runtime and compared with lithe in
// eval mode (BN statistics randomised so BN really does something), plain and with BN folded; the
// batch dimension is dynamic; names follow the plan; channel shuffle is Reshape/Transpose/Reshape.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type Arch, archOf, listModels, listOps, planOf } from "../../src/arch/index.js";
import { manualSeed, noGrad, randn } from "../../src/engine/index.js";
import { exportOnnx, type ModelSummary, onnxModel, summarizeModel } from "../../src/export/onnx.js";
import { encodeModel } from "../../src/export/onnx-builder.js";
import { runOnnx, verifyOnnx } from "../../src/export/verify.js";
import { buildModel } from "../../src/models/index.js";
import { BatchNorm2d, Linear, type Module } from "../../src/nn/index.js";

const SIZE = 32;
const CLASSES = 10;
const BATCH = 2;
const TOLERANCE = 1e-4;
/** Also relative to max |logit|, so models with small logits are held to the same standard. */
const RELATIVE = 1e-4;
/** One ONNX Runtime thread: the comparison, not the speed, is under test. */
const ORT = { threads: 1 };

/** A registered model at 32 px with the small-image stem (every family has one), 10 classes. */
const smallArch = (name: string): Arch => archOf(name, { inputSize: SIZE, classes: CLASSES, stem: "small" });

/**
 * BN running statistics and affine parameters away from 0/1, and a classifier with O(1) weights
 * (the official N(0, 0.01) makes logits so small that any difference would look tiny).
 */
function randomize(model: Module): void {
  noGrad(() => {
    for (const [, m] of model.namedModules()) {
      if (m instanceof BatchNorm2d) {
        m.runningMean?.normal_(0, 0.2);
        m.runningVar?.uniform_(0.5, 2);
        m.weight?.uniform_(0.4, 1.2);
        m.bias?.normal_(0, 0.2);
      } else if (m instanceof Linear) {
        m.weight.normal_(0, 1 / Math.sqrt(m.inFeatures));
      }
    }
  });
}

function prepared(name: string, seed = 1): { arch: Arch; model: Module } {
  const arch = smallArch(name);
  manualSeed(seed);
  const model = buildModel(arch);
  randomize(model);
  return { arch, model: model.eval() };
}

function batchOf(arch: Arch, n: number, seed = 2): { x: Float32Array; shape: number[] } {
  manualSeed(seed);
  const shape = [n, arch.inChannels, arch.inputSize, arch.inputSize];
  const t = randn(shape);
  const x = t.toTypedArray() as Float32Array;
  t.dispose();
  return { x, shape };
}

const disposeAll = (model: Module) => {
  for (const t of model.stateDict().values()) t.dispose();
};

const graphOf = summarizeModel;
const producers = (g: ModelSummary) => new Map(g.nodes.flatMap((n) => n.output.map((o) => [o, n] as const)));

const worst = { plain: { name: "", diff: 0 }, folded: { name: "", diff: 0 } };
after(() => {
  console.log(
    `# worst max abs diff: ${worst.plain.diff.toExponential(2)} (${worst.plain.name}), BN folded ${worst.folded.diff.toExponential(2)} (${worst.folded.name})`,
  );
});

describe("every registered model exports and runs in ONNX Runtime like lithe (32 px, batch 2)", () => {
  for (const name of listModels()) {
    it(name, async (t) => {
      const { arch, model } = prepared(name);
      const { x, shape } = batchOf(arch, BATCH);
      const state = model.stateDict();

      const plain = exportOnnx(arch, state);
      const p = await verifyOnnx(plain, model, x, shape, ORT);
      assert.deepEqual(p.dims, [BATCH, CLASSES]);
      assert.ok(p.maxAbs > 0.01, `logits large enough to compare (max |logit| ${p.maxAbs})`);
      assert.ok(p.maxAbsDiff <= TOLERANCE, `max abs diff ${p.maxAbsDiff} (max |logit| ${p.maxAbs})`);
      assert.ok(
        p.maxAbsDiff <= RELATIVE * p.maxAbs,
        `max abs diff ${p.maxAbsDiff} vs max |logit| ${p.maxAbs}`,
      );

      const { model: proto, foldedBn } = onnxModel(arch, state, { foldBn: true });
      const foldedBytes = encodeModel(proto);
      const f = await verifyOnnx(foldedBytes, model, x, shape, ORT);
      assert.ok(f.maxAbsDiff <= TOLERANCE, `BN folded: max abs diff ${f.maxAbsDiff}`);
      assert.ok(f.maxAbsDiff <= RELATIVE * f.maxAbs, `BN folded: ${f.maxAbsDiff} vs max |logit| ${f.maxAbs}`);
      const g = graphOf(foldedBytes);
      const from = producers(g);
      const bnAfterConv = g.nodes.filter(
        (n) => n.opType === "BatchNormalization" && from.get(n.input[0] as string)?.opType === "Conv",
      );
      assert.deepEqual(
        bnAfterConv.map((n) => n.name),
        [],
        "no BatchNormalization directly after a Conv",
      );
      const bnNodes = (b: Uint8Array) => graphOf(b).nodes.filter((n) => n.opType === "BatchNormalization");
      assert.ok(
        foldedBn > 0 || bnNodes(plain).length === 0,
        "some conv + BN pairs folded (if there are any)",
      );
      assert.equal(bnNodes(foldedBytes).length, bnNodes(plain).length - foldedBn);

      for (const [kind, diff] of [
        ["plain", p.maxAbsDiff],
        ["folded", f.maxAbsDiff],
      ] as const) {
        if (diff >= worst[kind].diff) worst[kind] = { name, diff };
      }
      t.diagnostic(
        `max abs diff ${p.maxAbsDiff.toExponential(2)}, folded ${f.maxAbsDiff.toExponential(2)}, max |logit| ${p.maxAbs.toFixed(2)}, ${foldedBn} BN folded`,
      );
      disposeAll(model);
    });
  }
});

describe("the exported graph", () => {
  it("has a dynamic batch: one file runs batches of 1 and 3", async () => {
    for (const name of ["shufflenet_v2_x0_5", "shufflenet_v2_plus_small", "shufflenet_v1_g3_x0_5"]) {
      const { arch, model } = prepared(name);
      const bytes = exportOnnx(arch, model.stateDict(), { foldBn: true });
      const io = summarizeModel(bytes);
      assert.deepEqual(io.input, ["batch", 3, SIZE, SIZE]);
      assert.deepEqual(io.output, ["batch", CLASSES]);
      for (const n of [1, 3]) {
        const { x, shape } = batchOf(arch, n);
        const v = await verifyOnnx(bytes, model, x, shape, ORT);
        assert.deepEqual(v.dims, [n, CLASSES], name);
        assert.ok(v.maxAbsDiff <= TOLERANCE, `${name}, batch ${n}: ${v.maxAbsDiff}`);
      }
      disposeAll(model);
    }
  });

  it("writes channel shuffle as Reshape -> Transpose -> Reshape", () => {
    for (const [name, shuffle] of [
      ["shufflenet_v1_g3_x0_5", "features.1.channel_shuffle"], // ShuffleNet V1 unit: a shuffle layer
      ["shufflenet_v2_x0_5", "stage2.1.shuffle"], // torchvision split unit: shuffle(2) after concat
    ] as const) {
      const { arch, model } = prepared(name);
      const planned = listOps(planOf(arch), { c: 3, h: SIZE, w: SIZE }).ops.find((op) => op.name === shuffle);
      const groups = planned?.attrs.groups;
      const g = graphOf(exportOnnx(arch, model.stateDict()));
      const node = (n: string) => g.nodes.find((x) => x.name === n);
      const ints = (n: string) => g.initializers.find((x) => x.name === n)?.values ?? [];
      const last = node(shuffle);
      const transpose = node(`${shuffle}.transpose`);
      const view = node(`${shuffle}.view`);
      assert.equal(last?.opType, "Reshape", `${name}: ${shuffle}`);
      assert.equal(transpose?.opType, "Transpose");
      assert.equal(view?.opType, "Reshape");
      assert.deepEqual(last?.input[0], transpose?.output[0]);
      assert.deepEqual(transpose?.input[0], view?.output[0]);
      assert.deepEqual(transpose?.ints.perm, [0, 2, 1, 3, 4]);
      const [batch, g1, perGroup, h, w] = ints(`${shuffle}.view.shape`);
      assert.deepEqual([batch, g1], [0, groups], "batch copied (0), then the groups");
      assert.deepEqual(ints(`${shuffle}.shape`), [0, (perGroup as number) * (groups as number), h, w]);
      assert.ok(
        g.nodes.filter((n) => n.opType === "Transpose").every((n) => n.name.endsWith(".transpose")),
        "every Transpose belongs to a shuffle",
      );
      disposeAll(model);
    }
  });

  it("names nodes and initializers after the plan's dotted paths (the state-dict names)", () => {
    const { arch, model } = prepared("shufflenet_v2_x0_5");
    const state = model.stateDict();
    const g = graphOf(exportOnnx(arch, state));
    const weights = g.initializers.filter((i) => i.type === "float32").map((i) => i.name);
    const expected = [...state.keys()].filter((k) => !k.endsWith("num_batches_tracked"));
    assert.deepEqual(weights.sort(), expected.sort());
    const conv = g.nodes.find((n) => n.name === "stage2.0.branch2.0");
    assert.equal(conv?.opType, "Conv");
    assert.deepEqual(conv?.input.slice(1), ["stage2.0.branch2.0.weight"]);
    assert.ok(g.nodes.some((n) => n.name === "stage2.0.concat" && n.opType === "Concat"));
    assert.equal(g.nodes.at(-1)?.output[0], "logits");
    disposeAll(model);
  });

  it("splits megvii units into even and odd channels, and torchvision units into halves", () => {
    const megvii = prepared("shufflenet_v2_plus_small");
    const mg = graphOf(exportOnnx(megvii.arch, megvii.model.stateDict()));
    const gathers = mg.nodes.filter((n) => n.opType === "Gather");
    assert.ok(gathers.length > 0 && mg.nodes.every((n) => n.opType !== "Split"));
    const tv = prepared("shufflenet_v2_x0_5");
    const tg = graphOf(exportOnnx(tv.arch, tv.model.stateDict()));
    assert.ok(tg.nodes.some((n) => n.opType === "Split") && tg.nodes.every((n) => n.opType !== "Gather"));
    disposeAll(megvii.model);
    disposeAll(tv.model);
  });

  it("uses HardSwish from opset 14 and x * HardSigmoid(x) at opset 13; both match lithe", async () => {
    const { arch, model } = prepared("shufflenet_v2_plus_small");
    const { x, shape } = batchOf(arch, BATCH);
    for (const opset of [13, 14, 17, 21]) {
      const bytes = exportOnnx(arch, model.stateDict(), { opset });
      const m = summarizeModel(bytes);
      assert.equal(m.opset, opset);
      const ops = new Set(m.nodes.map((n) => n.opType));
      assert.equal(ops.has("HardSwish"), opset >= 14, `opset ${opset}`);
      const v = await verifyOnnx(bytes, model, x, shape, ORT);
      assert.ok(v.maxAbsDiff <= TOLERANCE, `opset ${opset}: ${v.maxAbsDiff}`);
    }
    disposeAll(model);
  });

  it("refuses a state dict that does not fit, naming the tensor and both shapes", () => {
    const small = prepared("shufflenet_v2_x0_5");
    const big = smallArch("shufflenet_v2_x1_0");
    assert.throws(
      () => exportOnnx(big, small.model.stateDict()),
      /onnx: "[\w.]+" has shape \[\d+(, \d+)*\] but the architecture needs \[\d+(, \d+)*\]/,
    );
    const partial = new Map(small.model.stateDict());
    partial.delete("fc.bias");
    assert.throws(() => exportOnnx(small.arch, partial), /onnx: the state dict has no "fc.bias"/);
    assert.throws(() => exportOnnx(small.arch, small.model.stateDict(), { opset: 12 }), /opset 12/);
    disposeAll(small.model);
  });

  it("ONNX Runtime's errors are one line", async () => {
    await assert.rejects(
      runOnnx(new Uint8Array([1, 2, 3]), new Float32Array(3), [1, 3]),
      (e: Error) => /^ONNX Runtime cannot load the model: /.test(e.message) && !e.message.includes("\n"),
    );
  });
});
