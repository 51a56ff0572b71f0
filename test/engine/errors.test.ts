// Engine errors: bad shapes, dtypes, disposed tensors and bad arguments throw JS Errors naming the op and inputs.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cat,
  F,
  getNumThreads,
  manualSeed,
  ones,
  setNumThreads,
  type Tensor,
  tensor,
  zeros,
} from "../../src/engine/index.js";

/** Asserts fn throws an Error whose message matches every pattern, then that the engine still works. */
function assertOpError(fn: () => unknown, ...patterns: RegExp[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof Error, `expected an Error, got ${String(caught)}`);
  for (const pattern of patterns) assert.match(caught.message, pattern);
  assert.deepEqual(
    ones([2])
      .add(ones([2]))
      .toList(),
    [2, 2],
    "a valid op works after the error",
  );
}

test("conv2d with the wrong input channel count names the op and both shapes", () => {
  assertOpError(
    () => F.conv2d(zeros([2, 5, 8, 8]), zeros([8, 3, 3, 3])),
    /^conv2d:/,
    /\[2, 5, 8, 8\] float32/,
    /\[8, 3, 3, 3\] float32/,
  );
});

test("matmul of mismatched inner dimensions", () => {
  assertOpError(() => zeros([2, 3]).matmul(zeros([4, 5])), /^matmul:/, /\[2, 3\]/, /\[4, 5\]/);
});

test("view to a shape with a different element count", () => {
  assertOpError(() => zeros([2, 3]).view(4, 2), /^view:/, /\[4, 2\]/, /\(inputs: \[2, 3\] float32\)/);
});

test("cat of tensors whose other dimensions differ", () => {
  assertOpError(() => cat([zeros([2, 3]), zeros([2, 4])], 0), /^cat:/, /\[2, 3\] float32, \[2, 4\] float32/);
});

test("crossEntropy with float targets names the dtypes", () => {
  assertOpError(
    () => F.crossEntropy(zeros([4, 10]), zeros([4])),
    /^crossEntropy:/,
    /\[4, 10\] float32, \[4\] float32/,
  );
});

test("indexSelect with a float index", () => {
  assertOpError(
    () => zeros([4, 3]).indexSelect(0, zeros([2])),
    /^indexSelect:/,
    /\[4, 3\] float32, \[2\] float32/,
  );
});

test("using a tensor after dispose() throws instead of crashing", () => {
  const t = ones([2, 2]);
  t.dispose();
  assert.equal(t.isDisposed, true);
  assertOpError(() => t.add(1), /^add:/, /disposed tensor/, /<disposed>/);
  assertOpError(() => t.shape, /^shape:/, /disposed/);
  assertOpError(
    () => ones([2, 2]).mul(t),
    /^mul:/,
    /argument 1 is a disposed tensor/,
    /\[2, 2\] float32, <disposed>/,
  );
});

test("a disposed tensor inside the list given to cat", () => {
  const dead = ones([2, 2]);
  dead.dispose();
  const alive: Tensor[] = [ones([2, 2]), dead];
  assertOpError(() => cat(alive), /^cat:/, /element 1 is a disposed tensor/, /\[2, 2\] float32, <disposed>/);
});

test("tensor() with a buffer of the wrong size", () => {
  assertOpError(
    () => tensor(new Float32Array(5), { shape: [2, 3] }),
    /^fromBuffer:/,
    /holds 20 bytes but shape \[2, 3\] needs 24/,
  );
});

test("item() on a tensor with more than one element", () => {
  assertOpError(() => zeros([2, 3]).item(), /^item:/, /one element/, /\[2, 3\]/);
  assert.equal(zeros([1, 1]).add(3).item(), 3);
});

test("setNumThreads(0) is refused and leaves the thread count alone", () => {
  const before = getNumThreads();
  assertOpError(() => setNumThreads(0), /^setNumThreads:/, /positive integer, got 0/);
  assertOpError(() => setNumThreads(1.5), /^setNumThreads:/, /got 1\.5/);
  assert.equal(getNumThreads(), before);
});

test("manualSeed(-1) is refused", () => {
  assertOpError(() => manualSeed(-1), /^manualSeed:/, /non-negative integer, got -1/);
  assertOpError(() => manualSeed(Number.NaN), /^manualSeed:/, /got NaN/);
});
