// ONNX export: an architecture description plus a state dict (PyTorch names) -> ONNX model bytes,
// input "input" ["batch", C, H, W], output "logits" ["batch", classes], any batch size.
import { planOf } from "../arch/count.js";
import { printArch } from "../arch/format.js";
import type { Node, Shape } from "../arch/plan.js";
import type { Arch } from "../arch/schema.js";
import { outputShape } from "../arch/walk.js";
import type { Tensor } from "../engine/index.js";
import { encodeModel, GraphBuilder, type ModelProto, modelProto } from "./onnx-builder.js";
import { PlanEmitter, type WeightSource } from "./onnx-graph.js";
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from "./opsets.js";

export { type ModelSummary, summarizeModel } from "./onnx-builder.js";

export { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from "./opsets.js";

export interface ExportOptions {
  /** Fold each conv -> BN pair into the conv (float64 arithmetic, then float32). Default false. */
  foldBn?: boolean;
  /** ONNX opset, 13 to 21. Default 13. */
  opset?: number;
}

const showDims = (d: readonly number[]) => `[${d.join(", ")}]`;

/** Reads weights from a state dict, refusing missing names and wrong shapes with the tensor named. */
function stateDictSource(state: ReadonlyMap<string, Tensor>): WeightSource {
  return (name, shape) => {
    const t = state.get(name);
    if (!t) throw new Error(`onnx: the state dict has no "${name}"`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(
        `onnx: "${name}" has shape ${showDims(t.shape)} but the architecture needs ${showDims(shape)}`,
      );
    }
    return float32Data(t);
  };
}

/** A tensor's values as float32 (converted on a temporary copy when stored otherwise). */
export function float32Data(t: Tensor): Float32Array {
  if (t.dtype === "float32") return t.toTypedArray() as Float32Array;
  const f = t.to("float32");
  try {
    return f.toTypedArray() as Float32Array;
  } finally {
    f.dispose();
  }
}

export interface PlanExportOptions extends ExportOptions {
  /** The graph's name (default "plan"). */
  graphName?: string;
  /** Extra model metadata (key -> value). */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * The ModelProto of any layer plan (a whole network, one search-space block, a micro-benchmark) on
 * inputs ["batch", input.c, input.h, input.w], with `stateDict`'s weights (the plan's dotted names).
 */
export function onnxModelOfPlan(
  plan: Node,
  input: Shape,
  stateDict: ReadonlyMap<string, Tensor>,
  o: PlanExportOptions = {},
): { model: ModelProto; foldedBn: number } {
  const opset = o.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET)
    throw new Error(`onnx: opset ${opset} is not supported (use ${MIN_OPSET} to ${MAX_OPSET})`);
  const out = outputShape(plan, input);
  const g = new GraphBuilder();
  const emitter = new PlanEmitter(g, stateDictSource(stateDict), { opset, foldBn: o.foldBn ?? false });
  g.renameOutput(emitter.emit(plan, "", "input", input), "logits");
  const model = modelProto(g, {
    opset,
    graphName: o.graphName ?? "plan",
    inputDims: [input.c, input.h, input.w],
    outputDims: out.h === 0 ? [out.c] : [out.c, out.h, out.w],
    metadata: { ...o.metadata, "bn-folded": String(o.foldBn ?? false) },
  });
  return { model, foldedBn: emitter.folded };
}

/** The ModelProto of `arch` with `stateDict`'s weights, and how many conv + BN pairs were folded. */
export function onnxModel(
  arch: Arch,
  stateDict: ReadonlyMap<string, Tensor>,
  o: ExportOptions = {},
): { model: ModelProto; foldedBn: number } {
  const input: Shape = { c: arch.inChannels, h: arch.inputSize, w: arch.inputSize };
  return onnxModelOfPlan(planOf(arch), input, stateDict, {
    ...o,
    graphName: arch.family,
    metadata: { arch: printArch(arch) },
  });
}

/** ONNX model bytes (ModelProto) of `arch` with the weights in `stateDict`. */
export function exportOnnx(
  arch: Arch,
  stateDict: ReadonlyMap<string, Tensor>,
  o: ExportOptions = {},
): Uint8Array {
  return encodeModel(onnxModel(arch, stateDict, o).model);
}
