// safetensors I/O (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}, __metadata__?}, then raw little-endian
// data. Loading only parses JSON and copies bytes; nothing in the file is executed.
import { readBytes, writeFileAtomic } from "../util/files.js";
import { BYTES_PER_ELEMENT, type DType } from "./dtype.js";
import { type Tensor, tensor } from "./tensor.js";

const TO_FILE: Record<DType, string> = {
  float32: "F32",
  float64: "F64",
  int64: "I64",
  int32: "I32",
  uint8: "U8",
  bool: "BOOL",
};
const FROM_FILE: Record<string, DType> = Object.fromEntries(
  Object.entries(TO_FILE).map(([k, v]) => [v, k as DType]),
);
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface Safetensors {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

type Named = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;
const entriesOf = (named: Named): [string, Tensor][] =>
  named instanceof Map ? [...named.entries()] : Object.entries(named as Record<string, Tensor>);

/** Serialises tensors (PyTorch dotted names) and string metadata into safetensors bytes. */
export function encodeSafetensors(named: Named, metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entriesOf(named)) {
    const data = t.toTypedArray();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    header[name] = { dtype: TO_FILE[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((json.length + 8) % 8)) % 8);
  const jsonBytes = Buffer.from(json, "utf8");
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(jsonBytes.length));
  return Buffer.concat([prefix, jsonBytes, ...blobs]);
}

function fail(source: string, problem: string): never {
  throw new Error(`${source}: not a valid safetensors file: ${problem}`);
}

/** Parses safetensors bytes; `source` names the file in errors. */
export function decodeSafetensors(bytes: Uint8Array, source = "safetensors"): Safetensors {
  if (bytes.length < 8) fail(source, `only ${bytes.length} bytes`);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.readBigUInt64LE(0));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.length) {
    fail(source, `header length ${headerLength} exceeds the file size ${bytes.length}`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(view.subarray(8, 8 + headerLength).toString("utf8"));
  } catch (error) {
    fail(source, `header is not JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header))
    fail(source, "header is not an object");
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, Tensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) metadata[k] = String(v);
      continue;
    }
    const { dtype: fileDtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    const dtype = FROM_FILE[String(fileDtype)];
    if (!dtype) fail(source, `tensor "${name}" has unsupported dtype ${JSON.stringify(fileDtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(source, `tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((d) => Number.isInteger(d) && d >= 0)
    ) {
      fail(source, `tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const expected = (shape as number[]).reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[dtype];
    if (end < begin || end > dataLength) {
      fail(
        source,
        `tensor "${name}" data [${begin}, ${end}) lies outside the ${dataLength} data bytes (truncated?)`,
      );
    }
    if (end - begin !== expected) {
      fail(
        source,
        `tensor "${name}" has ${end - begin} bytes but shape [${shape}] ${dtype} needs ${expected}`,
      );
    }
    // Copy into an aligned buffer: typed arrays need offsets that are multiples of the element size.
    const copy = new Uint8Array(expected);
    copy.set(bytes.subarray(dataStart + begin, dataStart + end));
    tensors.set(name, tensorFromBytes(copy, shape as number[], dtype));
  }
  return { tensors, metadata };
}

function tensorFromBytes(bytes: Uint8Array, shape: number[], dtype: DType): Tensor {
  const n = bytes.length / BYTES_PER_ELEMENT[dtype];
  const b = bytes.buffer;
  switch (dtype) {
    case "float32":
      return tensor(new Float32Array(b, 0, n), { shape, dtype });
    case "float64":
      return tensor(new Float64Array(b, 0, n), { shape, dtype });
    case "int64":
      return tensor(new BigInt64Array(b, 0, n), { shape, dtype });
    case "int32":
      return tensor(new Int32Array(b, 0, n), { shape, dtype });
    case "uint8":
    case "bool":
      return tensor(bytes, { shape, dtype });
  }
}

/** Writes tensors atomically (temporary file, then rename). */
export function saveSafetensors(path: string, named: Named, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(named, metadata));
}

export function loadSafetensors(path: string): Safetensors {
  return decodeSafetensors(readBytes(path), path);
}
