// Post-training static int8 quantization of a trained run (what `lithe quantize` calls): the run's
// network exported to ONNX with BN folded, activation ranges calibrated on training images in ONNX
// Runtime (min-max, percentile or entropy observers), the QDQ file written atomically, and both files' test top-1 measured in ONNX Runtime.
// A quantization-aware run keeps what it learned: its weights' grids and its layers' input ranges;
// only the other values' ranges are calibrated. Its "fp32" figure is the float export of those weights.

import { printArch } from "../arch/format.js";
import { readCpuFlags, x86WithoutVnni } from "../engine/blas-env.js";
import type { ObserverKind } from "../quant/observers.js";
import type { DataOptions } from "../train/options.js";
import { openTrainedModel } from "../train/run.js";
import { makeLoader } from "../train/setup.js";
import type { BatchSource } from "../train/trainer.js";
import { writeFileAtomic } from "../util/files.js";
import { option, optionError } from "../util/option-error.js";
import { onnxModel } from "./onnx.js";
import { encodeModel } from "./onnx-builder.js";
import { learnedQuantization, quantizedStateDict } from "./qat.js";
import { type CalibrationBatch, calibrateRanges, quantizeQdq } from "./qdq.js";
import { checkOutPath } from "./run.js";

export interface QuantizeRunOptions {
  /** A run's model.safetensors (its run.json beside it names the architecture unless `model` does). */
  weights: string;
  model?: string;
  data: DataOptions;
  /** Training images the activation ranges are observed on (default 512). */
  calibrationImages?: number;
  /** Images per ONNX Runtime call (default 64). */
  batchSize?: number;
  /** How activation ranges are observed (default "minmax"). */
  observer?: ObserverKind;
  /** 7-bit weights (see QdqOptions). Default: on x86 CPUs without VNNI, whose U8S8 kernels saturate. */
  reduceRange?: boolean;
  /** The int8 .onnx file to write. */
  out: string;
}

export interface QuantizeRunResult {
  out: string;
  arch: string;
  calibrationImages: number;
  observer: ObserverKind;
  /** Whether weights were kept on 7 bits. */
  reduceRange: boolean;
  testImages: number;
  fp32: { top1: number; bytes: number };
  int8: { top1: number; bytes: number };
}

/** The first `images` images of `source`'s first epoch (whole batches, at least one). */
async function firstBatches(source: BatchSource, images: number): Promise<CalibrationBatch[]> {
  const batches: CalibrationBatch[] = [];
  let seen = 0;
  for await (const b of source.epoch(0)) {
    batches.push({ x: b.x, shape: b.shape });
    seen += b.shape[0];
    if (seen >= images) break;
  }
  return batches;
}

/** Top-1 accuracy of ONNX model `bytes` in ONNX Runtime over one pass of `source`. */
async function ortTop1(bytes: Uint8Array, source: BatchSource): Promise<{ top1: number; images: number }> {
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "all" });
  let correct = 0;
  let images = 0;
  try {
    for await (const b of source.epoch(0)) {
      const out = await session.run({ input: new ort.Tensor("float32", b.x, [...b.shape]) });
      const logits = out.logits?.data as Float32Array;
      const classes = logits.length / b.shape[0];
      for (let i = 0; i < b.shape[0]; i++) {
        let best = 0;
        for (let k = 1; k < classes; k++)
          if ((logits[i * classes + k] as number) > (logits[i * classes + best] as number)) best = k;
        if (BigInt(best) === b.y[i]) correct++;
      }
      images += b.shape[0];
    }
  } finally {
    await session.release();
  }
  return { top1: correct / Math.max(1, images), images };
}

export async function runQuantize(o: QuantizeRunOptions): Promise<QuantizeRunResult> {
  checkOutPath(o.out);
  const calibrationImages = o.calibrationImages ?? 512;
  if (!Number.isInteger(calibrationImages) || calibrationImages < 1)
    throw optionError`${option("calibrationImages")} must be a positive integer, got ${calibrationImages}`;
  const trained = await openTrainedModel({ ...o, seed: 0 });
  // A quantization-aware run exports the weights it trained with, on their grids.
  const qat = trained.arch.quant !== undefined;
  const state = qat ? quantizedStateDict(trained.model) : trained.model.stateDict();
  const fp32 = onnxModel(trained.arch, state, { foldBn: true, opset: 13 }).model;
  const learned = qat ? learnedQuantization(trained.model, fp32) : null;
  const batching = { batchSize: o.batchSize ?? 64, seed: 0 };
  const calibration = makeLoader(trained.train, trained.data, batching, false);
  const test = makeLoader(trained.test, trained.data, batching, false);
  try {
    const reduceRange = o.reduceRange ?? x86WithoutVnni(readCpuFlags());
    const batches = await firstBatches(calibration, calibrationImages);
    const ranges = await calibrateRanges(fp32, batches, o.observer ?? "minmax");
    const int8 = encodeModel(
      quantizeQdq(fp32, ranges, {
        reduceRange,
        ...(learned ? { weightSteps: learned.weightSteps, layerInputRanges: learned.inputRanges } : {}),
      }),
    );
    const fp32Bytes = encodeModel(fp32);
    const [f, q] = [await ortTop1(fp32Bytes, test), await ortTop1(int8, test)];
    try {
      writeFileAtomic(o.out, int8);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      throw optionError`${option("out")} ${o.out}: cannot write (${e.code ?? e.message})`;
    }
    return {
      out: o.out,
      arch: printArch(trained.arch),
      calibrationImages: batches.reduce((n, b) => n + (b.shape[0] as number), 0),
      observer: o.observer ?? "minmax",
      reduceRange,
      testImages: f.images,
      fp32: { top1: f.top1, bytes: fp32Bytes.length },
      int8: { top1: q.top1, bytes: int8.length },
    };
  } finally {
    await calibration.close();
    await test.close();
  }
}
