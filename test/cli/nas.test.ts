// `lithe supernet train` and `lithe search` from the shell: --help explains the flags, and bad input
// (flags, spaces, run directories, limits) gets one line, a non-zero exit and no output directory.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../helpers.js";
import { fails, lithe } from "./run-cli.js";

const dir = tempDir("lithe-nas-cli-");

describe("lithe supernet train / lithe search", () => {
  it("--help lists the flags of both commands", () => {
    const train = lithe(["supernet", "train", "--help"]);
    assert.equal(train.code, 0);
    for (const flag of [
      "--space",
      "--sampler",
      "--holdout-share",
      "--epochs",
      "--steps",
      "--out",
      "--resume",
      "--seed",
    ])
      assert.match(train.stdout, new RegExp(flag));
    const search = lithe(["search", "--help"]);
    assert.equal(search.code, 0);
    for (const flag of [
      "--supernet",
      "--flops",
      "--params",
      "--population",
      "--generations",
      "--method",
      "--json",
    ])
      assert.match(search.stdout, new RegExp(flag));
  });

  it("supernet train refuses bad flags and spaces without creating the run directory", () => {
    const out = join(dir, "never");
    fails(
      ["supernet", "train", "--space", "nope", "--out", out],
      /"nope" is neither a registered search space/,
    );
    const bad = join(dir, "bad-space.json");
    writeFileSync(bad, JSON.stringify({ name: "x" }));
    fails(["supernet", "train", "--space", bad, "--out", out], /bad-space\.json: field "stem"/);
    fails(
      ["supernet", "train", "--sampler", "constrained", "--out", out],
      /--sampler constrained needs --sampler-flops/,
    );
    fails(["supernet", "train", "--sampler", "greedy", "--out", out], /--sampler.*greedy/);
    fails(
      ["supernet", "train", "--sampler-flops", "lots", "--out", out],
      /expected a positive count like 30M/,
    );
    fails(["supernet", "train", "--holdout-share", "1.5", "--out", out], /expected a number from 0 to 1/);
    fails(
      ["supernet", "train", "--data", "synthetic:64", "--image-size", "16", "--out", out],
      /field "inputSize" is 16: Too small: expected number to be >=28/,
    );
    assert.equal(existsSync(out), false);
  });

  it("search refuses a missing or foreign run directory and bad limits without writing", () => {
    const out = join(dir, "search-out");
    fails(
      ["search", "--supernet", join(dir, "missing"), "--out", out],
      /missing: not a `lithe supernet train` run/,
    );
    const foreign = join(dir, "foreign");
    mkdirSync(foreign);
    writeFileSync(
      join(foreign, "run.json"),
      JSON.stringify({ arch: { family: "shufflenet_v2" }, config: {} }),
    );
    fails(["search", "--supernet", foreign, "--out", out], /not written by `lithe supernet train`/);
    fails(["search", "--supernet", foreign, "--flops", "3X"], /--flops.*expected a positive count/);
    fails(["search", "--supernet", foreign, "--mutation-prob", "2"], /expected a number from 0 to 1/);
    assert.equal(existsSync(out), false);
  });
});
