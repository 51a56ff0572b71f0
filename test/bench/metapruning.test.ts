// `lithe bench metapruning` dry run on synthetic data at the tiniest settings, with the trainings in a
// worker process: bench-metapruning.json (and stdout) hold every phase with the options echoed; per
// PruningNet variant (plain, in-place distillation) and budget, the search's evaluation count, every
// candidate and the winner in the FLOPs band at the analytic count of its pruned architecture (the
// winner's also at the traced count); the uniform baseline uniformBaseline gives; one retraining per
// net and seed at the accuracies the runs logged, with the t summaries and paired differences
// recomputed; the ranking picks and Kendall tau recomputed; and --resume keeping every finished figure
// without training again.
import assert from "node:assert/strict";
import { readFileSync, rmSync, statSync } from "node:fs";
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
import { summarize } from "../../src/util/statistics.js";
import { lithe } from "../cli/run-cli.js";
import { tempDir } from "../helpers.js";
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

const dir = tempDir("lithe-bench-metapruning-");
const out = join(dir, "bench");
// 320 images: the searches recalibrate BN on batches of 250 (drop-last) from the 95% not held out.
const options = {
  out,
  data: "synthetic:320",
  baseWidth: 0.25,
  hidden: 8,
  divisor: 2,
  variants: ["plain", "inplace"],
  pruningNetEpochs: 1,
  limits: [1e6, 3e6],
  minShare: 0.5,
  population: 2,
  generations: 2,
  seeds: [1, 2],
  retrainEpochs: 1,
  threads: 1,
  rankingArchs: 2,
  rankingEpochs: 1,
  jobs: 1,
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
  ["--min-share", "0.5"],
  ["--population", "2"],
  ["--generations", "2"],
  ["--seeds", "1,2"],
  ["--retrain-epochs", "1"],
  ["--ranking-archs", "2"],
  ["--ranking-epochs", "1"],
  ["--jobs", "1"],
  ["--threads", "1"],
].flat();

