// `lithe export`: flag parsing and output around src/export/run.ts (which does the work).
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from "../export/opsets.js";
import { nonNegativeInt, positiveInt } from "./args.js";
import { printQuantized } from "./quantize.js";

interface ExportFlags {
  model?: string;
  weights?: string;
  out: string;
  foldBn?: boolean;
  input?: number;
  classes?: number;
  inChannels?: number;
  opset: number;
  seed: number;
  data: string;
  json?: boolean;
}

/** An ONNX opset the exporter writes. */
function opset(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < MIN_OPSET || n > MAX_OPSET)
    throw new InvalidArgumentError(`expected an opset from ${MIN_OPSET} to ${MAX_OPSET}, got "${value}"`);
  return n;
}

export function registerExport(program: Command): void {
  program
    .command("export")
    .description(
      "export a model to ONNX (input [batch, C, H, W], output logits [batch, classes]) and check the file in ONNX Runtime",
    )
    .option(
      "--model <spec>",
      "registered name (lithe models), arch.json, or an architecture string (default with --weights: the run's)",
    )
    .option(
      "--weights <file>",
      "safetensors weights (classes and input channels are taken from them); default: a seeded fresh initialisation",
    )
    .requiredOption("--out <file>", "the .onnx file to write")
    .option("--fold-bn", "fold every BN that follows a conv into the conv's weight and bias")
    .option("--input <n>", "input size in pixels", positiveInt)
    .option("--classes <k>", "number of classes", positiveInt)
    .option("--in-channels <c>", "input channels", positiveInt)
    .option("--opset <n>", `ONNX opset (${MIN_OPSET} to ${MAX_OPSET})`, opset, DEFAULT_OPSET)
    .option("--seed <n>", "seed of the fresh initialisation and of the check batch", nonNegativeInt, 0)
    .option(
      "--data <spec>",
      "a quantization-aware run, whose export is its int8 QDQ file (as lithe quantize writes it): the data its conv outputs are calibrated on",
      "fashion-mnist",
    )
    .option("--json", "print one JSON object instead of text")
    .action(async (o: ExportFlags) => {
      const { runExport, isQuantizationAwareRun } = await import("../export/run.js");
      if (o.weights && (await isQuantizationAwareRun(o.weights, o.model))) {
        const { runQuantize } = await import("../export/quantize-run.js");
        const r = await runQuantize({
          weights: o.weights,
          ...(o.model === undefined ? {} : { model: o.model }),
          data: { source: o.data },
          out: o.out,
        });
        printQuantized(r, o.json ?? false);
        return;
      }
      const r = await runExport({
        ...(o.model === undefined ? {} : { model: o.model }),
        ...(o.weights === undefined ? {} : { weights: o.weights }),
        out: o.out,
        foldBn: o.foldBn ?? false,
        opset: o.opset,
        ...(o.input === undefined ? {} : { input: o.input }),
        ...(o.classes === undefined ? {} : { classes: o.classes }),
        ...(o.inChannels === undefined ? {} : { inChannels: o.inChannels }),
        seed: o.seed,
      });
      if (o.json) {
        console.log(JSON.stringify(r));
        return;
      }
      const folded = o.foldBn ? `, ${r.foldedBn} conv + BN pairs folded` : "";
      console.log(
        `${r.out}: ${r.arch}, opset ${r.opset}, ${r.nodes} nodes${folded}, ${(r.bytes / 1e6).toFixed(2)} MB`,
      );
      const what = o.foldBn ? "the BN-folded file still matches lithe" : "ONNX Runtime vs lithe";
      console.log(
        `${what} on a random batch of ${r.checkBatch}: max abs diff ${r.maxAbsDiff.toExponential(2)} (max |logit| ${r.maxAbs.toFixed(3)}, ONNX Runtime ${r.ortMs.toFixed(1)} ms)`,
      );
    });
}
