// `lithe prune train / search / baseline` from the shell on a tiny pruning space and synthetic data: a
// PruningNet run, searches under a FLOPs limit whose winner counts at the reported FLOPs and trains,
// a uniform baseline as wide as the limit allows, and bad input (impossible limits, foreign run
// directories, invalid space files, missing flags) as one line, a non-zero exit and nothing written.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { countArch } from "../../src/arch/count.js";
import { inputOf } from "../../src/arch/family.js";
import { resolvePruningSpace } from "../../src/arch/resolve.js";
import { prunedArch, scaledWidth, slotWidths, uniformGenotype } from "../../src/arch/spaces/pruning.js";
import { latencyModelProfiler } from "../../src/prune/latency-model.js";
import { loadLatencyModel } from "../../src/prune/latency-model-file.js";
import { readPruningNetRun } from "../../src/prune/metapruning.js";
import type { Candidate } from "../../src/search/evolution.js";
import { fixturePath, tempDir } from "../helpers.js";
import { fails, lithe } from "./run-cli.js";

const dir = tempDir("lithe-prune-cli-");
const spaceFile = fixturePath("prune/tiny-mobilenet-v1.json");
const run = join(dir, "pruningnet");
const data = "--data synthetic:160 --augment none --workers 0 --batch-size 32 --threads 1".split(" ");
const search = "--population 6 --generations 2 --top-k 2 --recal-images 32".split(" ");
const searchData = "--batch-size 32 --workers 0 --threads 1".split(" ");
/** FLOPs limit of the searches: about 40% of the unpruned tiny network at 32 px, 2.5x its smallest. */
const LIMIT = 400_000;

const ok = (args: string[]) => {
  const r = lithe(args);
  assert.equal(r.code, 0, `lithe ${args.join(" ")}:\n${r.stderr}`);
  return r.stdout;
};
const countedFlops = (file: string) => (JSON.parse(ok(["count", file, "--json"])) as { flops: number }).flops;

