// `lithe bench metapruning` dry run on synthetic data at the tiniest settings: bench-metapruning.json (and
// stdout) hold every phase with the options echoed; per budget, the search's evaluation count, every
// candidate and the winner within the limit at the analytic count of its pruned architecture (the
// winner's also at the traced count), the uniform baseline uniformBaseline gives, one retrained pair per
// seed at the accuracies the runs logged; the ranking picks and Kendall tau recomputed; and --resume
// keeping every finished figure without training again.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ArchInput } from "../../src/arch/family.js";
import { inputOf } from "../../src/arch/family.js";
import { type Arch, countArch, validateArch } from "../../src/arch/index.js";
import { narrowSpace, PRUNING_SPACES, type PruningSpace, prunedArch } from "../../src/arch/spaces/pruning.js";
import { buildModel, tracedCount } from "../../src/models/index.js";
import { uniformBaseline } from "../../src/prune/baseline.js";
import { readPruningNetRun } from "../../src/prune/metapruning.js";
import type { Candidate } from "../../src/search/evolution.js";
import { lithe } from "../cli/run-cli.js";
import {
  assertFraction,
  assertSeconds,
  assertTau,
  bestOf,
  loggedTestTop1,
  logLines,
  readJson,
  scoreEnds,
  searchCandidates,
} from "./bench-files.js";

const dir = mkdtempSync(join(tmpdir(), "lithe-bench-metapruning-"));
const out = join(dir, "bench");
// 320 images: the searches recalibrate BN on batches of 250 (drop-last) from the 95% not held out.
const options = {
  out,
  data: "synthetic:320",
  baseWidth: 0.25,
  hidden: 8,
  divisor: 2,
  pruningNetEpochs: 1,
  limits: [1e6, 3e6],
  population: 2,
  generations: 2,
  seeds: [1, 2],
  retrainEpochs: 1,
  rankingArchs: 2,
  threads: 1,
  resume: false,
};
const flags = [
  ["--out", out],
  ["--data", options.data],
  ["--base-width", "0.25"],
  ["--hidden", "8"],
  ["--divisor", "2"],
  ["--pruning-net-epochs", "1"],
  ["--limits", "1M,3M"],
  ["--population", "2"],
  ["--generations", "2"],
  ["--seeds", "1,2"],
  ["--retrain-epochs", "1"],
  ["--ranking-archs", "2"],
  ["--threads", "1"],
].flat();

interface Widths {
  flops: number;
  params: number;
  channels: unknown;
}
interface Budget {
  limit: number;
  search_seconds: number;
  evaluated: number;
  pruned: Widths & { holdout_top1: number };
  uniform: Widths & { scale: number };
  test_top1: {
    pruned: number[];
    uniform: number[];
    pruned_mean: number;
    uniform_mean: number;
    difference: number;
    per_seed_difference: number[];
  };
}
interface MetaPruningBench {
  options: typeof options;
  pruningnet: { seconds: number; train_top1_per_epoch: number[] };
  budgets: Budget[];
  ranking: {
    architectures: { pruningnet: number; standalone: number; flops: number }[];
    kendall_tau: number | null;
  };
}

