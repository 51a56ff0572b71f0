// IDX reader and MNIST-format loader: real Fashion-MNIST files, a gzip round trip, and garbage input.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { readIdx } from "../../src/data/idx.js";
import { FASHION_MNIST_DIR, loadMnistFormat } from "../../src/data/mnist.js";
import { tempDir } from "../helpers.js";

/** An IDX uint8 file: magic 00 00 08 ndim, big-endian sizes, data. */
function idxBytes(shape: number[], data: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header.writeUInt8(8, 2);
  header.writeUInt8(shape.length, 3);
  shape.forEach((d, i) => {
    header.writeUInt32BE(d, 4 + 4 * i);
  });
  return Buffer.concat([header, Buffer.from(data)]);
}

const dir = tempDir("lithe-idx-");
const file = (name: string, bytes: Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

describe("readIdx", () => {
  it("reads raw and gzip files to the same shape and bytes", () => {
    const bytes = idxBytes([2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
    for (const path of [file("raw", bytes), file("gz", gzipSync(bytes))]) {
      const a = readIdx(path);
      assert.deepEqual(a.shape, [2, 2, 3]);
      assert.deepEqual([...a.data], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
    }
  });

  it("rejects garbage with the file name and the problem", () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ["magic", Buffer.from([1, 2, 3, 4, 5]), /bad magic number/],
      ["float", Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 0]), /element type 0xd is not uint8/],
      ["header", Buffer.from([0, 0, 8, 3, 0, 0]), /header is truncated/],
      ["short", idxBytes([2, 3], [1, 2, 3]), /promises \[2, 3\] = 6 bytes but the file holds 3/],
      ["gzip", Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]), /corrupt gzip data/],
    ];
    for (const [name, bytes, problem] of cases) {
      const path = file(name, bytes);
      assert.throws(
        () => readIdx(path),
        (e: Error) => e.message.startsWith(path) && problem.test(e.message),
      );
    }
    assert.throws(() => readIdx(join(dir, "missing")), /missing: cannot read \(ENOENT\)/);
  });
});

describe("loadMnistFormat", () => {
  it("loads Fashion-MNIST with its published sizes (60k/10k, 28x28, 10 classes)", () => {
    const train = loadMnistFormat(FASHION_MNIST_DIR, "train");
    const test = loadMnistFormat(FASHION_MNIST_DIR, "test");
    assert.deepEqual([train.count, train.height, train.width], [60000, 28, 28]);
    assert.equal(test.count, 10000);
    assert.deepEqual([train.classes, train.channels], [10, 1]);
    const perClass = new Array(10).fill(0);
    for (const l of train.labels) perClass[l]++;
    assert.deepEqual(perClass, new Array(10).fill(6000));
  });

  it("refuses a label count that does not match the image count", () => {
    const sub = mkdtempSync(join(dir, "mismatch-"));
    writeFileSync(join(sub, "t10k-images-idx3-ubyte"), idxBytes([3, 2, 2], new Array(12).fill(0)));
    writeFileSync(join(sub, "t10k-labels-idx1-ubyte"), idxBytes([2], [0, 1]));
    assert.throws(() => loadMnistFormat(sub, "test"), /3 test images but 2 labels/);
    assert.throws(() => loadMnistFormat(sub, "train"), /no train-images-idx3-ubyte\[\.gz\] here/);
  });
});
