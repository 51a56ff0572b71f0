// QDQ export of a quantization-aware network: the int8 file stores each 4-bit layer's trained weight as
// at most 16 int8 levels per channel whose dequantized values are the BN-folded weights it trained with,
// each layer's input is quantized over the range it learned, ORT runs every Conv as QLinearConv, and the
// int8 logits follow the engine's fake-quantized network.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import type onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";
import { manualSeed, noGrad, randn } from "../../src/engine/index.js";
import { onnxModel } from "../../src/export/onnx.js";
import { encodeModel, type ModelProto, onnx } from "../../src/export/onnx-builder.js";

type TensorProto = onnxProto.onnx.ITensorProto;

import { learnedQuantization, quantizedStateDict } from "../../src/export/qat.js";
import { calibrateRanges, floatsOf, quantizeQdq } from "../../src/export/qdq.js";
import { createModel } from "../../src/models/index.js";
import type { Module } from "../../src/nn/index.js";
import { tempDir } from "../helpers.js";

const dims = [8, 3, 32, 32];
// 8-bit inputs: the uint8 grid over an 8-bit learned range is the trained grid itself, so the file
// computes what the engine does (up to the 8-bit conv outputs); 7-bit edge weights cannot saturate.
const edge = { weights: 7, activations: 8 };
const quant = { weights: 4, activations: 8, layers: { "conv1.0": edge, fc: edge } };

describe("QDQ export of quantization-aware training", () => {
  let model: Module;
  let fp32: ModelProto;
  let int8: ModelProto;
  /** The batch the files are checked on; the conv outputs' ranges are calibrated on it, so none clips. */
  const x = randn(dims);
  before(async () => {
    manualSeed(11);
    const built = createModel("shufflenet_v2_x0_5", {
      inputSize: 32,
      classes: 10,
      stem: "small",
      quant,
    } as object);
    // Steps start from the activations of the evaluation mode they are checked in (BN statistics that a
    // single training-mode batch would leave half-updated could zero whole layers at these steps).
    model = built.model.eval();
    noGrad(() => model.forward(randn(dims)));
    fp32 = onnxModel(built.arch, quantizedStateDict(model), { foldBn: true, opset: 13 }).model;
    const learned = learnedQuantization(model, fp32);
    const batches = [{ x: x.toTypedArray() as Float32Array, shape: dims }];
    int8 = quantizeQdq(fp32, await calibrateRanges(fp32, batches), {
      weightSteps: learned.weightSteps,
      layerInputRanges: learned.inputRanges,
    });
  });

  it("stores 4-bit weights as at most 16 levels that dequantize to the trained, folded weights", () => {
    const init = new Map((int8.graph?.initializer ?? []).map((t) => [t.name as string, t]));
    const folded = new Map((fp32.graph?.initializer ?? []).map((t) => [t.name as string, t]));
    const w = "stage3.0.branch2.0.weight";
    const levels = init.get(`${w}.int8`)?.rawData as Uint8Array;
    const k = new Int8Array(levels.buffer, levels.byteOffset, levels.byteLength);
    const steps = floatsOf(init.get(`${w}.scale`) as TensorProto);
    const v = floatsOf(folded.get(w) as TensorProto);
    const per = k.length / steps.length;
    for (let c = 0; c < steps.length; c++) {
      const used = new Set(k.slice(c * per, (c + 1) * per));
      assert.ok(used.size <= 16, `channel ${c} uses ${used.size} levels`);
      for (let i = c * per; i < (c + 1) * per; i++) {
        assert.ok(Math.abs(k[i] as number) <= 8);
        const back = (k[i] as number) * (steps[c] as number);
        assert.ok(Math.abs(back - (v[i] as number)) <= 1e-5 * Math.abs(v[i] as number) + 1e-9, `${w}[${i}]`);
      }
    }
  });

  it("runs as integer kernels and follows the engine's fake-quantized logits", async () => {
    const dir = tempDir("lithe-qat-");
    const saved = join(dir, "optimized.onnx");
    const bytes = encodeModel(int8);
    const session = await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: "extended",
      optimizedModelFilePath: saved,
    });
    const optimized = onnx.ModelProto.decode(readFileSync(saved));
    const count = (m: ModelProto, op: string) => (m.graph?.node ?? []).filter((n) => n.opType === op).length;
    assert.equal(count(optimized, "QLinearConv"), count(fp32, "Conv"));
    const engine = noGrad(() => model.forward(x)).toTypedArray() as Float32Array;
    const out = await session.run({
      input: new ort.Tensor("float32", x.toTypedArray() as Float32Array, dims),
    });
    await session.release();
    const q = out.logits?.data as Float32Array;
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < q.length; i++) {
      diff = Math.max(diff, Math.abs((q[i] as number) - (engine[i] as number)));
      scale = Math.max(scale, Math.abs(engine[i] as number));
    }
    console.log(
      `QAT int8 file vs engine: max abs diff ${diff.toExponential(2)}, max |logit| ${scale.toExponential(2)}`,
    );
    assert.ok(diff < 0.02 * scale, `max abs diff ${diff} against max |logit| ${scale}`);
  });
});
