// Runs an exported model in ONNX Runtime (onnxruntime-node, loaded on first use so nothing else pays
// for it) and compares it with lithe's own forward pass in eval mode.
import { noGrad, type Tensor, tensor, tidy } from "../engine/index.js";
import type { Module } from "../nn/index.js";

export interface OrtOptions {
  /** ONNX Runtime intra-op threads (default: its own choice, one per core). */
  threads?: number;
}

export interface OrtRun {
  output: Float32Array;
  dims: number[];
  /** Time of session.run alone (session creation excluded). */
  ms: number;
}

/** The first line of an error's message (ONNX Runtime's can span several). */
const firstLine = (error: unknown) => ((error as Error).message ?? String(error)).split("\n")[0] as string;

/** Runs ONNX model `bytes` on one float32 batch fed to "input"; returns "logits". */
export async function runOnnx(
  bytes: Uint8Array,
  input: Float32Array,
  shape: readonly number[],
  o: OrtOptions = {},
): Promise<OrtRun> {
  const ort = await import("onnxruntime-node");
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(bytes, {
      ...(o.threads ? { intraOpNumThreads: o.threads, interOpNumThreads: 1 } : {}),
      graphOptimizationLevel: "all",
    });
  } catch (error) {
    throw new Error(`ONNX Runtime cannot load the model: ${firstLine(error)}`);
  }
  try {
    const start = performance.now();
    const result = await session.run({ input: new ort.Tensor("float32", input, [...shape]) });
    const ms = performance.now() - start;
    const logits = result.logits;
    if (!logits) throw new Error(`ONNX Runtime: the model has no output "logits"`);
    return { output: logits.data as Float32Array, dims: [...logits.dims], ms };
  } catch (error) {
    throw new Error(`ONNX Runtime cannot run the model: ${firstLine(error)}`);
  } finally {
    await session.release();
  }
}

/** lithe's output for `input` with `model` in eval mode, without gradients (its mode is restored). */
export function runLithe(model: Module, input: Float32Array, shape: readonly number[]): OrtRun {
  const wasTraining = model.training;
  model.eval();
  try {
    const start = performance.now();
    const { output, dims } = noGrad(() =>
      tidy(() => {
        const y: Tensor = model.forward(tensor(input, { shape: [...shape] }));
        return { output: y.toTypedArray() as Float32Array, dims: y.shape };
      }),
    );
    return { output, dims, ms: performance.now() - start };
  } finally {
    model.train(wasTraining);
  }
}

export interface Verification {
  /** max |onnx - lithe| over every output element. */
  maxAbsDiff: number;
  /** max |lithe|, to judge the difference against. */
  maxAbs: number;
  dims: number[];
  ortMs: number;
  litheMs: number;
}

/** Runs `bytes` in ONNX Runtime and `model` in lithe on the same batch and compares the outputs. */
export async function verifyOnnx(
  bytes: Uint8Array,
  model: Module,
  input: Float32Array,
  shape: readonly number[],
  o: OrtOptions = {},
): Promise<Verification> {
  const ort = await runOnnx(bytes, input, shape, o);
  const ref = runLithe(model, input, shape);
  if (ort.dims.join() !== ref.dims.join())
    throw new Error(`ONNX Runtime gives shape [${ort.dims}] but lithe gives [${ref.dims}]`);
  let maxAbsDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < ref.output.length; i++) {
    const r = ref.output[i] as number;
    const d = Math.abs((ort.output[i] as number) - r);
    // NaN on either side must show up as a failure, not vanish in Math.max.
    maxAbsDiff = Number.isNaN(d) ? Number.NaN : Math.max(maxAbsDiff, d);
    maxAbs = Math.max(maxAbs, Math.abs(r));
    if (Number.isNaN(maxAbsDiff)) break;
  }
  return { maxAbsDiff, maxAbs, dims: ref.dims, ortMs: ort.ms, litheMs: ref.ms };
}