const bench = (extra: string[] = []): MetaPruningBench => {
  const run = lithe(["bench", "metapruning", ...flags, ...extra], { LITHE_NUM_THREADS: "1" });
  assert.equal(run.code, 0, run.stderr);
  const written = readJson<MetaPruningBench>(join(out, "bench-metapruning.json"));
  assert.deepEqual(JSON.parse(run.stdout), written, "stdout is the JSON written");
  return written;
};
const tagOf = (flops: number) => `${flops / 1e6}M`;
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe("lithe bench metapruning (dry run)", () => {
  let r: MetaPruningBench;
  let space: PruningSpace;
  let input: ArchInput;
  /** The pruned description of an encoding, from src/arch alone. */
  const archOf = (c: Candidate): Arch => prunedArch(space, c.genotype, input);

  before(() => {
    r = bench();
    space = readJson<PruningSpace>(join(out, "space.json"));
    input = inputOf(readPruningNetRun(join(out, "pruningnet")).arch);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes every phase and echoes the options", () => {
    assert.deepEqual(Object.keys(r), ["options", "pruningnet", "budgets", "ranking"]);
    assert.deepEqual(r.options, options);
  });

  it("trains the PruningNet on the narrowed MobileNetV2 space, as its log says", () => {
    const narrowed = narrowSpace(PRUNING_SPACES.mobilenet_v2 as PruningSpace, 0.25, 8);
    assert.deepEqual(space, { ...narrowed, divisor: 2 });
    const run = join(out, "pruningnet");
    assert.deepEqual(readPruningNetRun(run).arch.space, space);
    const epochs = logLines(run, "epoch");
    assert.equal(epochs.length, options.pruningNetEpochs);
    assert.deepEqual(
      r.pruningnet.train_top1_per_epoch,
      epochs.map((e) => e.train_top1),
    );
    for (const t of r.pruningnet.train_top1_per_epoch) assertFraction(t, "PruningNet train_top1");
    assertSeconds(r.pruningnet.seconds, "PruningNet seconds");
  });

  it("searches each budget: candidates and winner within the limit at their counted FLOPs", () => {
    assert.deepEqual(
      r.budgets.map((b) => b.limit),
      options.limits,
    );
    for (const b of r.budgets) {
      const tag = tagOf(b.limit);
      assertSeconds(b.search_seconds, `${tag} search_seconds`);
      const cs = searchCandidates(join(out, `search-${tag}`));
      assert.equal(b.evaluated, options.population * options.generations);
      assert.equal(cs.length, b.evaluated);
      for (const c of cs) {
        const counted = countArch(archOf(c));
        assert.ok((c.costs.flops as number) <= b.limit, `${tag}: ${c.costs.flops} FLOPs`);
        assert.equal(c.costs.flops, counted.flops);
        assert.equal(c.costs.params, counted.params);
      }
      const best = bestOf(cs);
      assert.equal(b.pruned.holdout_top1, best.score);
      const prunedFile = readJson<{ channels: unknown }>(join(out, `pruned-${tag}.json`));
      const pruned = validateArch(prunedFile);
      assert.deepEqual(pruned, archOf(best));
      assert.deepEqual(pruned, validateArch(readJson(join(out, `search-${tag}`, "best.json"))));
      assert.deepEqual(b.pruned.channels, prunedFile.channels);
      const counted = countArch(pruned);
      assert.ok(b.pruned.flops <= b.limit);
      assert.deepEqual([b.pruned.flops, b.pruned.params], [counted.flops, counted.params]);
      assert.equal(tracedCount(buildModel(pruned), input.inChannels, input.inputSize).flops, counted.flops);
    }
  });

  it("compares with the uniform-width net uniformBaseline gives at each budget", () => {
    for (const b of r.budgets) {
      const tag = tagOf(b.limit);
      const u = uniformBaseline(space, input, { flops: b.limit });
      const uniformFile = readJson<{ channels: unknown }>(join(out, `uniform-${tag}.json`));
      const uniform = validateArch(uniformFile);
      assert.deepEqual(uniform, u.arch);
      const { channels } = uniformFile;
      assert.deepEqual(b.uniform, { flops: u.flops, params: u.params, scale: u.scale, channels });
      assert.ok(b.uniform.flops <= b.limit);
      assert.equal(countArch(uniform).flops, b.uniform.flops);
    }
  });

  it("retrains both nets of each budget once per seed, at the accuracies their runs logged", () => {
    for (const b of r.budgets) {
      const tag = tagOf(b.limit);
      const t = b.test_top1;
      for (const [net, accuracies] of [
        ["pruned", t.pruned],
        ["uniform", t.uniform],
      ] as const) {
        assert.equal(accuracies.length, options.seeds.length);
        for (const [i, seed] of options.seeds.entries()) {
          const run = join(out, `${net}-${tag}`, `s${seed}`);
          const written = readJson<{ arch: unknown; config: { seed: number; epochs: number } }>(
            join(run, "run.json"),
          );
          assert.deepEqual(written.arch, readJson(join(out, `${net}-${tag}.json`)));
          assert.deepEqual([written.config.seed, written.config.epochs], [seed, options.retrainEpochs]);
          assert.equal(logLines(run, "epoch").length, options.retrainEpochs);
          assertFraction(accuracies[i], `${net} ${tag} seed ${seed}`);
          assert.equal(accuracies[i], loggedTestTop1(run));
        }
      }
      assert.equal(t.pruned_mean, mean(t.pruned));
      assert.equal(t.uniform_mean, mean(t.uniform));
      assert.equal(t.difference, t.pruned_mean - t.uniform_mean);
      assert.deepEqual(
        t.per_seed_difference,
        t.pruned.map((p, i) => p - (t.uniform[i] as number)),
      );
    }
  });

  it("ranks the lowest and highest scored candidates of the first search, tau recomputed", () => {
    const { architectures: pairs, kendall_tau } = r.ranking;
    assert.equal(pairs.length, options.rankingArchs);
    const tag = tagOf(options.limits[0] as number);
    const picks = scoreEnds(searchCandidates(join(out, `search-${tag}`)));
    for (const [i, p] of pairs.entries()) {
      const pick = picks[i] as Candidate;
      const arch = validateArch(readJson(join(out, `ranking-${i}.json`)));
      assert.deepEqual(arch, archOf(pick));
      assert.equal(p.pruningnet, pick.score);
      assert.equal(p.flops, pick.costs.flops);
      assert.equal(p.flops, countArch(arch).flops);
      const run = join(out, `ranking-${i}`, "s1");
      assertFraction(p.standalone, `ranking ${i} standalone`);
      assert.equal(p.standalone, loggedTestTop1(run));
    }
    assertTau(
      kendall_tau,
      pairs.map((p) => p.pruningnet),
      pairs.map((p) => p.standalone),
    );
  });

  it("--resume keeps every finished figure and trains nothing again", () => {
    const weights = ["pruningnet", "pruned-1M/s1", "uniform-3M/s2", "ranking-1/s1"].map((run) =>
      join(out, run, "model.safetensors"),
    );
    const mtimes = weights.map((w) => statSync(w).mtimeMs);
    const searched = options.limits.map((l) => readFileSync(join(out, `search-${tagOf(l)}`, "search.jsonl")));
    const again = bench(["--resume"]);
    const timeless = (x: MetaPruningBench) => ({
      ...x,
      options: { ...x.options, resume: null },
      budgets: x.budgets.map((b) => ({ ...b, search_seconds: null })),
    });
    assert.equal(again.options.resume, true);
    assert.deepEqual(timeless(again), timeless(r));
    for (const b of again.budgets) assertSeconds(b.search_seconds, "resumed search_seconds");
    assert.deepEqual(
      weights.map((w) => statSync(w).mtimeMs),
      mtimes,
      "no weights rewritten",
    );
    assert.deepEqual(
      options.limits.map((l) => readFileSync(join(out, `search-${tagOf(l)}`, "search.jsonl"))),
      searched,
    );
    assert.equal(logLines(join(out, "pruningnet"), "epoch").length, options.pruningNetEpochs);
    assert.equal(logLines(join(out, "pruned-1M", "s1"), "epoch").length, options.retrainEpochs);
  });
});
