// safetensors I/O (round trips, atomic writes, corrupt files) and the seeded global generator.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  encodeSafetensors,
  getRngState,
  loadSafetensors,
  manualSeed,
  randn,
  saveSafetensors,
  setRngState,
  type Tensor,
  tensor,
  zeros,
} from "../../src/engine/index.js";
import { tempDir } from "../helpers.js";

const dir = tempDir("lithe-safetensors-");
after(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (t: Tensor) => {
  const d = t.toTypedArray();
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
};

const regExpLiteral = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Writes a safetensors file from a header object (length prefix computed) and raw data bytes. */
function writeRaw(name: string, header: unknown, data: Uint8Array = new Uint8Array(0)): string {
  const json = Buffer.from(typeof header === "string" ? header : JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([prefix, json, data]));
  return path;
}

test("every dtype, a 0-d and an empty tensor round-trip bit for bit, with metadata", () => {
  const named = new Map<string, Tensor>([
    [
      "f32",
      tensor(new Float32Array([1.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e-45, -3.25]), {
        shape: [2, 3],
      }),
    ],
    ["f64", tensor(new Float64Array([Math.PI, -0, Number.NEGATIVE_INFINITY, 5e-324]), { shape: [4] })],
    ["i64", tensor(new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n]), { shape: [2, 2] })],
    ["i32", tensor(new Int32Array([-(2 ** 31), 2 ** 31 - 1, 7]), { shape: [3, 1] })],
    ["u8", tensor(new Uint8Array([0, 1, 127, 128, 255]), { shape: [5] })],
    ["flags", tensor([true, false, false, true], { dtype: "bool", shape: [2, 2] })],
    ["scalar", tensor(new Float32Array([42.5]), { shape: [] })],
    ["empty", zeros([0, 3], "int64")],
    ["layer.0.weight", randn([3, 2, 1, 1], "float64")],
  ]);
  const metadata = { format: "pt", note: "ünïcode ✓", epoch: "12" };
  const path = join(dir, "all.safetensors");
  saveSafetensors(path, named, metadata);

  const loaded = loadSafetensors(path);
  assert.deepEqual(loaded.metadata, metadata);
  assert.deepEqual([...loaded.tensors.keys()].sort(), [...named.keys()].sort());
  for (const [name, original] of named) {
    const back = loaded.tensors.get(name) as Tensor;
    assert.equal(back.dtype, original.dtype, `${name} dtype`);
    assert.deepEqual(back.shape, original.shape, `${name} shape`);
    assert.ok(bytesOf(back).equals(bytesOf(original)), `${name} bytes are identical`);
  }
  assert.deepEqual(loaded.tensors.get("scalar")?.shape, []);
  assert.equal(loaded.tensors.get("scalar")?.item(), 42.5);
  assert.equal(loaded.tensors.get("empty")?.numel, 0);
  assert.deepEqual(loaded.tensors.get("flags")?.toList(), [1, 0, 0, 1]);
});

test("the file follows the format: 8-byte length, 8-aligned JSON header, data at the stated offsets", () => {
  const a = tensor([1, 2, 3], { dtype: "int32" });
  const b = tensor([0.5], { dtype: "float64" });
  const bytes = encodeSafetensors({ a, b }, { k: "v" });
  const headerLength = Number(bytes.readBigUInt64LE(0));
  assert.equal((8 + headerLength) % 8, 0, "data starts 8-byte aligned");
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString("utf8"));
  assert.deepEqual(header, {
    __metadata__: { k: "v" },
    a: { dtype: "I32", shape: [3], data_offsets: [0, 12] },
    b: { dtype: "F64", shape: [1], data_offsets: [12, 20] },
  });
  const data = bytes.subarray(8 + headerLength);
  assert.equal(data.length, 20);
  assert.equal(data.readInt32LE(8), 3);
  assert.equal(data.readDoubleLE(12), 0.5);
});

test("saveSafetensors leaves no temporary file and replaces an existing file whole", () => {
  const sub = mkdtempSync(join(dir, "atomic-"));
  const path = join(sub, "model.safetensors");
  saveSafetensors(path, { w: zeros([1000]) });
  saveSafetensors(path, { w: tensor([7, 8]) });
  assert.deepEqual(readdirSync(sub), ["model.safetensors"]);
  assert.deepEqual(loadSafetensors(path).tensors.get("w")?.toList(), [7, 8]);
});