describe("lithe prune", () => {
  before(() => {
    const r = JSON.parse(
      ok([
        "prune",
        "train",
        "--space",
        spaceFile,
        ...data,
        "--epochs",
        "1",
        "--steps",
        "4",
        "--holdout-share",
        "0.2",
        "--out",
        run,
        "--json",
      ]),
    ) as { out: string; steps: number };
    assert.deepEqual([r.out, r.steps], [run, 4]);
  });

  it("--help explains each command and lists its flags", () => {
    const flags: Record<string, string[]> = {
      train: ["--space", "--sampler", "--sampler-flops", "--bins", "--holdout-share", "--steps", "--resume"],
      search: [
        "--pruning-net",
        "--flops",
        "--params",
        "--population",
        "--method",
        "--recal-images",
        "--json",
      ],
      baseline: ["--pruning-net", "--space", "--input", "--in-channels", "--classes", "--stem", "--flops"],
      channels: [
        "--weights",
        "--speedup",
        "--flops",
        "--out",
        "--images",
        "--points",
        "--lasso-rows",
        "--stage-ratios",
        "--widths",
        "--data",
      ],
      l1: ["--weights", "--like", "--out"],
    };
    assert.match(ok(["--help"]), /\n {2}prune +MetaPruning: channel pruning/);
    const method = {
      train: /weight generators/,
      search: /BN recalibration/,
      baseline: /uniform-width/,
      channels: /LASSO selects its input channels/,
      l1: /L1-norm filter pruning/,
    };
    for (const [command, list] of Object.entries(flags)) {
      const help = ok(["prune", command, "--help"]);
      assert.match(help, method[command as keyof typeof method]);
      for (const flag of list) assert.match(help, new RegExp(`${flag} `), `${command} ${flag}`);
    }
    assert.match(ok(["prune", "train", "--help"]), /mobilenet_v1, mobilenet_v2, resnet18,\s+resnet50/);
  });

  it("train --base-width and --hidden narrow a registered space, carried whole in the run", () => {
    const narrow = join(dir, "narrow");
    ok([
      "prune",
      "train",
      "--space",
      "mobilenet_v2",
      "--base-width",
      "0.0625",
      "--hidden",
      "8",
      ...data,
      "--epochs",
      "1",
      "--steps",
      "1",
      "--out",
      narrow,
      "--json",
    ]);
    const { space } = readPruningNetRun(narrow).arch;
    assert.equal(space.name, "mobilenet_v2_x0.0625");
    assert.equal(space.hidden, 8);
    assert.deepEqual(space.base.channels.stages, [1, 2, 2, 5, 8, 14, 28]); // int(c / 16) of 22, 33, 44, ...
  });

  it("train writes the run a search reads", () => {
    for (const file of ["run.json", "model.safetensors", "log.jsonl"])
      assert.ok(existsSync(join(run, file)), file);
    assert.equal(readPruningNetRun(run).arch.space.name, "tiny-mobilenet-v1");
  });

  it("search under a FLOPs limit writes a winner that counts at the reported FLOPs and trains", () => {
    const r = JSON.parse(
      ok(["prune", "search", "--pruning-net", run, "--flops", "400k", ...search, ...searchData, "--json"]),
    ) as { out: string; best: Candidate; evaluated: number };
    assert.equal(r.out, join(run, "search-flops400.0K-evolution-s0"));
    assert.equal(r.evaluated, 12);
    const best = join(r.out, "best.json");
    assert.ok(r.best.costs.flops !== undefined && r.best.costs.flops <= LIMIT);
    assert.equal(countedFlops(best), r.best.costs.flops);
    const log = readFileSync(join(r.out, "search.jsonl"), "utf8").trim().split("\n");
    assert.equal(log.length, 12);
    for (const line of log) assert.ok((JSON.parse(line) as Candidate).costs.flops <= LIMIT, line);
    ok(["train", "--model", best, ...data, "--epochs", "1", "--steps", "2", "--out", join(dir, "retrain")]);
  });

  it("search prints the top-k with each candidate's widths and where the winner went", () => {
    const out = ok([
      "prune",
      "search",
      "--pruning-net",
      run,
      "--flops",
      "400k",
      "--method",
      "random",
      ...search,
      ...searchData,
    ]);
    const [header, first] = out.split("\n");
    assert.match(
      header as string,
      /^rank\s+top-1\s+FLOPs\s+params\s+gen\s+origin\s+widths: stem \| outputs$/,
    );
    assert.match(first as string, /^1 .* random\s+\d+ \| (\d+ ){12}64$/);
    const where = join(run, "search-flops400.0K-random-s0", "best.json");
    assert.match(out, new RegExp(`best written to ${where.replace(/[.\\]/g, "\\$&")}\\n$`));
  });

  it("baseline is the widest uniform network within the limit, from a run or from a space", () => {
    const { arch } = readPruningNetRun(run);
    const input = inputOf(arch);
    const fromRun = JSON.parse(
      ok(["prune", "baseline", "--pruning-net", run, "--flops", "400k", "--json"]),
    ) as {
      out: string;
      scale: number;
      flops: number;
    };
    assert.equal(fromRun.out, join(run, "baseline-flops400.0K.json"));
    assert.ok(fromRun.flops <= LIMIT);
    assert.equal(countedFlops(fromRun.out), fromRun.flops);
    // One more channel in any slot (the next uniform scale that changes a width) breaks the limit.
    const space = resolvePruningSpace(spaceFile);
    const next = Math.min(
      ...[...slotWidths(space).values()].map((b) => (scaledWidth(b, fromRun.scale) + 1) / b),
    );
    assert.ok(next <= 1, "the limit binds below the unpruned network");
    const wider = countArch(prunedArch(space, uniformGenotype(space, next * (1 + 1e-9)), input)).flops;
    assert.ok(wider > LIMIT, `scale ${next} gives ${wider} FLOPs`);

    const file = join(dir, "baselines", "tiny.json");
    const text = ok([
      "prune",
      "baseline",
      "--space",
      spaceFile,
      "--input",
      String(input.inputSize),
      "--in-channels",
      String(input.inChannels),
      "--classes",
      String(input.classes),
      "--stem",
      input.stem,
      "--flops",
      "400k",
      "--out",
      file,
    ]);
    assert.match(text, /: uniform scale 0\.\d{4} of tiny-mobilenet-v1, FLOPs \d+\.\dK, params /);
    assert.equal(readFileSync(file, "utf8"), readFileSync(fromRun.out, "utf8"));
  });

  it("refuses impossible limits without writing anything", () => {
    const before = readdirSync(run);
    fails(
      ["prune", "search", "--pruning-net", run, "--flops", "1k", ...searchData],
      /flops <= 1k is impossible/,
    );
    fails(["prune", "baseline", "--pruning-net", run, "--flops", "1k"], /flops <= 1k is impossible/);
    assert.deepEqual(readdirSync(run), before);
  });

  it("refuses a directory that is not a PruningNet run", () => {
    fails(
      ["prune", "search", "--pruning-net", join(dir, "missing")],
      /missing: not a `lithe prune train` run/,
    );
    const foreign = join(dir, "foreign");
    mkdirSync(foreign);
    writeFileSync(
      join(foreign, "run.json"),
      JSON.stringify({ arch: { family: "mobilenet_v1" }, config: {} }),
    );
    fails(["prune", "search", "--pruning-net", foreign], /not written by `lithe prune train`/);
    fails(
      ["prune", "baseline", "--pruning-net", foreign, "--flops", "1M"],
      /not written by `lithe prune train`/,
    );
    assert.deepEqual(readdirSync(foreign), ["run.json"]);
  });

  it("refuses invalid space files, naming the field or slot, and missing flags", () => {
    const never = join(dir, "never");
    const bad = join(dir, "bad-space.json");
    const tiny = JSON.parse(readFileSync(spaceFile, "utf8")) as Record<string, unknown>;
    writeFileSync(bad, JSON.stringify({ ...tiny, scales: [0.5, 2] }));
    fails(["prune", "train", "--space", bad, ...data, "--out", never], /bad-space\.json: field "scales\.1"/);
    fails(
      ["prune", "baseline", "--space", bad, "--flops", "1M", "--out", join(never, "b.json")],
      /field "scales\.1"/,
    );
    writeFileSync(bad, JSON.stringify({ ...tiny, genes: [{ label: "x", slots: ["blocks.99"] }] }));
    fails(["prune", "train", "--space", bad, ...data, "--out", never], /slot "blocks\.99"/);
    fails(
      ["prune", "train", "--space", "nope", "--out", never],
      /"nope" is neither a registered pruning space/,
    );
    fails(["prune", "train", "--sampler", "constrained", "--out", never], /--sampler constrained needs/);
    fails(["prune", "baseline", "--pruning-net", run], /needs a limit: --flops and\/or --params/);
    fails(["prune", "baseline", "--flops", "1M"], /needs --pruning-net <dir> or --space <spec>/);
    fails(["prune", "baseline", "--space", spaceFile, "--flops", "1M"], /needs --out <file> with --space/);
    fails(
      ["prune", "baseline", "--pruning-net", run, "--space", spaceFile, "--flops", "1M"],
      /'--pruning-net <dir>' cannot be used with option '--space <spec>'/,
    );
    fails(
      ["prune", "baseline", "--space", spaceFile, "--flops", "lots"],
      /--flops.*expected a positive count/,
    );
    fails(
      ["prune", "search", "--pruning-net", run, "--latency", "2ms", "--out", never],
      /a latency limit \(--latency\) needs a latency predictor \(--latency-model\)/,
    );
    fails(["prune", "latency-model", "--space", spaceFile], /needs --out <file> with --space/);
    assert.equal(existsSync(never), false);
  });

  it("latency-model fits a model that search --latency keeps every candidate under", () => {
    const model = join(run, "latency-ort-node.json");
    const fitted = JSON.parse(
      ok([
        "prune",
        "latency-model",
        "--pruning-net",
        run,
        "--fit",
        "8",
        "--check",
        "4",
        "--repeats",
        "5",
        "--json",
      ]),
    ) as { out: string; coefficients: number[]; check: { architectures: number } };
    assert.equal(fitted.out, model);
    assert.equal(fitted.check.architectures, 4);
    assert.ok(fitted.coefficients.every((c) => c >= 0));
    const { arch } = readPruningNetRun(run);
    const profiler = latencyModelProfiler(loadLatencyModel(model));
    const smallest = profiler.minimum?.() as number;
    const largest = profiler.measure(uniformGenotype(arch.space, 1));
    const limit = (smallest + largest) / 2;
    const r = JSON.parse(
      ok([
        "prune",
        "search",
        "--pruning-net",
        run,
        "--latency",
        `${limit}ms`,
        "--latency-model",
        model,
        "--runtime",
        "ort-node",
        ...search,
        ...searchData,
        "--json",
      ]),
    ) as { out: string; best: Candidate };
    const log = readFileSync(join(r.out, "search.jsonl"), "utf8").trim().split("\n");
    for (const line of log) {
      const c = JSON.parse(line) as Candidate;
      assert.ok((c.costs.latency as number) <= limit, line);
      assert.equal(c.costs.latency, profiler.measure(c.genotype));
    }
    fails(
      [
        "prune",
        "search",
        "--pruning-net",
        run,
        "--latency",
        "1ms",
        "--latency-model",
        model,
        "--runtime",
        "lithe",
      ],
      /measured on ort-node, not lithe/,
    );
  });
});