interface Summary {
  mean: number;
  sd: number;
  n: number;
  ci95: [number, number];
}
interface Net extends Summary {
  flops: number;
  params: number;
  channels: unknown;
  test_top1: number[];
}
interface Budget {
  limit: number;
  min_flops: number;
  variants: Record<
    string,
    Net & { search_seconds?: number; evaluated?: number; holdout_top1?: number; scale?: number }
  >;
  difference_to_uniform: Record<string, Summary & { wins: number; seeds: number }>;
}
interface MetaPruningBench {
  options: typeof options;
  budgets: Budget[];
  pruningnets: Record<string, { seconds: number; train_top1_per_epoch: number[] }>;
  ranking: {
    proxy: string;
    variant: string;
    epochs: number;
    architectures: { proxy_score: number; standalone_top1: number; flops: number }[];
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
const nets = ["uniform", ...options.variants];
const fileOf = (net: string, tag: string) => (net === "uniform" ? `uniform-${tag}` : `pruned-${net}-${tag}`);

describe("lithe bench metapruning (dry run, trainings in a worker process)", () => {
  let r: MetaPruningBench;
  let space: PruningSpace;
  let input: ArchInput;
  /** The pruned description of an encoding, from src/arch alone. */
  const archOf = (c: Candidate): Arch => prunedArch(space, c.genotype, input);

  before(() => {
    r = bench();
    space = readJson<PruningSpace>(join(out, "space.json"));
    input = inputOf(readPruningNetRun(join(out, "pruningnet-plain")).arch);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes every phase and echoes the options", () => {
    assert.deepEqual(Object.keys(r), ["options", "budgets", "pruningnets", "ranking"]);
    assert.deepEqual(r.options, options);
  });

  it("trains a PruningNet per variant on the narrowed MobileNetV2 space, as its log says", () => {
    const narrowed = narrowSpace(PRUNING_SPACES.mobilenet_v2 as PruningSpace, 0.25, 8);
    assert.deepEqual(space, { ...narrowed, divisor: 2 });
    assert.deepEqual(Object.keys(r.pruningnets), options.variants);
    for (const variant of options.variants) {
      const run = join(out, `pruningnet-${variant}`);
      assert.deepEqual(readPruningNetRun(run).arch.space, space);
      const written = readJson<{ inplaceDistill?: boolean }>(join(run, "run.json"));
      assert.equal(
        written.inplaceDistill === true,
        variant === "inplace",
        `${variant}: run.json says ${written.inplaceDistill}`,
      );
      const epochs = logLines(run, "epoch");
      assert.equal(epochs.length, options.pruningNetEpochs);
      const figures = r.pruningnets[variant] as MetaPruningBench["pruningnets"][string];
      assert.deepEqual(
        figures.train_top1_per_epoch,
        epochs.map((e) => e.train_top1),
      );
      assertSeconds(figures.seconds, `${variant} PruningNet seconds`);
    }
  });

  it("searches each budget per variant: candidates and winner in the FLOPs band at their counted FLOPs", () => {
    assert.deepEqual(
      r.budgets.map((b) => [b.limit, b.min_flops]),
      options.limits.map((l) => [l, Math.round(options.minShare * l)]),
    );
    for (const b of r.budgets)
      for (const variant of options.variants) {
        const tag = tagOf(b.limit);
        const v = b.variants[variant] as Budget["variants"][string];
        assertSeconds(v.search_seconds, `${variant} ${tag} search_seconds`);
        const cs = searchCandidates(join(out, `search-${variant}-${tag}`));
        assert.equal(v.evaluated, options.population * options.generations);
        assert.equal(cs.length, v.evaluated);
        for (const c of cs) {
          const counted = countArch(archOf(c));
          const flops = c.costs.flops as number;
          assert.ok(flops <= b.limit && flops >= b.min_flops, `${variant} ${tag}: ${flops} FLOPs`);
          assert.equal(c.costs.flops, counted.flops);
          assert.equal(c.costs.params, counted.params);
        }
        const best = bestOf(cs);
        assert.equal(v.holdout_top1, best.score);
        const prunedFile = readJson<{ channels: unknown }>(join(out, `${fileOf(variant, tag)}.json`));
        const pruned = validateArch(prunedFile);
        assert.deepEqual(pruned, archOf(best));
        assert.deepEqual(pruned, validateArch(readJson(join(out, `search-${variant}-${tag}`, "best.json"))));
        assert.deepEqual(v.channels, prunedFile.channels);
        const counted = countArch(pruned);
        assert.deepEqual([v.flops, v.params], [counted.flops, counted.params]);
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
      const { flops, params, scale, channels } = b.variants.uniform as Budget["variants"][string];
      assert.deepEqual(
        { flops, params, scale, channels },
        { flops: u.flops, params: u.params, scale: u.scale, channels: uniformFile.channels },
      );
      assert.ok(flops <= b.limit);
      assert.equal(countArch(uniform).flops, flops);
    }
  });

  it("retrains every net of each budget once per seed, at the accuracies their runs logged, summarized", () => {
    for (const b of r.budgets) {
      const tag = tagOf(b.limit);
      for (const net of nets) {
        const v = b.variants[net] as Budget["variants"][string];
        assert.equal(v.test_top1.length, options.seeds.length);
        for (const [i, seed] of options.seeds.entries()) {
          const run = join(out, fileOf(net, tag), `s${seed}`);
          const written = readJson<{ arch: unknown; config: { seed: number; epochs: number } }>(
            join(run, "run.json"),
          );
          assert.deepEqual(written.arch, readJson(join(out, `${fileOf(net, tag)}.json`)));
          assert.deepEqual([written.config.seed, written.config.epochs], [seed, options.retrainEpochs]);
          assertFraction(v.test_top1[i], `${net} ${tag} seed ${seed}`);
          assert.equal(v.test_top1[i], loggedTestTop1(run));
        }
        const { mean, sd, n, ci95 } = v;
        assert.deepEqual({ mean, sd, n, ci95 }, summarize(v.test_top1));
      }
      const uniform = (b.variants.uniform as Net).test_top1;
      for (const variant of options.variants) {
        const d = (b.variants[variant] as Net).test_top1.map((p, i) => p - (uniform[i] as number));
        assert.deepEqual(b.difference_to_uniform[variant], {
          ...summarize(d),
          wins: d.filter((x) => x > 0).length,
          seeds: d.length,
        });
      }
    }
  });

  it("ranks the lowest and highest scored candidates of the first search, tau recomputed", () => {
    const { architectures: pairs, kendall_tau, proxy, variant, epochs } = r.ranking;
    assert.deepEqual([proxy, variant, epochs], ["pruningnet", "plain", options.rankingEpochs]);
    assert.equal(pairs.length, options.rankingArchs);
    const tag = tagOf(options.limits[0] as number);
    const picks = scoreEnds(searchCandidates(join(out, `search-plain-${tag}`)));
    for (const [i, p] of pairs.entries()) {
      const pick = picks[i] as Candidate;
      const arch = validateArch(readJson(join(out, `ranking-${i}.json`)));
      assert.deepEqual(arch, archOf(pick));
      assert.equal(p.proxy_score, pick.score);
      assert.equal(p.flops, pick.costs.flops);
      assert.equal(p.flops, countArch(arch).flops);
      const run = join(out, `ranking-${i}`);
      assertFraction(p.standalone_top1, `ranking ${i} standalone`);
      assert.equal(p.standalone_top1, loggedTestTop1(run));
    }
    assertTau(
      kendall_tau,
      pairs.map((p) => p.proxy_score),
      pairs.map((p) => p.standalone_top1),
    );
  });

  it("--resume keeps every finished figure and trains nothing again", () => {
    const weights = [
      "pruningnet-plain",
      "pruningnet-inplace",
      "pruned-plain-1M/s1",
      "uniform-3M/s2",
      "ranking-1",
    ].map((run) => join(out, run, "model.safetensors"));
    const mtimes = weights.map((w) => statSync(w).mtimeMs);
    const searches = options.variants.flatMap((v) =>
      options.limits.map((l) => join(out, `search-${v}-${tagOf(l)}`, "search.jsonl")),
    );
    const searched = searches.map((f) => readFileSync(f));
    const again = bench(["--resume"]);
    const timeless = (x: MetaPruningBench) => ({
      ...x,
      options: { ...x.options, resume: null },
      budgets: x.budgets.map((b) => ({
        ...b,
        variants: Object.fromEntries(
          Object.entries(b.variants).map(([k, v]) => [k, { ...v, search_seconds: null }]),
        ),
      })),
    });
    assert.equal(again.options.resume, true);
    assert.deepEqual(timeless(again), timeless(r));
    assert.deepEqual(
      weights.map((w) => statSync(w).mtimeMs),
      mtimes,
      "no weights rewritten",
    );
    assert.deepEqual(
      searches.map((f) => readFileSync(f)),
      searched,
    );
  });
});
