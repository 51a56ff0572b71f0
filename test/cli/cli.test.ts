// The `lithe` command: --help, and bad input of every kind gets one line on stderr, a non-zero exit,
// and no run directory for a run that could not start.
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../helpers.js";
import { fails, lithe } from "./run-cli.js";

const dir = tempDir("lithe-cli-");
const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe("lithe", () => {
  it("--help lists the commands and each command explains its flags", () => {
    const top = lithe(["--help"]);
    assert.equal(top.code, 0);
    for (const command of ["doctor", "models", "count", "train", "eval", "bench", "report"])
      assert.match(top.stdout, new RegExp(command));
    const train = lithe(["train", "--help"]);
    assert.equal(train.code, 0);
    for (const flag of [
      "--model",
      "--data",
      "--epochs",
      "--steps",
      "--batch-size",
      "--lr",
      "--seed",
      "--out",
      "--resume",
      "--json",
    ]) {
      assert.match(train.stdout, new RegExp(flag));
    }
  });

  it("rejects bad flags with one line and a non-zero exit", () => {
    fails(["train", "--epochs", "0"], /--epochs.*positive integer/);
    fails(["train", "--lr", "fast"], /--lr.*positive number/);
    fails(["train", "--schedule", "wavy"], /--schedule.*wavy/);
    fails(["train", "--bogus"], /unknown option '--bogus'/);
    fails(["train", "--quant", "w9a4"], /--quant.*bits must be integers from 1 to 8, got "w9a4"/);
    fails(["train", "--quant", "4bit"], /--quant.*expected the form w<bits>a<bits>/);
    fails(["count", "shufflenet_v2_x1_0", "--input", "-3"], /--input/);
    fails(["frobnicate"], /unknown command/);
  });

  it("rejects unknown models, bad architecture files and impossible inputs", () => {
    fails(["count", "alexnet_v9"], /"alexnet_v9" is neither a registered model/);
    fails(["count", file("bad.json", "{not json")], /bad\.json: invalid JSON/);
    fails(["count", file("wrong.json", '{"family":"shufflenet_v2","width":3}')], /field "width" is 3/);
    fails(["count", "shufflenet_v2_x1_0", "--input", "16"], /field "inputSize" is 16/);
    fails(
      ["train", "--model", "alexnet_v9", "--data", "synthetic:64", "--out", join(dir, "never")],
      /alexnet_v9/,
    );
    assert.ok(!existsSync(join(dir, "never")), "no run directory for a run that could not start");
  });

  it("rejects missing and corrupt data and weights", () => {
    fails(["train", "--data", join(dir, "nowhere"), "--out", join(dir, "never2")], /nowhere/);
    assert.ok(!existsSync(join(dir, "never2")));
    const init = [
      "--init",
      join(dir, "absent.safetensors"),
      "--data",
      "synthetic:64",
      "--out",
      join(dir, "never3"),
    ];
    fails(["train", "--quant", "w4a4", ...init], /absent\.safetensors/);
    assert.ok(!existsSync(join(dir, "never3")));
    fails(
      [
        "eval",
        "--weights",
        join(dir, "missing.safetensors"),
        "--model",
        "shufflenet_v2_x0_5",
        "--data",
        "synthetic:64",
      ],
      /missing\.safetensors/,
    );
    const corrupt = file("corrupt.safetensors", new Uint8Array([9, 0, 0, 0, 0, 0, 0, 0, 123]));
    fails(
      ["eval", "--weights", corrupt, "--model", "shufflenet_v2_x0_5", "--data", "synthetic:64"],
      /corrupt\.safetensors: not a valid safetensors file/,
    );
    fails(["eval", "--weights", corrupt, "--data", "synthetic:64"], /corrupt\.safetensors/);
  });

  it("count prints plain numbers with --json", () => {
    const r = lithe(["count", "shufflenet_v2_x1_0", "--json", "--per-layer"]);
    assert.equal(r.code, 0);
    const c = JSON.parse(r.stdout);
    assert.equal(c.params, 2278604);
    assert.equal(typeof c.flops, "number");
    assert.ok(Array.isArray(c.layers) && c.layers.length > 100);
    const models = JSON.parse(lithe(["models", "--json"]).stdout) as {
      name: string;
      flops: number;
      params: number;
    }[];
    assert.ok(models.some((m) => m.name === "shufflenet_v2_x0_5" && m.params === 1366792));
  });
});
