// `lithe bench spos` dry run on synthetic data at the tiniest settings: bench-spos.json (and stdout) hold
// every phase with the options echoed, evaluation counts the options imply, every candidate within its
// FLOPs limit at the analytic count of its architecture (the winners' also at the traced count), the
// ranking picks and Kendall tau recomputed from the searches, and accuracies equal to the runs' own logs.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { oneshotArchOf } from "../../src/arch/families/oneshot.js";
import { type Arch, countArch, validateArch } from "../../src/arch/index.js";
import { buildModel, tracedCount } from "../../src/models/index.js";
import { readSupernetRun } from "../../src/nas/spos.js";
import type { SupernetArch } from "../../src/nas/supernet.js";
import type { Candidate } from "../../src/search/evolution.js";
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
  runningBest,
  searchCandidates,
} from "./bench-files.js";

const dir = tempDir("lithe-bench-spos-");
const out = join(dir, "bench");
// 320 images: the searches recalibrate BN on batches of 250 (drop-last) from the 95% not held out.
const options = {
  out,
  data: "synthetic:320",
  stepTimePaths: 1,
  supernetEpochs: 1,
  limit: 6.5e6,
  minFlops: 6e6,
  population: 2,
  generations: 2,
  seeds: [0, 1],
  rankingArchs: 3,
  rankingEpochs: 1,
  retrainEpochs: 1,
  jobs: 1,
};
const flags = [
  ["--out", out],
  ["--data", options.data],
  ["--step-time-paths", "1"],
  ["--supernet-epochs", "1"],
  ["--limit", "6.5M"],
  ["--min-flops", "6M"],
  ["--population", "2"],
  ["--generations", "2"],
  ["--seeds", "0,1"],
  ["--ranking-archs", "3"],
  ["--ranking-epochs", "1"],
  ["--retrain-epochs", "1"],
  ["--jobs", "1"],
].flat();

interface SearchFigures {
  seed: number;
  method: "evolution" | "random";
  out: string;
  seconds: number;
  evaluated: number;
  best_score: number;
  best_flops: number;
  best_per_evaluations: Record<string, number>;
}
interface Summary {
  mean: number;
  sd: number;
  n: number;
  ci95: [number, number];
}
interface SposBench {
  options: typeof options & { resume: boolean };
  step_time: Record<string, number>;
  supernet: { seconds: number; train_top1_per_epoch: number[]; imgs_per_s: number };
  ranking: {
    proxy: string;
    epochs: number;
    architectures: { proxy_score: number; standalone_top1: number; flops: number }[];
    kendall_tau: number | null;
    kendall_tau_ci95: [number | null, number | null];
    bootstrap_resamples: number;
  };
  search_comparison: {
    limit: number;
    min_flops: number;
    evaluations: number;
    runs: SearchFigures[];
    summary: {
      evolution: Summary;
      random: Summary;
      difference: Summary & { evolution_wins: number; seeds: number };
    };
  };
  winners: {
    seed: number;
    epochs: number;
    evolution: { test_top1: number; flops: number };
    random: { test_top1: number; flops: number };
  };
}

