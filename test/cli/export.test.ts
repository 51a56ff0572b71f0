// `lithe export`: writes an ONNX file that ONNX Runtime runs like lithe, takes classes and input
// channels from --weights, and refuses bad input with one line, a non-zero exit and no file.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { saveSafetensors } from "../../src/engine/index.js";
import { summarizeModel } from "../../src/export/onnx.js";
import { createModel } from "../../src/models/index.js";
import { tempDir } from "../helpers.js";
import { fails, lithe } from "./run-cli.js";

const dir = tempDir("lithe-export-");
const SMALL = "shufflenet_v2(width=0.5,stem=small)";
/** A fresh folder per case, so "no file left behind" can look at all of it. */
let cases = 0;
const folder = () => {
  const d = join(dir, `case-${++cases}`);
  mkdirSync(d);
  return d;
};

/** Weights of shufflenet_v2_x0_5 (small stem) trained elsewhere with `classes` and `inChannels`. */
function weightsFile(classes: number, inChannels: number): string {
  const path = join(dir, `weights-${classes}-${inChannels}.safetensors`);
  const { model } = createModel("shufflenet_v2_x0_5", { classes, inChannels, inputSize: 32, stem: "small" });
  saveSafetensors(path, model.stateDict());
  for (const t of model.stateDict().values()) t.dispose();
  return path;
}

interface ExportJson {
  out: string;
  nodes: number;
  foldedBn: number;
  maxAbsDiff: number;
  checkBatch: number;
}

describe("lithe export", () => {
  it("writes an ONNX file and prints its difference to lithe", () => {
    const d = folder();
    const out = join(d, "model.onnx");
    const r = lithe(["export", "--model", SMALL, "--input", "32", "--classes", "10", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    const diff = /ONNX Runtime vs lithe on a random batch of 2: max abs diff (\S+) /.exec(r.stdout);
    assert.ok(diff, r.stdout);
    assert.ok(Number(diff[1]) <= 1e-4, `max abs diff ${diff[1]}`);
    const m = summarizeModel(readFileSync(out));
    assert.deepEqual(m.input, ["batch", 3, 32, 32]);
    assert.deepEqual(m.output, ["batch", 10]);
    assert.equal(m.opset, 13);
    assert.deepEqual(readdirSync(d), ["model.onnx"], "no temporary file left");
  });

  it("--fold-bn folds every conv + BN pair and the folded file still matches lithe", () => {
    const d = folder();
    const out = join(d, "folded.onnx");
    const r = lithe([
      "export",
      "--model",
      SMALL,
      "--input",
      "32",
      "--fold-bn",
      "--opset",
      "17",
      "--out",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /the BN-folded file still matches lithe .* max abs diff/);
    const j = lithe([
      "export",
      "--model",
      SMALL,
      "--input",
      "32",
      "--fold-bn",
      "--opset",
      "17",
      "--out",
      out,
      "--json",
    ]);
    const result = JSON.parse(j.stdout) as ExportJson;
    assert.ok(result.foldedBn > 0);
    assert.ok(result.maxAbsDiff <= 1e-4, `max abs diff ${result.maxAbsDiff}`);
    const m = summarizeModel(readFileSync(out));
    assert.equal(m.opset, 17);
    assert.equal(m.nodes.filter((n) => n.opType === "BatchNormalization").length, 0);
  });

  it("--weights: classes and input channels come from the weights", () => {
    const weights = weightsFile(3, 1);
    const d = folder();
    const out = join(d, "three.onnx");
    const r = lithe([
      "export",
      "--model",
      SMALL,
      "--input",
      "32",
      "--weights",
      weights,
      "--out",
      out,
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as ExportJson).maxAbsDiff <= 1e-4);
    const m = summarizeModel(readFileSync(out));
    assert.deepEqual(m.output, ["batch", 3]);
    assert.deepEqual(m.input, ["batch", 1, 32, 32]);
  });

  it("refuses weights that do not fit, naming the tensor and both shapes, and writes nothing", () => {
    const weights = weightsFile(3, 3);
    const d = folder();
    const out = join(d, "wrong.onnx");
    fails(
      [
        "export",
        "--model",
        "shufflenet_v2(width=1,stem=small)",
        "--input",
        "32",
        "--weights",
        weights,
        "--out",
        out,
      ],
      /does not fit .*: "[\w.]+" has shape \[\d+(, \d+)*\] but the model needs \[\d+(, \d+)*\]$/,
    );
    assert.deepEqual(readdirSync(d), []);
  });

  it("bad input fails with one line and leaves no file", () => {
    const d = folder();
    const out = join(d, "m.onnx");
    fails(["export", "--model", SMALL, "--out", join(d, "missing", "m.onnx")], /--out .*does not exist/);
    fails(
      ["export", "--model", "no_such_model", "--out", out],
      /"no_such_model" is neither a registered model/,
    );
    fails(["export", "--model", SMALL, "--out", d], /is a folder/);
    fails(["export", "--model", SMALL, "--out", out, "--opset", "12"], /opset from 13 to 21/);
    fails(["export", "--model", SMALL, "--out", out, "--input", "16"], /inputSize/);
    fails(["export", "--out", out], /--model is required without --weights/);
    fails(["export", "--model", SMALL], /--out/);
    fails(
      ["export", "--model", SMALL, "--weights", join(d, "none.safetensors"), "--out", out],
      /none\.safetensors: cannot read/,
    );
    assert.deepEqual(readdirSync(d), []);
    assert.equal(existsSync(out), false);
  });
});
