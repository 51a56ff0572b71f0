// `lithe quantize`: post-training static int8 quantization of a trained run; flag parsing and output
// around src/export/quantize-run.ts (which does the work).
import { type Command, Option } from "commander";
import type { QuantizeRunResult } from "../export/quantize-run.js";
import { OBSERVER_KINDS, type ObserverKind } from "../quant/observers.js";
import { positiveInt } from "./args.js";
import { percent } from "./train.js";

interface QuantizeFlags {
  weights: string;
  model?: string;
  data: string;
  imageSize?: number;
  calibration: number;
  batchSize: number;
  observer: ObserverKind;
  reduceRange?: boolean;
  out: string;
  json?: boolean;
}

export function registerQuantize(program: Command): void {
  program
    .command("quantize")
    .description(
      "int8 post-training quantization of a trained run: BN folded, activation ranges calibrated on training images (min-max, percentile or entropy), a QDQ ONNX file that ONNX Runtime runs as QLinearConv/QGemm; prints fp32 and int8 test top-1 (both run in ONNX Runtime) and file sizes",
    )
    .requiredOption("--weights <file>", "a run's weights, e.g. runs/<run>/model.safetensors")
    .option("--model <spec>", "architecture (default: read from the run directory of --weights)")
    .option("--data <spec>", "fashion-mnist, synthetic, or a folder (as for lithe train)", "fashion-mnist")
    .option("--image-size <px>", "image side for image folders and synthetic data", positiveInt)
    .option("--calibration <n>", "training images the activation ranges are observed on", positiveInt, 512)
    .option("--batch-size <n>", "images per ONNX Runtime call", positiveInt, 64)
    .addOption(
      new Option(
        "--observer <kind>",
        "activation ranges: minmax, percentile (0.01st to 99.99th), or entropy (TensorRT's KL-divergence threshold)",
      )
        .choices(OBSERVER_KINDS)
        .default("minmax"),
    )
    .option(
      "--reduce-range",
      "7-bit weights, which avoid U8S8 saturation (default on x86 CPUs without VNNI; see lithe doctor)",
    )
    .option("--no-reduce-range", "8-bit weights even on a CPU without VNNI")
    .requiredOption("--out <file>", "the int8 .onnx file to write")
    .option("--json", "print one JSON object instead of text")
    .action(async (o: QuantizeFlags) => {
      const { runQuantize } = await import("../export/quantize-run.js");
      const r = await runQuantize({
        weights: o.weights,
        ...(o.model === undefined ? {} : { model: o.model }),
        data: { source: o.data, ...(o.imageSize === undefined ? {} : { imageSize: o.imageSize }) },
        calibrationImages: o.calibration,
        batchSize: o.batchSize,
        observer: o.observer,
        ...(o.reduceRange === undefined ? {} : { reduceRange: o.reduceRange }),
        out: o.out,
      });
      printQuantized(r, o.json ?? false);
    });
}

/** What `lithe quantize` (and `lithe export` of a quantization-aware run) prints of its result. */
export function printQuantized(r: QuantizeRunResult, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(r));
    return;
  }
  const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB`;
  console.log(
    `${r.out}: ${r.arch}, calibrated on ${r.calibrationImages} training images (${r.observer}${r.reduceRange ? ", 7-bit weights" : ""})`,
  );
  console.log(
    `test top-1 on ${r.testImages} images in ONNX Runtime: fp32 ${percent(r.fp32.top1)} (${mb(r.fp32.bytes)}), int8 ${percent(r.int8.top1)} (${mb(r.int8.bytes)})`,
  );
}
