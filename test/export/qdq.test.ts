// Post-training int8 QDQ export in ONNX Runtime: every Conv of an exported ShuffleNet V2 (BN folded)
// and its classifier become integer kernels (QLinearConv, QGemm) in the graph ORT optimizes and saves;
// with 7-bit weights (reduce range, so that no CPU's U8S8 kernels can saturate and the figures do not
// depend on the machine) the int8 logits follow the fp32 ones; the file shrinks with its int8 weights; a missing range and
// an empty calibration are refused.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import * as ort from "onnxruntime-node";
import { manualSeed, randn } from "../../src/engine/index.js";
import { onnxModel } from "../../src/export/onnx.js";
import { encodeModel, type ModelProto, onnx } from "../../src/export/onnx-builder.js";
import { calibrateRanges, calibrationValues, quantizeQdq, type Range } from "../../src/export/qdq.js";
import { createModel } from "../../src/models/index.js";
import { tempDir } from "../helpers.js";

const dims = [8, 3, 32, 32];
const dir = tempDir("lithe-qdq-");
const count = (m: ModelProto, op: string) => (m.graph?.node ?? []).filter((n) => n.opType === op).length;

async function logits(bytes: Uint8Array, x: Float32Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return (await session.run({ input: new ort.Tensor("float32", x, dims) })).logits?.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe("int8 QDQ export", () => {
  let fp32: ModelProto;
  let ranges: Map<string, Range>;
  let int8: Uint8Array;
  before(async () => {
    manualSeed(7);
    const { arch, model } = createModel("shufflenet_v2_x0_5", { inputSize: 32, classes: 10, stem: "small" });
    fp32 = onnxModel(arch, model.stateDict(), { foldBn: true, opset: 13 }).model;
    const batches = [0, 1, 2, 3].map(() => ({ x: randn(dims).toTypedArray() as Float32Array, shape: dims }));
    ranges = await calibrateRanges(fp32, batches);
    int8 = encodeModel(quantizeQdq(fp32, ranges, { reduceRange: true }));
  });

  it("calibrates every Conv/Gemm input and output, and ORT turns each Conv and the Gemm into integer kernels", async () => {
    for (const v of calibrationValues(fp32)) {
      const r = ranges.get(v);
      assert.ok(r && Number.isFinite(r.min) && Number.isFinite(r.max) && r.min <= r.max, v);
    }
    const saved = join(dir, "optimized.onnx");
    const session = await ort.InferenceSession.create(int8, {
      graphOptimizationLevel: "extended",
      optimizedModelFilePath: saved,
    });
    await session.release();
    const optimized = onnx.ModelProto.decode(readFileSync(saved));
    const convs = count(fp32, "Conv");
    assert.ok(convs > 50, `${convs} convs`);
    assert.equal(count(optimized, "QLinearConv"), convs, "every Conv runs as QLinearConv");
    assert.equal(count(optimized, "Conv"), 0, "no float Conv is left");
    assert.equal(count(optimized, "QGemm"), count(fp32, "Gemm"), "the classifier runs as QGemm");
  });

  it("follows the fp32 logits and stores int8 weights", async () => {
    const x = randn(dims).toTypedArray() as Float32Array;
    const [f, q] = [await logits(encodeModel(fp32), x), await logits(int8, x)];
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < f.length; i++) {
      diff = Math.max(diff, Math.abs((q[i] as number) - (f[i] as number)));
      scale = Math.max(scale, Math.abs(f[i] as number));
    }
    console.log(
      `int8 vs fp32 logits: max abs diff ${diff.toExponential(2)}, max |logit| ${scale.toExponential(2)}`,
    );
    assert.ok(diff < 0.05 * scale, `max abs diff ${diff} against max |logit| ${scale}`);
    const sizes = [encodeModel(fp32).length, int8.length];
    console.log(`file size: fp32 ${sizes[0]} B, int8 ${sizes[1]} B`);
    assert.ok(
      (sizes[1] as number) < 0.4 * (sizes[0] as number),
      `${sizes[1]} B is not about a quarter of ${sizes[0]} B`,
    );
  });

  it("refuses a Conv input without a range, and an empty calibration", async () => {
    const missing = new Map(ranges);
    missing.delete(calibrationValues(fp32)[1] as string);
    assert.throws(() => quantizeQdq(fp32, missing), /qdq: no calibrated range for "/);
    await assert.rejects(calibrateRanges(fp32, []), /calibration needs at least one batch/);
  });
});
