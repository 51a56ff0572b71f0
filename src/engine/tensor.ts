// Tensor: a TypeScript handle on one libtorch tensor, with the math, reduction, shape, autograd and
// in-place methods CNN training needs, plus the creation functions. Errors from libtorch arrive as
// JS Errors naming the op and the input shapes.
import {
  type DType,
  dtypeCode,
  dtypeFromCode,
  dtypeOfTypedArray,
  type TypedArray,
  typedFromNumbers,
  typedView,
} from "./dtype.js";
import { type Handle, native } from "./native.js";
import { track } from "./scope.js";

export type Shape = readonly number[];
type Operand = Tensor | number | boolean;

const raw = (v: Operand) => (v instanceof Tensor ? v.h : v);
const dimList = (dim: number | readonly number[] | undefined): number[] =>
  dim === undefined ? [] : typeof dim === "number" ? [dim] : [...dim];

export class Tensor {
  /** The addon handle; valid until dispose(). */
  readonly h: Handle;
  #shape: number[] | undefined;
  #dtype: DType | undefined;

  constructor(h: Handle) {
    this.h = h;
    track(this);
  }

  // ---- metadata ----
  get shape(): number[] {
    this.#shape ??= native.shape(this.h);
    return this.#shape;
  }
  get dtype(): DType {
    this.#dtype ??= dtypeFromCode(native.dtype(this.h));
    return this.#dtype;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get isDisposed(): boolean {
    return native.isDisposed(this.h);
  }
  /** Frees the tensor now (views and autograd graphs that share its storage keep it alive). */
  dispose(): void {
    native.dispose(this.h);
  }
  toString(): string {
    return this.isDisposed ? "Tensor(<disposed>)" : `Tensor(${this.dtype} [${this.shape.join(", ")}])`;
  }

  // ---- data out ----
  /** A copy of the data as a typed array (int64 as BigInt64Array, bool as bytes). */
  toTypedArray(): TypedArray {
    return typedView(this.dtype, native.toBuffer(this.h));
  }
  /** A copy of the data as plain numbers, row-major. */
  toList(): number[] {
    return Array.from(this.toTypedArray() as ArrayLike<number | bigint>, Number);
  }
  item(): number {
    return native.item(this.h);
  }

  // ---- elementwise ----
  add(o: Operand): Tensor {
    return new Tensor(native.add(this.h, raw(o)));
  }
  sub(o: Operand): Tensor {
    return new Tensor(native.sub(this.h, raw(o)));
  }
  mul(o: Operand): Tensor {
    return new Tensor(native.mul(this.h, raw(o)));
  }
  div(o: Operand): Tensor {
    return new Tensor(native.div(this.h, raw(o)));
  }
  pow(o: Operand): Tensor {
    return new Tensor(native.pow(this.h, raw(o)));
  }
  eq(o: Operand): Tensor {
    return new Tensor(native.eq(this.h, raw(o)));
  }
  ne(o: Operand): Tensor {
    return new Tensor(native.ne(this.h, raw(o)));
  }
  lt(o: Operand): Tensor {
    return new Tensor(native.lt(this.h, raw(o)));
  }
  le(o: Operand): Tensor {
    return new Tensor(native.le(this.h, raw(o)));
  }
  gt(o: Operand): Tensor {
    return new Tensor(native.gt(this.h, raw(o)));
  }
  ge(o: Operand): Tensor {
    return new Tensor(native.ge(this.h, raw(o)));
  }
  maximum(o: Tensor): Tensor {
    return new Tensor(native.maximum(this.h, o.h));
  }
  minimum(o: Tensor): Tensor {
    return new Tensor(native.minimum(this.h, o.h));
  }
  matmul(o: Tensor): Tensor {
    return new Tensor(native.matmul(this.h, o.h));
  }
  neg(): Tensor {
    return new Tensor(native.neg(this.h));
  }
  exp(): Tensor {
    return new Tensor(native.exp(this.h));
  }
  log(): Tensor {
    return new Tensor(native.log(this.h));
  }
  sqrt(): Tensor {
    return new Tensor(native.sqrt(this.h));
  }
  abs(): Tensor {
    return new Tensor(native.abs(this.h));
  }
  tanh(): Tensor {
    return new Tensor(native.tanh(this.h));
  }
  sigmoid(): Tensor {
    return new Tensor(native.sigmoid(this.h));
  }
  relu(): Tensor {
    return new Tensor(native.relu(this.h));
  }
  clamp(min: number | null, max: number | null = null): Tensor {
    return new Tensor(native.clamp(this.h, min, max));
  }
  to(dtype: DType): Tensor {
    return new Tensor(native.to(this.h, dtypeCode(dtype)));
  }
  /** True when shapes and every element are identical. */
  equal(o: Tensor): boolean {
    return native.equal(this.h, o.h);
  }

