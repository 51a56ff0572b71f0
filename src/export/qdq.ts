// Post-training static int8 quantization of an exported fp32 ONNX model into QDQ form (ONNX
// QuantizeLinear/DequantizeLinear, opset 13+), the form ONNX Runtime fuses into integer kernels
// (QLinearConv, QGemm): every Conv and Gemm reads its input through its own Q -> DQ pair (uint8,
// per tensor, asymmetric, from ranges calibrated in ONNX Runtime, min-max, percentile or entropy), its weight through a DQ of int8
// per-output-channel symmetric values (axis 0), its bias through a DQ of int32 values at scale
// input scale x weight scale, and writes its output through a Q -> DQ pair, as ORT's QDQ transformer
// expects (onnxruntime/core/optimizer/qdq_transformer).
import type onnxProto from "onnx-proto";
import { type ObserverKind, type Range, rangeObserver } from "../quant/observers.js";
import { type ModelProto, onnx } from "./onnx-builder.js";

type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
const { DataType } = onnx.TensorProto;

export type { Range } from "../quant/observers.js";

export interface QdqOptions {
  /**
   * Weights on 7 bits ([-64, 63]) instead of 8, so that x86 U8S8 kernels without VNNI (VPMADDUBSW adds
   * two uint8 x int8 products into int16) cannot saturate; ORT's quantize_static calls it reduce_range.
   */
  reduceRange?: boolean;
  /**
   * Per-output-channel steps of weights trained on a grid (quantization-aware training), by weight
   * initializer name: their values are stored as the integer levels they are (2^b of them for b bits).
   */
  weightSteps?: ReadonlyMap<string, Float32Array>;
  /**
   * Input ranges by Conv/Gemm node name, over the ranges of their input values: layers that learned
   * their own input range (quantization-aware training) keep it even where they share an input.
   */
  layerInputRanges?: ReadonlyMap<string, Range>;
}

const QUANTIZED_OPS = new Set(["Conv", "Gemm"]);

/** The values whose ranges quantization needs: every Conv/Gemm input and output. */
export function calibrationValues(model: ModelProto): string[] {
  const names = new Set<string>();
  for (const n of model.graph?.node ?? []) {
    if (!QUANTIZED_OPS.has(n.opType ?? "")) continue;
    names.add(n.input?.[0] as string);
    names.add(n.output?.[0] as string);
  }
  return [...names];
}

/** The model with `values` added as graph outputs, so one ORT run reports them all. */
export function withOutputs(model: ModelProto, values: readonly string[]): ModelProto {
  const graph = model.graph ?? {};
  const existing = new Set([
    ...(graph.output ?? []).map((o) => o.name),
    ...(graph.input ?? []).map((i) => i.name),
  ]);
  const extra = values
    .filter((v) => !existing.has(v))
    .map((name) => ({ name, type: { tensorType: { elemType: DataType.FLOAT } } }));
  return { ...model, graph: { ...graph, output: [...(graph.output ?? []), ...extra] } };
}

