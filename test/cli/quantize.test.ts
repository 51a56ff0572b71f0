// `lithe quantize` on a short training run: the int8 file is written and loads in ONNX Runtime, the fp32
// top-1 it reports (ONNX Runtime, BN folded) is the one `lithe eval` measures on libtorch, the int8
// top-1 follows it, the file is smaller; bad flags and data that do not fit write nothing.
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { readCpuFlags, x86WithoutVnni } from "../../src/engine/blas-env.js";
import type { QuantizeRunResult } from "../../src/export/quantize-run.js";
import { tempDir } from "../helpers.js";
import { fails, lithe } from "./run-cli.js";

const dir = tempDir("lithe-quantize-");
const weights = join(dir, "run", "model.safetensors");
const data = ["--data", "synthetic:128"];

describe("lithe quantize", () => {
  before(() => {
    const r = lithe([
      "train",
      ...data,
      "--epochs",
      "2",
      "--batch-size",
      "32",
      "--lr",
      "0.05",
      "--workers",
      "0",
      "--quiet",
      "--out",
      join(dir, "run"),
    ]);
    assert.equal(r.code, 0, r.stderr);
  });

  // --reduce-range: 7-bit weights cannot saturate any CPU's U8S8 kernels, so the figures do not depend on it.
  it("writes the int8 file and reports fp32 top-1 as lithe eval measures it", () => {
    const out = join(dir, "int8.onnx");
    const r = lithe([
      "quantize",
      "--weights",
      weights,
      ...data,
      "--reduce-range",
      "--calibration",
      "64",
      "--out",
      out,
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const q = JSON.parse(r.stdout) as QuantizeRunResult;
    const e = lithe(["eval", "--weights", weights, ...data, "--json"]);
    assert.equal(e.code, 0, e.stderr);
    const evaluated = JSON.parse(e.stdout) as { top1: number; samples: number };
    assert.equal(q.testImages, evaluated.samples);
    assert.ok(
      Math.abs(q.fp32.top1 - evaluated.top1) <= 1 / q.testImages,
      `${q.fp32.top1} vs ${evaluated.top1}`,
    );
    assert.ok(Math.abs(q.int8.top1 - q.fp32.top1) <= 0.05, `int8 ${q.int8.top1} vs fp32 ${q.fp32.top1}`);
    assert.equal(q.calibrationImages, 64);
    assert.equal(statSync(out).size, q.int8.bytes);
    assert.ok(q.int8.bytes < 0.4 * q.fp32.bytes, `${q.int8.bytes} B vs ${q.fp32.bytes} B`);
    // percentile with the CPU's default weight range, entropy with 7-bit weights asked for
    for (const [observer, range] of [
      ["percentile", []],
      ["entropy", ["--reduce-range"]],
    ] as const) {
      const p = lithe([
        "quantize",
        "--weights",
        weights,
        ...data,
        ...range,
        "--observer",
        observer,
        "--out",
        out,
        "--json",
      ]);
      assert.equal(p.code, 0, p.stderr);
      const clipped = JSON.parse(p.stdout) as QuantizeRunResult;
      assert.equal(clipped.observer, observer);
      assert.equal(clipped.reduceRange, range.length > 0 || x86WithoutVnni(readCpuFlags()));
      assert.equal(clipped.fp32.top1, q.fp32.top1);
      assert.ok(Math.abs(clipped.int8.top1 - q.fp32.top1) <= 0.05, `${observer}: int8 ${clipped.int8.top1}`);
    }
  });

  it("lithe export of a quantization-aware run writes the int8 QDQ file", () => {
    const qat = join(dir, "qat");
    const t = lithe([
      "train",
      ...data,
      "--quant",
      "w4a4",
      "--init",
      weights,
      "--steps",
      "2",
      "--batch-size",
      "32",
      "--workers",
      "0",
      "--quiet",
      "--out",
      qat,
    ]);
    assert.equal(t.code, 0, t.stderr);
    const int8 = join(dir, "qat-int8.onnx");
    const e = lithe([
      "export",
      "--weights",
      join(qat, "model.safetensors"),
      ...data,
      "--out",
      int8,
      "--json",
    ]);
    assert.equal(e.code, 0, e.stderr);
    const r = JSON.parse(e.stdout) as QuantizeRunResult;
    assert.equal(statSync(int8).size, r.int8.bytes);
    assert.ok(readFileSync(int8).includes("QuantizeLinear"), "a QDQ file");
  });

  it("refuses a missing folder, data that does not fit, and a bad calibration count, writing nothing", () => {
    fails(
      ["quantize", "--weights", weights, ...data, "--out", join(dir, "nowhere", "q.onnx")],
      /--out .*: the folder .* does not exist/,
    );
    const out = join(dir, "bad.onnx");
    fails(
      ["quantize", "--weights", weights, "--data", "fashion-mnist", "--out", out],
      /fashion-mnist: 1x28x28 images do not fit the model's 3x32x32 input/,
    );
    fails(["quantize", "--weights", weights, ...data, "--observer", "kl", "--out", out], /--observer.*kl/);
    fails(
      ["quantize", "--weights", weights, ...data, "--calibration", "0", "--out", out],
      /--calibration.*positive integer/,
    );
    assert.equal(existsSync(out), false);
  });
});
