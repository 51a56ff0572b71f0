// A complete export from user-level options (what `lithe export` calls): the architecture (adapted
// to the weights' classes and input channels), the weights or a seeded initialisation, the ONNX
// file written atomically, then that file run in ONNX Runtime against lithe on a random batch.
import { rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Arch, type CommonArch, listOps, planOf, printArch, resolveArch } from "../arch/index.js";
import { loadSafetensors, manualSeed, randn, type Tensor } from "../engine/index.js";
import { buildModel } from "../models/index.js";
import type { Module } from "../nn/index.js";
import { readBytes, writeFileAtomic } from "../util/files.js";
import { option, optionError } from "../util/option-error.js";
import { onnxModel } from "./onnx.js";
import { encodeModel } from "./onnx-builder.js";
import { verifyOnnx } from "./verify.js";

export interface ExportRunOptions {
  /** Registered name, arch.json or architecture string; optional with weights from a lithe run. */
  model?: string;
  /** safetensors weights with PyTorch names; absent: a fresh initialisation seeded with `seed`. */
  weights?: string;
  out: string;
  foldBn: boolean;
  opset: number;
  input?: number;
  classes?: number;
  inChannels?: number;
  seed: number;
  /** Rows of the random batch the file is checked on. */
  checkBatch?: number;
}

export interface ExportRunResult {
  out: string;
  arch: string;
  bytes: number;
  opset: number;
  nodes: number;
  foldedBn: number;
  checkBatch: number;
  maxAbsDiff: number;
  maxAbs: number;
  ortMs: number;
}

/** The file is refused when ONNX Runtime differs from lithe by more than this (relative to max |logit|, at least 1). */
export const MATCH_TOLERANCE = 1e-3;

const isFolder = (path: string) => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** Refuses an `out` whose folder is missing, or that is a folder, before any work is done. */
export function checkOutPath(out: string): void {
  const folder = dirname(resolve(out));
  if (!isFolder(folder)) throw optionError`${option("out")} ${out}: the folder ${folder} does not exist`;
  if (isFolder(out)) throw optionError`${option("out")} ${out}: is a folder, expected a file name`;
}

/** Whether `weights` (of the architecture `model`, or of their run's) were trained quantization-aware. */
export async function isQuantizationAwareRun(weights: string, model?: string): Promise<boolean> {
  const arch =
    model === undefined ? (await import("../train/setup.js")).archOfRun(weights) : resolveArch(model);
  return arch.quant !== undefined;
}

/** Classes and input channels as the weights have them: the last linear layer and the first conv. */
function shapeFromWeights(arch: Arch, weights: ReadonlyMap<string, Tensor>): Partial<CommonArch> {
  const { ops } = listOps(planOf(arch), { c: arch.inChannels, h: arch.inputSize, w: arch.inputSize });
  const found: Partial<CommonArch> = {};
  const conv = ops.find((op) => op.op === "conv");
  const first = conv && weights.get(`${conv.name}.weight`);
  if (conv && first?.ndim === 4)
    found.inChannels = (first.shape[1] as number) * (conv.attrs.groups as number);
  const fc = ops.filter((op) => op.op === "linear").at(-1);
  const last = fc && weights.get(`${fc.name}.weight`);
  if (last?.ndim === 2) found.classes = last.shape[0] as number;
  return found;
}

/** The model with the weights loaded; a mismatch is one line naming the first tensor that does not fit. */
function loadWeights(arch: Arch, weights: ReadonlyMap<string, Tensor>, path: string): Module {
  const model = buildModel(arch);
  try {
    model.loadStateDict(weights);
  } catch (error) {
    const reason = (error as Error).message.replace(/^loadStateDict: /, "").split("\n")[0];
    throw new Error(`${path}: does not fit ${printArch(arch)}: ${reason}`);
  }
  return model;
}

export async function runExport(o: ExportRunOptions): Promise<ExportRunResult> {
  checkOutPath(o.out);
  const flags: Partial<CommonArch> = {};
  if (o.input !== undefined) flags.inputSize = o.input;
  if (o.classes !== undefined) flags.classes = o.classes;
  if (o.inChannels !== undefined) flags.inChannels = o.inChannels;
  let arch: Arch;
  let model: Module;
  if (o.weights) {
    // Without a model, the architecture of the lithe run the weights come from (run.json or metadata).
    const spec = o.model ?? printArch((await import("../train/setup.js")).archOfRun(o.weights));
    const { tensors } = loadSafetensors(o.weights);
    try {
      // Input, classes and channels given as options win over what the weights imply.
      const fromWeights = shapeFromWeights(resolveArch(spec, flags), tensors);
      arch = resolveArch(spec, { ...fromWeights, ...flags });
      model = loadWeights(arch, tensors, o.weights);
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
  } else {
    if (!o.model) throw optionError`${option("model")} is required without ${option("weights")}`;
    arch = resolveArch(o.model, flags);
    manualSeed(o.seed);
    model = buildModel(arch);
  }

  const { model: proto, foldedBn } = onnxModel(arch, model.stateDict(), { foldBn: o.foldBn, opset: o.opset });
  try {
    writeFileAtomic(o.out, encodeModel(proto));
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw optionError`${option("out")} ${o.out}: cannot write (${e.code ?? e.message})`;
  }

  const batch = o.checkBatch ?? 2;
  const shape = [batch, arch.inChannels, arch.inputSize, arch.inputSize];
  manualSeed(o.seed + 1);
  const input = randn(shape);
  const x = input.toTypedArray() as Float32Array;
  input.dispose();
  const bytes = readBytes(o.out);
  try {
    const v = await verifyOnnx(bytes, model, x, shape);
    if (!(v.maxAbsDiff <= MATCH_TOLERANCE * Math.max(1, v.maxAbs))) {
      throw new Error(
        `${o.out}: ONNX Runtime and lithe disagree (max abs diff ${v.maxAbsDiff.toExponential(2)}); the file was removed`,
      );
    }
    return {
      out: o.out,
      arch: printArch(arch),
      bytes: bytes.length,
      opset: o.opset,
      nodes: proto.graph?.node?.length ?? 0,
      foldedBn,
      checkBatch: batch,
      maxAbsDiff: v.maxAbsDiff,
      maxAbs: v.maxAbs,
      ortMs: v.ortMs,
    };
  } catch (error) {
    rmSync(o.out, { force: true });
    throw error;
  }
}