describe("lithe bench spos (dry run, trainings in a worker process)", () => {
  let r: SposBench;
  let supernet: SupernetArch;
  /** The standalone description of a path of the supernet, from src/arch alone. */
  const archOf = (c: Candidate): Arch => validateArch(oneshotArchOf(supernet.space, supernet, c.genotype));

  before(() => {
    const run = lithe(["bench", "spos", ...flags], { LITHE_NUM_THREADS: "1" });
    assert.equal(run.code, 0, run.stderr);
    r = readJson<SposBench>(join(out, "bench-spos.json"));
    assert.deepEqual(JSON.parse(run.stdout), r, "stdout is the JSON written");
    supernet = readSupernetRun(join(out, "supernet")).arch;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes every phase and echoes the options", () => {
    assert.deepEqual(Object.keys(r), [
      "options",
      "step_time",
      "supernet",
      "search_comparison",
      "ranking",
      "winners",
    ]);
    assert.deepEqual(r.options, { ...options, resume: false });
  });

  it("times the supernet against the sampled standalone nets", () => {
    const t = r.step_time;
    assert.equal(t.paths, options.stepTimePaths);
    assert.equal(t.batch, 128);
    assertSeconds(t.supernet_step_s, "supernet_step_s");
    assertSeconds(t.standalone_step_s, "standalone_step_s");
    assert.equal(t.ratio, (t.supernet_step_s as number) / (t.standalone_step_s as number));
  });

  it("reports the supernet training its run logged", () => {
    const run = join(out, "supernet");
    assert.equal(supernet.space.name, "spos_small");
    const config = readJson<{ config: { epochs: number } }>(join(run, "run.json")).config;
    assert.equal(config.epochs, options.supernetEpochs);
    const epochs = logLines(run, "epoch");
    assert.equal(epochs.length, options.supernetEpochs);
    assert.deepEqual(
      r.supernet.train_top1_per_epoch,
      epochs.map((e) => e.train_top1),
    );
    for (const t of r.supernet.train_top1_per_epoch) assertFraction(t, "supernet train top-1");
    assertSeconds(r.supernet.seconds, "supernet seconds");
    assertSeconds(r.supernet.imgs_per_s, "supernet imgs_per_s");
  });

  it("runs an evolution and a random search per seed, every candidate in the FLOPs band at its counted FLOPs", () => {
    const { runs } = r.search_comparison;
    assert.deepEqual(
      runs.map((s) => [s.seed, s.method]),
      options.seeds.flatMap((seed) => [
        [seed, "evolution"],
        [seed, "random"],
      ]),
    );
    for (const s of runs) {
      assert.equal(s.out, join(out, `search-${s.method}-s${s.seed}`));
      assertSeconds(s.seconds, `${s.out} seconds`);
      const cs = searchCandidates(s.out);
      assert.equal(s.evaluated, options.population * options.generations);
      assert.equal(cs.length, s.evaluated);
      for (let g = 0; g < options.generations; g++)
        assert.equal(cs.filter((c) => c.generation === g).length, options.population, `generation ${g}`);
      if (s.method === "random") assert.ok(cs.every((c) => c.origin === "random"));
      for (const c of cs) {
        const counted = countArch(archOf(c));
        const flops = c.costs.flops as number;
        assert.ok(flops <= options.limit && flops >= options.minFlops, `${flops} outside the band`);
        assert.equal(c.costs.flops, counted.flops);
        assert.equal(c.costs.params, counted.params);
      }
      const best = bestOf(cs);
      assert.equal(s.best_score, best.score);
      assert.equal(s.best_flops, best.costs.flops);
      const bestJson = validateArch(readJson(join(s.out, "best.json")));
      assert.deepEqual(bestJson, archOf(best));
      const { inChannels, inputSize } = supernet;
      assert.equal(tracedCount(buildModel(bestJson), inChannels, inputSize).flops, s.best_flops);
      const curve = runningBest(cs);
      assert.deepEqual(
        s.best_per_evaluations,
        Object.fromEntries(
          Array.from({ length: options.generations }, (_, g) => {
            const n = (g + 1) * options.population;
            return [String(n), curve[n - 1]];
          }),
        ),
      );
    }
    // Paired by seed: a seed's two searches draw the same first generation.
    for (const seed of options.seeds) {
      const [e, rnd] = ["evolution", "random"].map((m) =>
        searchCandidates(join(out, `search-${m}-s${seed}`)).filter((c) => c.generation === 0),
      );
      assert.deepEqual(
        e?.map((c) => c.genotype),
        rnd?.map((c) => c.genotype),
      );
    }
  });

  it("summarizes the best scores per method and their paired differences", () => {
    const { runs, summary } = r.search_comparison;
    const best = (m: string) => runs.filter((s) => s.method === m).map((s) => s.best_score);
    const [e, rnd] = [best("evolution"), best("random")];
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(Math.abs(summary.evolution.mean - mean(e)) < 1e-12);
    assert.ok(Math.abs(summary.random.mean - mean(rnd)) < 1e-12);
    const d = e.map((x, i) => x - (rnd[i] as number));
    assert.ok(Math.abs(summary.difference.mean - mean(d)) < 1e-12);
    assert.equal(summary.difference.seeds, options.seeds.length);
    assert.equal(summary.difference.evolution_wins, d.filter((x) => x > 0).length);
    // two seeds: t(0.975, 1) = 12.706 times the standard error
    const half = (12.706 * summary.difference.sd) / Math.sqrt(2);
    assert.ok(Math.abs(summary.difference.ci95[1] - summary.difference.mean - half) < 1e-9);
  });

  it("ranks architectures drawn under the limit, trained standalone, tau recomputed from the pairs", () => {
    const { architectures: pairs, kendall_tau, proxy, epochs } = r.ranking;
    assert.equal(proxy, "supernet");
    assert.equal(epochs, options.rankingEpochs);
    assert.equal(pairs.length, options.rankingArchs);
    const picks = searchCandidates(join(out, "ranking-pool"));
    for (const [i, p] of pairs.entries()) {
      const pick = picks[i] as Candidate;
      const arch = validateArch(readJson(join(out, `ranking-${i}.json`)));
      assert.deepEqual(arch, archOf(pick));
      assert.equal(p.proxy_score, pick.score);
      assert.equal(p.flops, countArch(arch).flops);
      assert.ok(p.flops <= options.limit);
      const run = join(out, `ranking-${i}`);
      const config = readJson<{ config: { epochs: number } }>(join(run, "run.json")).config;
      assert.equal(config.epochs, options.rankingEpochs);
      assertFraction(p.standalone_top1, `ranking ${i} standalone`);
      assert.equal(p.standalone_top1, loggedTestTop1(run));
    }
    assertTau(
      kendall_tau,
      pairs.map((p) => p.proxy_score),
      pairs.map((p) => p.standalone_top1),
    );
  });

  it("retrains the first seed's two winners from scratch, at the accuracies their runs logged", () => {
    for (const method of ["evolution", "random"] as const) {
      const run = join(out, `winner-${method}`);
      const written = readJson<{ arch: unknown; config: { epochs: number } }>(join(run, "run.json"));
      assert.deepEqual(written.arch, readJson(join(out, `search-${method}-s0`, "best.json")));
      assert.equal(written.config.epochs, options.retrainEpochs);
      assertFraction(r.winners[method].test_top1, `${method} winner test_top1`);
      assert.equal(r.winners[method].test_top1, loggedTestTop1(run));
    }
  });

  it("resumes: a second run with --resume keeps every finished run and writes the same figures", () => {
    const run = lithe(["bench", "spos", ...flags, "--resume"], { LITHE_NUM_THREADS: "1" });
    assert.equal(run.code, 0, run.stderr);
    const again = readJson<SposBench>(join(out, "bench-spos.json"));
    assert.deepEqual({ ...again.options, resume: false }, r.options);
    assert.deepEqual(again.ranking, r.ranking);
    assert.deepEqual(again.winners, r.winners);
    assert.deepEqual(again.step_time, r.step_time);
    assert.deepEqual(
      again.search_comparison.runs.map((s) => [s.best_score, s.best_flops, s.best_per_evaluations]),
      r.search_comparison.runs.map((s) => [s.best_score, s.best_flops, s.best_per_evaluations]),
    );
    assert.deepEqual(again.supernet.train_top1_per_epoch, r.supernet.train_top1_per_epoch);
  });
});