  // ---- reductions (no dim: over every element) ----
  sum(dim?: number | readonly number[], keepdim = false): Tensor {
    return new Tensor(native.sum(this.h, dimList(dim), keepdim));
  }
  mean(dim?: number | readonly number[], keepdim = false): Tensor {
    return new Tensor(native.mean(this.h, dimList(dim), keepdim));
  }
  max(dim?: number | readonly number[], keepdim = false): Tensor {
    return new Tensor(native.amax(this.h, dimList(dim), keepdim));
  }
  min(dim?: number | readonly number[], keepdim = false): Tensor {
    return new Tensor(native.amin(this.h, dimList(dim), keepdim));
  }
  argmax(dim: number | null = null, keepdim = false): Tensor {
    return new Tensor(native.argmax(this.h, dim, keepdim));
  }
  topk(k: number, dim = -1, largest = true, sorted = true): { values: Tensor; indices: Tensor } {
    const [values, indices] = native.topk(this.h, k, dim, largest, sorted);
    return { values: new Tensor(values), indices: new Tensor(indices) };
  }

  // ---- shape ----
  view(...shape: number[]): Tensor {
    return new Tensor(native.view(this.h, shape));
  }
  reshape(...shape: number[]): Tensor {
    return new Tensor(native.reshape(this.h, shape));
  }
  permute(...dims: number[]): Tensor {
    return new Tensor(native.permute(this.h, dims));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return new Tensor(native.transpose(this.h, dim0, dim1));
  }
  expand(...shape: number[]): Tensor {
    return new Tensor(native.expand(this.h, shape));
  }
  flip(...dims: number[]): Tensor {
    return new Tensor(native.flip(this.h, dims));
  }
  contiguous(): Tensor {
    return new Tensor(native.contiguous(this.h));
  }
  clone(): Tensor {
    return new Tensor(native.clone(this.h));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return new Tensor(native.narrow(this.h, dim, start, length));
  }
  /** Elements start..end-1 (step apart) along dim, like x[start:end:step]. */
  slice(dim: number, start: number, end: number, step = 1): Tensor {
    return new Tensor(native.slice(this.h, dim, start, end, step));
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return native.chunk(this.h, chunks, dim).map((h) => new Tensor(h));
  }
  /** Splits into pieces of the given sizes, or of equal size `sizes` (the last may be smaller). */
  split(sizes: number | readonly number[], dim = 0): Tensor[] {
    let list: number[];
    if (typeof sizes === "number") {
      const total = this.shape.at(dim) ?? 0;
      list = [];
      for (let at = 0; at < total; at += sizes) list.push(Math.min(sizes, total - at));
    } else {
      list = [...sizes];
    }
    return native.split(this.h, list, dim).map((h) => new Tensor(h));
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return new Tensor(native.flatten(this.h, startDim, endDim));
  }
  squeeze(dim: number | null = null): Tensor {
    return new Tensor(native.squeeze(this.h, dim));
  }
  unsqueeze(dim: number): Tensor {
    return new Tensor(native.unsqueeze(this.h, dim));
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return new Tensor(native.indexSelect(this.h, dim, index.h));
  }
  gather(dim: number, index: Tensor): Tensor {
    return new Tensor(native.gather(this.h, dim, index.h));
  }

  // ---- autograd ----
  get requiresGrad(): boolean {
    return native.requiresGrad(this.h);
  }
  set requiresGrad(on: boolean) {
    native.setRequiresGrad(this.h, on);
  }
  /** Sets requiresGrad and returns this tensor. */
  requiresGrad_(on = true): this {
    native.setRequiresGrad(this.h, on);
    return this;
  }
  get isLeaf(): boolean {
    return native.isLeaf(this.h);
  }
  /** Accumulated gradient, or null (a new handle on the same storage each time). */
  get grad(): Tensor | null {
    const g = native.grad(this.h);
    return g === null ? null : new Tensor(g);
  }
  set grad(g: Tensor | null) {
    native.setGrad(this.h, g === null ? null : g.h);
  }
  backward(gradient: Tensor | null = null, retainGraph = false): void {
    native.backward(this.h, gradient === null ? null : gradient.h, retainGraph);
  }
  detach(): Tensor {
    return new Tensor(native.detach(this.h));
  }
  /** A new, unowned handle on the same data without autograd history (for subclasses such as Parameter). */
  detachedHandle(): Handle {
    return native.detach(this.h);
  }

