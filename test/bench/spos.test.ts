// `lithe bench spos` dry run on synthetic data at the tiniest settings: bench-spos.json (and stdout) hold
// every phase with the options echoed, evaluation counts the options imply, every candidate within its
// FLOPs limit at the analytic count of its architecture (the winners' also at the traced count), the
// ranking picks and Kendall tau recomputed from the searches, and accuracies equal to the runs' own logs.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { oneshotArchOf } from "../../src/arch/families/oneshot.js";
import { type Arch, countArch, validateArch } from "../../src/arch/index.js";
import { buildModel, tracedCount } from "../../src/models/index.js";
import { readSupernetRun } from "../../src/nas/spos.js";
import type { SupernetArch } from "../../src/nas/supernet.js";
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
  runningBest,
  scoreEnds,
  searchCandidates,
} from "./bench-files.js";

const dir = mkdtempSync(join(tmpdir(), "lithe-bench-spos-"));
const out = join(dir, "bench");
// 320 images: the searches recalibrate BN on batches of 250 (drop-last) from the 95% not held out.
const options = {
  out,
  data: "synthetic:320",
  stepTimePaths: 1,
  supernetEpochs: 1,
  limits: [5e6, 6.5e6],
  population: 2,
  generations: 2,
  rankingArchs: 2,
  rankingEpochs: 1,
  retrainEpochs: 1,
};
const flags = [
  ["--out", out],
  ["--data", options.data],
  ["--step-time-paths", "1"],
  ["--supernet-epochs", "1"],
  ["--limits", "5M,6.5M"],
  ["--population", "2"],
  ["--generations", "2"],
  ["--ranking-archs", "2"],
  ["--ranking-epochs", "1"],
  ["--retrain-epochs", "1"],
].flat();

interface SearchFigures {
  out: string;
  seconds: number;
  evaluated: number;
  best_score: number;
  best_flops: number;
  best_per_evaluations: Record<string, number>;
}
interface SposBench {
  options: typeof options;
  step_time: Record<string, number>;
  supernet: { seconds: number; train_top1: number; imgs_per_s: number };
  evolution_loose: SearchFigures;
  random_loose: SearchFigures;
  evolution_tight: SearchFigures;
  ranking: {
    architectures: { supernet: number; standalone: number; flops: number }[];
    kendall_tau: number | null;
  };
  winner: { test_top1: number; seconds: number; epochs: number };
  end_to_end_seconds: number;
}

describe("lithe bench spos (dry run)", () => {
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
      "evolution_loose",
      "random_loose",
      "evolution_tight",
      "ranking",
      "winner",
      "end_to_end_seconds",
    ]);
    assert.deepEqual(r.options, options);
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
    assert.equal(logLines(run, "epoch").length, options.supernetEpochs);
    const [summary] = logLines(run, "summary");
    assertFraction(r.supernet.train_top1, "supernet train_top1");
    assert.equal(r.supernet.train_top1, summary?.trainTop1);
    assertSeconds(r.supernet.seconds, "supernet seconds");
    assertSeconds(r.supernet.imgs_per_s, "supernet imgs_per_s");
  });

  const searches = [
    ["evolution_loose", "evolution", 6.5e6],
    ["random_loose", "random", 6.5e6],
    ["evolution_tight", "evolution", 5e6],
  ] as const;
  for (const [key, method, limit] of searches) {
    it(`${key}: ${options.population} x ${options.generations} candidates under ${limit / 1e6}M FLOPs at their counted FLOPs`, () => {
      const s = r[key];
      assert.equal(s.out, join(out, `search-${method}-${limit / 1e6}M`));
      assertSeconds(s.seconds, `${key} seconds`);
      const cs = searchCandidates(s.out);
      assert.equal(s.evaluated, options.population * options.generations);
      assert.equal(cs.length, s.evaluated);
      for (let g = 0; g < options.generations; g++)
        assert.equal(cs.filter((c) => c.generation === g).length, options.population, `generation ${g}`);
      if (method === "random") assert.ok(cs.every((c) => c.origin === "random"));
      for (const c of cs) {
        const counted = countArch(archOf(c));
        assert.ok(c.costs.flops !== undefined && c.costs.flops <= limit, `${c.costs.flops} > ${limit}`);
        assert.equal(c.costs.flops, counted.flops);
        assert.equal(c.costs.params, counted.params);
      }
      const best = bestOf(cs);
      assert.equal(s.best_score, best.score);
      assert.equal(s.best_flops, best.costs.flops);
      const bestJson = validateArch(readJson(join(s.out, "best.json")));
      assert.deepEqual(bestJson, archOf(best));
      assert.equal(countArch(bestJson).flops, s.best_flops);
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
    });
  }

  it("ranks the lowest and highest scored random candidates, tau recomputed from the pairs", () => {
    const { architectures: pairs, kendall_tau } = r.ranking;
    assert.equal(pairs.length, options.rankingArchs);
    const picks = scoreEnds(searchCandidates(r.random_loose.out));
    for (const [i, p] of pairs.entries()) {
      const pick = picks[i] as Candidate;
      const arch = validateArch(readJson(join(out, `ranking-${i}.json`)));
      assert.deepEqual(arch, archOf(pick));
      assert.equal(p.supernet, pick.score);
      assert.equal(p.flops, pick.costs.flops);
      assert.equal(p.flops, countArch(arch).flops);
      const run = join(out, `ranking-${i}`);
      const config = readJson<{ config: { epochs: number } }>(join(run, "run.json")).config;
      assert.equal(config.epochs, options.rankingEpochs);
      assertFraction(p.standalone, `ranking ${i} standalone`);
      assert.equal(p.standalone, loggedTestTop1(run));
    }
    assertTau(
      kendall_tau,
      pairs.map((p) => p.supernet),
      pairs.map((p) => p.standalone),
    );
  });

  it("retrains the loose winner from scratch, at the accuracy its run logged", () => {
    const run = join(out, "winner");
    const written = readJson<{ arch: unknown; config: { epochs: number } }>(join(run, "run.json"));
    assert.deepEqual(written.arch, readJson(join(r.evolution_loose.out, "best.json")));
    assert.equal(written.config.epochs, options.retrainEpochs);
    assert.equal(logLines(run, "epoch").length, options.retrainEpochs);
    assert.equal(r.winner.epochs, options.retrainEpochs);
    assertFraction(r.winner.test_top1, "winner test_top1");
    assert.equal(r.winner.test_top1, loggedTestTop1(run));
    assertSeconds(r.winner.seconds, "winner seconds");
    assertSeconds(r.end_to_end_seconds, "end_to_end_seconds");
    const parts = [r.supernet, r.evolution_loose, r.evolution_tight, r.winner].map((x) => x.seconds);
    assert.ok(Math.abs(r.end_to_end_seconds - parts.reduce((a, b) => a + b, 0)) < 1e-9);
  });
});
