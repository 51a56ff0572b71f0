// Element types the engine supports, their addon codes (native/common.h) and typed-array views.
export type DType = "float32" | "float64" | "int64" | "uint8" | "bool" | "int32";

export type TypedArray = Float32Array | Float64Array | BigInt64Array | Uint8Array | Int32Array;

const CODES: Record<DType, number> = { float32: 0, float64: 1, int64: 2, uint8: 3, bool: 4, int32: 5 };
const NAMES: DType[] = ["float32", "float64", "int64", "uint8", "bool", "int32"];

export const BYTES_PER_ELEMENT: Record<DType, number> = {
  float32: 4,
  float64: 8,
  int64: 8,
  uint8: 1,
  bool: 1,
  int32: 4,
};

export function dtypeCode(dtype: DType): number {
  const code = CODES[dtype];
  if (code === undefined) throw new Error(`unknown dtype "${dtype}" (expected one of ${NAMES.join(", ")})`);
  return code;
}

export function dtypeFromCode(code: number): DType {
  const name = NAMES[code];
  if (name === undefined) throw new Error(`unknown dtype code ${code}`);
  return name;
}

export function isFloating(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

/** A typed-array view of `buffer` for `dtype` (bool is viewed as bytes). */
export function typedView(dtype: DType, buffer: ArrayBuffer): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(buffer);
    case "float64":
      return new Float64Array(buffer);
    case "int64":
      return new BigInt64Array(buffer);
    case "int32":
      return new Int32Array(buffer);
    case "uint8":
    case "bool":
      return new Uint8Array(buffer);
  }
}

/** Copies plain numbers into a typed array of `dtype`. */
export function typedFromNumbers(dtype: DType, values: ArrayLike<number>): TypedArray {
  switch (dtype) {
    case "float32":
      return Float32Array.from(values);
    case "float64":
      return Float64Array.from(values);
    case "int64":
      return BigInt64Array.from(Array.from(values, (v) => BigInt(Math.trunc(v))));
    case "int32":
      return Int32Array.from(values);
    case "uint8":
      return Uint8Array.from(values);
    case "bool":
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
  }
}

/** The dtype a typed array holds by default. */
export function dtypeOfTypedArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof BigInt64Array) return "int64";
  if (a instanceof Int32Array) return "int32";
  return "uint8";
}