/** uint8 asymmetric parameters covering `r` and 0. */
function activationParams(r: Range): { scale: number; zeroPoint: number } {
  const lo = Math.min(r.min, 0);
  const hi = Math.max(r.max, 0);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

/** A float32 initializer's values. */
export const floatsOf = (t: TensorProto): Float32Array => {
  if (t.dataType !== DataType.FLOAT) throw new Error(`qdq: initializer "${t.name}" is not float32`);
  if (t.rawData && t.rawData.length > 0) {
    const raw = t.rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return Float32Array.from(t.floatData ?? []);
};

const raw = (a: Int8Array | Uint8Array | Int32Array | Float32Array) =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * The QDQ model of fp32 `model` with activation ranges `ranges` (by value name; the graph input's too).
 * Every Conv and Gemm is quantized; the other ops run in float between a DQ and the next Q.
 */
export function quantizeQdq(
  model: ModelProto,
  ranges: ReadonlyMap<string, Range>,
  o: QdqOptions = {},
): ModelProto {
  const graph = model.graph ?? {};
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name as string, t]));
  const used = new Set<string>();
  const added: TensorProto[] = [];
  const nodes: NodeProto[] = [];
  const qmax = o.reduceRange ? 63 : 127;
  const constant = (
    name: string,
    dataType: number,
    dims: number[],
    data: Int8Array | Uint8Array | Int32Array | Float32Array,
  ) => {
    if (!used.has(name)) added.push({ name, dims, dataType, rawData: raw(data) });
    used.add(name);
    return name;
  };
  // A value some layer learned its input range on takes that range everywhere (also as the output of
  // the conv that writes it, so that conv -> conv chains keep matching pairs and fuse); a second
  // consumer with a range of its own keeps it for its input.
  const learnedInputs = new Map<string, Range>();
  for (const n of graph.node ?? []) {
    const r = o.layerInputRanges?.get(n.name as string);
    if (r && QUANTIZED_OPS.has(n.opType ?? "")) learnedInputs.set(n.input?.[0] as string, r);
  }
  /** Input ranges of their own, by key `<node>.own_input` (apart from value names, which may equal node names). */
  const ownInputs = new Map<string, Range>();
  /** Scale and zero point of activation `value` (or of an own input key), as initializers shared by every pair on it. */
  const activation = (value: string) => {
    const r = ownInputs.get(value) ?? learnedInputs.get(value) ?? ranges.get(value);
    if (!r) throw new Error(`qdq: no calibrated range for "${value}"`);
    const p = activationParams(r);
    return {
      ...p,
      scaleName: constant(`${value}.scale`, DataType.FLOAT, [], Float32Array.of(p.scale)),
      zeroName: constant(`${value}.zero_point`, DataType.UINT8, [], Uint8Array.of(p.zeroPoint)),
    };
  };
  /** Q -> DQ of `input`, whose range is the calibrated one of value `key`, into value `out`. */
  const pair = (input: string, key: string, tag: string, out: string) => {
    const { scaleName, zeroName } = activation(key);
    nodes.push({
      name: `${tag}.q`,
      opType: "QuantizeLinear",
      input: [input, scaleName, zeroName],
      output: [`${tag}.q`],
    });
    nodes.push({
      name: `${tag}.dq`,
      opType: "DequantizeLinear",
      input: [`${tag}.q`, scaleName, zeroName],
      output: [out],
    });
  };
  const dq = (name: string, input: string[], axis: number) =>
    nodes.push({
      name,
      opType: "DequantizeLinear",
      input,
      output: [name],
      attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: axis }],
    });

  const quantized = new Set<string>();
  for (const n of graph.node ?? []) {
    if (!QUANTIZED_OPS.has(n.opType ?? "")) {
      nodes.push(n);
      continue;
    }
    const [x, w, b] = n.input as string[];
    const name = n.name as string;
    const weight = initializers.get(w as string);
    if (!weight) throw new Error(`qdq: ${n.opType} "${name}" has no weight initializer "${w}"`);
    const dims = (weight.dims ?? []).map(Number);
    const channels = dims[0] as number;
    const per = dims.slice(1).reduce((a, d) => a * d, 1);
    const values = floatsOf(weight);
    const wScale = new Float32Array(channels);
    const wInt = new Int8Array(values.length);
    const steps = o.weightSteps?.get(w as string);
    const [lo, hi] = steps ? [-128, 127] : [-qmax, qmax];
    for (let c = 0; c < channels; c++) {
      let absMax = 0;
      for (let i = 0; i < per; i++) absMax = Math.max(absMax, Math.abs(values[c * per + i] as number));
      const s = steps ? (steps[c] as number) : absMax > 0 ? absMax / qmax : 1;
      wScale[c] = s;
      for (let i = 0; i < per; i++)
        wInt[c * per + i] = Math.max(lo, Math.min(hi, Math.round((values[c * per + i] as number) / s)));
    }
    quantized.add(w as string);
    const own = o.layerInputRanges?.get(name);
    let inputKey = x as string;
    if (own && own !== learnedInputs.get(x as string)) {
      inputKey = `${name}.own_input`;
      ownInputs.set(inputKey, own);
    }
    pair(x as string, inputKey, `${name}.input`, `${name}.input.dq`);
    const wq = constant(`${w}.int8`, DataType.INT8, dims, wInt);
    const ws = constant(`${w}.scale`, DataType.FLOAT, [channels], wScale);
    const wz = constant(`${w}.zero_point`, DataType.INT8, [channels], new Int8Array(channels));
    dq(`${name}.weight.dq`, [wq, ws, wz], 0);
    const inputs = [`${name}.input.dq`, `${name}.weight.dq`];
    if (b) {
      const bias = initializers.get(b);
      if (!bias) throw new Error(`qdq: ${n.opType} "${name}" has no bias initializer "${b}"`);
      const xScale = activation(inputKey).scale;
      const bFloat = floatsOf(bias);
      const bScale = Float32Array.from(wScale, (s) => s * xScale);
      const bInt = Int32Array.from(bFloat, (v, c) => Math.round(v / (bScale[c] as number)));
      quantized.add(b);
      const bq = constant(`${b}.int32`, DataType.INT32, [channels], bInt);
      const bs = constant(`${b}.scale`, DataType.FLOAT, [channels], bScale);
      const bz = constant(`${b}.zero_point`, DataType.INT32, [channels], new Int32Array(channels));
      dq(`${name}.bias.dq`, [bq, bs, bz], 0);
      inputs.push(`${name}.bias.dq`);
    }
    const y = n.output?.[0] as string;
    nodes.push({ ...n, input: inputs, output: [`${name}.output`] });
    pair(`${name}.output`, y, `${name}.output`, y);
  }
  const kept = (graph.initializer ?? []).filter((t) => !quantized.has(t.name as string));
  return { ...model, graph: { ...graph, node: nodes, initializer: [...kept, ...added] } };
}

/** One calibration batch: images [B, C, H, W] as the graph input "input" takes them. */
export interface CalibrationBatch {
  x: Float32Array;
  shape: readonly number[];
}

/**
 * Ranges of the values quantization needs (calibrationValues) and of the graph input, over `batches`
 * run through `model` in ONNX Runtime, as observer `kind` sees them (default min-max).
 */
export async function calibrateRanges(
  model: ModelProto,
  batches: readonly CalibrationBatch[],
  kind: ObserverKind = "minmax",
): Promise<Map<string, Range>> {
  if (batches.length === 0) throw new Error("qdq: calibration needs at least one batch");
  const ort = await import("onnxruntime-node");
  const values = calibrationValues(model);
  const bytes = onnx.ModelProto.encode(withOutputs(model, values)).finish();
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "disabled" });
  const observer = rangeObserver(kind);
  try {
    for (const { x, shape } of batches) {
      observer.observe("input", x);
      const out = await session.run({ input: new ort.Tensor("float32", x, [...shape]) });
      for (const name of values)
        if (name !== "input") observer.observe(name, out[name]?.data as Float32Array);
    }
  } finally {
    await session.release();
  }
  return observer.ranges();
}