  // ---- in place (for optimizers and initialisation; they bump no autograd history under noGrad) ----
  add_(o: Operand, alpha = 1): this {
    native.add_(this.h, raw(o), alpha);
    return this;
  }
  mul_(o: Operand): this {
    native.mul_(this.h, raw(o));
    return this;
  }
  copy_(src: Tensor): this {
    native.copy_(this.h, src.h);
    return this;
  }
  /** Swaps in src's data (shape and dtype too) under the same handle, like PyTorch's `t.data = src`. */
  setData_(src: Tensor): this {
    native.setData(this.h, src.h);
    this.#shape = undefined;
    this.#dtype = undefined;
    return this;
  }
  zero_(): this {
    native.zero_(this.h);
    return this;
  }
  fill_(value: number | boolean): this {
    native.fill_(this.h, value);
    return this;
  }
  uniform_(from = 0, to = 1): this {
    native.uniform_(this.h, from, to);
    return this;
  }
  normal_(mean = 0, std = 1): this {
    native.normal_(this.h, mean, std);
    return this;
  }
}

// ---- creation ----

type NestedNumbers = number | boolean | readonly NestedNumbers[];

function inferShape(values: NestedNumbers): number[] {
  const shape: number[] = [];
  let v: NestedNumbers = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0] as NestedNumbers;
  }
  return shape;
}

/**
 * A tensor from a typed array, a flat or nested number array, or a number. `shape` defaults to the
 * nesting of `values` (1-D for typed arrays); `dtype` to float32, or the typed array's own type.
 */
export function tensor(
  values: TypedArray | NestedNumbers,
  options: { shape?: Shape; dtype?: DType } = {},
): Tensor {
  if (ArrayBuffer.isView(values)) {
    const dtype = options.dtype ?? dtypeOfTypedArray(values);
    const shape = options.shape ?? [values.length];
    const data =
      dtype === dtypeOfTypedArray(values) || (dtype === "bool" && values instanceof Uint8Array)
        ? values
        : typedFromNumbers(dtype, Array.from(values as ArrayLike<number | bigint>, Number));
    return new Tensor(native.fromBuffer(data, [...shape], dtypeCode(dtype)));
  }
  const dtype = options.dtype ?? "float32";
  const shape = options.shape ?? inferShape(values);
  const flat = (Array.isArray(values) ? (values as unknown[]).flat(Infinity) : [values]) as (
    | number
    | boolean
  )[];
  return new Tensor(
    native.fromBuffer(typedFromNumbers(dtype, flat.map(Number)), [...shape], dtypeCode(dtype)),
  );
}

export const zeros = (shape: Shape, dtype: DType = "float32") =>
  new Tensor(native.zeros([...shape], dtypeCode(dtype)));
export const ones = (shape: Shape, dtype: DType = "float32") =>
  new Tensor(native.ones([...shape], dtypeCode(dtype)));
export const full = (shape: Shape, value: number | boolean, dtype: DType = "float32") =>
  new Tensor(native.full([...shape], value, dtypeCode(dtype)));
/** Uniform [0, 1) from the global generator (seed it with manualSeed). */
export const rand = (shape: Shape, dtype: DType = "float32") =>
  new Tensor(native.rand([...shape], dtypeCode(dtype)));
/** Standard normal from the global generator. */
export const randn = (shape: Shape, dtype: DType = "float32") =>
  new Tensor(native.randn([...shape], dtypeCode(dtype)));
/** Integers in [low, high) from the global generator. */
export const randint = (low: number, high: number, shape: Shape, dtype: DType = "int64") =>
  new Tensor(native.randint(low, high, [...shape], dtypeCode(dtype)));
export const randperm = (n: number) => new Tensor(native.randperm(n));
export const arange = (start: number, end: number, step = 1, dtype: DType = "int64") =>
  new Tensor(native.arange(start, end, step, dtypeCode(dtype)));
export const zerosLike = (t: Tensor) => new Tensor(native.zerosLike(t.h));

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  return new Tensor(
    native.cat(
      tensors.map((t) => t.h),
      dim,
    ),
  );
}
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  return new Tensor(
    native.stack(
      tensors.map((t) => t.h),
      dim,
    ),
  );
}
export function where(condition: Tensor, a: Tensor, b: Tensor): Tensor {
  return new Tensor(native.where(condition.h, a.h, b.h));
}

/** X with A X = B for a square, invertible A [n, n] and B [n, k] (torch.linalg.solve). */
export function linalgSolve(a: Tensor, b: Tensor): Tensor {
  return new Tensor(native.linalgSolve(a.h, b.h));
}
