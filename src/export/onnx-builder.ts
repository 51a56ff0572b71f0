// Collects an ONNX graph (nodes and initializers, as onnx-proto's plain message objects) and wraps
// it into a ModelProto. Every value, node and initializer name is checked to be unique, so a clash
// is an error here rather than a model that ONNX Runtime refuses later.
import onnxProto from "onnx-proto";

export const { onnx } = onnxProto;
export type ModelProto = onnxProto.onnx.IModelProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;

const { AttributeType } = onnx.AttributeProto;
const { DataType } = onnx.TensorProto;

/** Node attributes: integers (or lists of them) and floats, kept apart so 1.0 never turns into INT 1. */
export interface Attrs {
  ints?: Record<string, number | readonly number[]>;
  floats?: Record<string, number>;
}

function attributes({ ints = {}, floats = {} }: Attrs): AttributeProto[] {
  const out: AttributeProto[] = [];
  for (const [name, v] of Object.entries(ints)) {
    out.push(
      typeof v === "number"
        ? { name, type: AttributeType.INT, i: v }
        : { name, type: AttributeType.INTS, ints: [...v] },
    );
  }
  for (const [name, f] of Object.entries(floats)) out.push({ name, type: AttributeType.FLOAT, f });
  return out;
}

const bytesOf = (a: Float32Array | BigInt64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly #values = new Set<string>(["input"]);
  readonly #nodeNames = new Set<string>();

  #claim(name: string): string {
    if (this.#values.has(name)) throw new Error(`onnx: the value name "${name}" is used twice`);
    this.#values.add(name);
    return name;
  }

  /** Adds node `name` computing op(inputs); its outputs default to one value named like the node. */
  node(
    opType: string,
    name: string,
    inputs: readonly string[],
    attrs: Attrs = {},
    outputs: readonly string[] = [name],
  ): string {
    if (this.#nodeNames.has(name)) throw new Error(`onnx: the node name "${name}" is used twice`);
    this.#nodeNames.add(name);
    for (const o of outputs) this.#claim(o);
    this.nodes.push({ name, opType, input: [...inputs], output: [...outputs], attribute: attributes(attrs) });
    return outputs[0] as string;
  }

  /** A float32 initializer (little-endian raw data). */
  float(name: string, dims: readonly number[], data: Float32Array): string {
    this.initializers.push({
      name: this.#claim(name),
      dims: [...dims],
      dataType: DataType.FLOAT,
      rawData: bytesOf(data),
    });
    return name;
  }

  /** An int64 initializer, e.g. a Reshape target shape; dims [] makes a scalar. */
  int64(name: string, dims: readonly number[], values: readonly number[]): string {
    this.initializers.push({
      name: this.#claim(name),
      dims: [...dims],
      dataType: DataType.INT64,
      rawData: bytesOf(BigInt64Array.from(values, BigInt)),
    });
    return name;
  }

  /** Renames the value `from` (an output of the last node producing it) to `to`, e.g. to "logits". */
  renameOutput(from: string, to: string): void {
    const producer = this.nodes.find((n) => n.output?.includes(from));
    if (!producer?.output) throw new Error(`onnx: no node computes "${from}"`);
    this.#claim(to);
    producer.output = producer.output.map((o: string) => (o === from ? to : o));
  }
}

/** A float32 value with a symbolic batch dimension: ["batch", ...dims]. */
function batchedFloat(name: string, dims: readonly number[]): onnxProto.onnx.IValueInfoProto {
  const dim = [{ dimParam: "batch" }, ...dims.map((d) => ({ dimValue: d }))];
  return { name, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim } } } };
}

/** The lowest IR version that can carry a model of `opset` (ONNX's versioning table). */
const irVersionFor = (opset: number) => (opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10);

export interface ModelInfo {
  opset: number;
  inputDims: readonly number[];
  outputDims: readonly number[];
  graphName: string;
  metadata: Record<string, string>;
}

/** The ModelProto of a graph with input "input" and output "logits". */
export function modelProto(g: GraphBuilder, m: ModelInfo): ModelProto {
  return {
    irVersion: irVersionFor(m.opset),
    producerName: "lithe",
    opsetImport: [{ domain: "", version: m.opset }],
    metadataProps: Object.entries(m.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: m.graphName,
      node: g.nodes,
      initializer: g.initializers,
      input: [batchedFloat("input", m.inputDims)],
      output: [batchedFloat("logits", m.outputDims)],
    },
  };
}

export const encodeModel = (m: ModelProto): Uint8Array => onnx.ModelProto.encode(m).finish();

/** A decoded model reduced to what checks and summaries look at, with plain numbers and arrays. */
export interface ModelSummary {
  opset: number;
  /** Graph input and output dims, symbolic ones by name ("batch"). */
  input: (number | string)[];
  output: (number | string)[];
  nodes: {
    name: string;
    opType: string;
    input: string[];
    output: string[];
    ints: Record<string, number[]>;
  }[];
  /** int64 initializers carry their values; float ones only their name and dims. */
  initializers: { name: string; dims: number[]; type: "float32" | "int64" | "other"; values?: number[] }[];
}

const dimsOf = (v: onnxProto.onnx.IValueInfoProto | undefined) =>
  (v?.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam || Number(d.dimValue));

export function summarizeModel(bytes: Uint8Array): ModelSummary {
  const m = onnx.ModelProto.decode(bytes);
  const g = m.graph;
  if (!g) throw new Error("onnx: the model has no graph");
  return {
    opset: Number(m.opsetImport[0]?.version ?? 0),
    input: dimsOf(g.input?.[0]),
    output: dimsOf(g.output?.[0]),
    nodes: (g.node ?? []).map((n) => ({
      name: n.name ?? "",
      opType: n.opType ?? "",
      input: [...(n.input ?? [])],
      output: [...(n.output ?? [])],
      ints: Object.fromEntries(
        (n.attribute ?? []).map((a) => [
          a.name ?? "",
          a.ints?.length ? a.ints.map(Number) : [Number(a.i ?? 0)],
        ]),
      ),
    })),
    initializers: (g.initializer ?? []).map((i) => {
      const dims = (i.dims ?? []).map(Number);
      if (i.dataType === DataType.FLOAT) return { name: i.name ?? "", dims, type: "float32" as const };
      if (i.dataType !== DataType.INT64 || !i.rawData)
        return { name: i.name ?? "", dims, type: "other" as const };
      const raw = new Uint8Array(i.rawData); // aligned copy
      const values = [...new BigInt64Array(raw.buffer, 0, raw.length / 8)].map(Number);
      return { name: i.name ?? "", dims, type: "int64" as const, values };
    }),
  };
}