test("a failed save leaves the previous file and no temporary file behind", () => {
  const sub = mkdtempSync(join(dir, "failed-"));
  const path = join(sub, "model.safetensors");
  saveSafetensors(path, { w: tensor([1, 2]) });
  const dead = tensor([3, 4]);
  dead.dispose();
  assert.throws(() => saveSafetensors(path, { w: dead }), /disposed tensor/);
  assert.deepEqual(readdirSync(sub), ["model.safetensors"]);
  assert.deepEqual(loadSafetensors(path).tensors.get("w")?.toList(), [1, 2]);

  // A non-empty directory in the target's place makes the final rename fail after the data is written.
  const blocked = join(sub, "blocked.safetensors");
  mkdirSync(blocked);
  writeFileSync(join(blocked, "inside"), "x");
  assert.throws(() => saveSafetensors(blocked, { w: tensor([5]) }), { code: /^(EISDIR|ENOTEMPTY|EEXIST)$/ });
  assert.deepEqual(readdirSync(sub).sort(), ["blocked.safetensors", "model.safetensors"]);
  assert.deepEqual(readdirSync(blocked), ["inside"]);
});

test("a file shorter than 8 bytes", () => {
  const path = join(dir, "short.safetensors");
  writeFileSync(path, Buffer.from([1, 2, 3]));
  assert.throws(() => loadSafetensors(path), {
    message: `${path}: not a valid safetensors file: only 3 bytes`,
  });
});

test("a header length larger than the file", () => {
  const path = join(dir, "long-header.safetensors");
  const bytes = Buffer.alloc(16);
  bytes.writeBigUInt64LE(1000n);
  writeFileSync(path, bytes);
  assert.throws(() => loadSafetensors(path), {
    message: `${path}: not a valid safetensors file: header length 1000 exceeds the file size 16`,
  });
});

test("a header that is not JSON", () => {
  const path = writeRaw("not-json.safetensors", "{not json");
  assert.throws(() => loadSafetensors(path), {
    message: new RegExp(`^${regExpLiteral(path)}: not a valid safetensors file: header is not JSON \\(`),
  });
});

test("a header that is JSON but not an object", () => {
  const path = writeRaw("array.safetensors", [1, 2]);
  assert.throws(() => loadSafetensors(path), {
    message: `${path}: not a valid safetensors file: header is not an object`,
  });
});

test("an unknown dtype", () => {
  const path = writeRaw(
    "dtype.safetensors",
    { w: { dtype: "F16", shape: [2], data_offsets: [0, 4] } },
    new Uint8Array(4),
  );
  assert.throws(() => loadSafetensors(path), {
    message: `${path}: not a valid safetensors file: tensor "w" has unsupported dtype "F16"`,
  });
});

test("data offsets beyond the end of a truncated file", () => {
  const full = encodeSafetensors({ w: tensor(new Float32Array(16)) });
  const path = join(dir, "truncated.safetensors");
  writeFileSync(path, full.subarray(0, full.length - 10));
  assert.throws(() => loadSafetensors(path), {
    message: `${path}: not a valid safetensors file: tensor "w" data [0, 64) lies outside the 54 data bytes (truncated?)`,
  });
});

test("a byte count that does not match the shape", () => {
  const path = writeRaw(
    "count.safetensors",
    { w: { dtype: "F32", shape: [2, 3], data_offsets: [0, 20] } },
    new Uint8Array(20),
  );
  assert.throws(() => loadSafetensors(path), {
    message: `${path}: not a valid safetensors file: tensor "w" has 20 bytes but shape [2,3] float32 needs 24`,
  });
});

test("a bad shape and bad offsets", () => {
  const shape = writeRaw("shape.safetensors", { w: { dtype: "U8", shape: [-1], data_offsets: [0, 0] } });
  assert.throws(() => loadSafetensors(shape), {
    message: `${shape}: not a valid safetensors file: tensor "w" has an invalid shape [-1]`,
  });
  const offsets = writeRaw(
    "offsets.safetensors",
    { w: { dtype: "U8", shape: [1], data_offsets: [0] } },
    new Uint8Array(1),
  );
  assert.throws(() => loadSafetensors(offsets), {
    message: `${offsets}: not a valid safetensors file: tensor "w" has invalid data_offsets [0]`,
  });
});

test("a missing file", () => {
  const path = join(dir, "does-not-exist.safetensors");
  assert.throws(() => loadSafetensors(path), { message: `${path}: cannot read (ENOENT)` });
});

test("manualSeed makes randn repeat, and getRngState/setRngState resume a sequence", () => {
  manualSeed(7);
  const a = randn([64]);
  manualSeed(7);
  const again = randn([64]);
  assert.ok(a.equal(again), "same seed, same numbers");
  manualSeed(8);
  assert.ok(!randn([64]).equal(a), "another seed, other numbers");

  manualSeed(7);
  randn([64]);
  const state = getRngState();
  const b = randn([5, 5]);
  const c = randn([3]);
  setRngState(state);
  assert.ok(randn([5, 5]).equal(b), "restored state gives the same next draw");
  assert.ok(randn([3]).equal(c), "and the one after");
});
