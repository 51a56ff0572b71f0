// The SPOS benchmark on Fashion-MNIST with the spos_small space, end to end on this machine:
// 1. supernet step time against training the sampled standalone nets (target <= 1.15x);
// 2. supernet training; 3. ranking quality: architectures drawn uniformly under the FLOPs limit, scored
// on the supernet and trained standalone, Kendall tau with a bootstrap interval; 4. evolution against
// random search with the same budget in the same FLOPs band, over several seeds (paired: a seed's two
// searches share their first generation), mean, spread and t intervals; 5. retraining both winners of
// the first seed from scratch. Standalone trainings can run in worker processes beside the searches
// (`jobs`). Writes each phase's figures to <out>/bench-spos.json as soon as it has them; `resume`
// continues an interrupted run, keeping what finished.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomGenotype, SPOS_SMALL } from "../src/arch/spaces/spos.js";
import { manualSeed, randint, randn, setNumThreads } from "../src/engine/index.js";
import { buildModel } from "../src/models/index.js";
import { archOfPath } from "../src/nas/extract.js";
import { readSupernetRun, runSearch, runSupernetTraining } from "../src/nas/spos.js";
import { Supernet } from "../src/nas/supernet.js";
import type { Module } from "../src/nn/index.js";
import type { Candidate } from "../src/search/evolution.js";
import { kendallTauInterval } from "../src/search/ranking.js";
import { SGD } from "../src/train/sgd.js";
import { trainStep } from "../src/train/step.js";
import { writeFileAtomic } from "../src/util/files.js";
import { Random } from "../src/util/random.js";
import { summarize } from "../src/util/statistics.js";
import { readCandidates } from "./candidates.js";
import { benchProgress } from "./progress.js";
import { epochFigures } from "./run-log.js";
import { TrainPool } from "./train-pool.js";

export interface SposBenchOptions {
  out: string;
  /** Fashion-MNIST for the published figures; "synthetic:N" for a quick dry run. */
  data: string;
  supernetEpochs: number;
  /** The FLOPs limit every search and the ranking draw respect, and the searches' floor. */
  limit: number;
  minFlops: number;
  population: number;
  generations: number;
  /** Seeds of the evolution-vs-random comparison (one search of each per seed). */
  seeds: number[];
  /** Architectures drawn for the ranking check, and the epochs each is trained standalone. */
  rankingArchs: number;
  rankingEpochs: number;
  /** Epochs to retrain the first seed's two winners (0: skip). */
  retrainEpochs: number;
  /** Sampled paths whose standalone nets are timed against the supernet (0: skip). */
  stepTimePaths: number;
  /** Worker processes (1 thread each) for the standalone trainings, beside the searches; 0: in this process. */
  jobs: number;
  /** Continue the runs already in `out` (finished ones are kept). */
  resume: boolean;
}

const BOOTSTRAP_RESAMPLES = 2000;

const { log, training, search: searching } = benchProgress("spos");

/** Mean seconds per training step of `model` on a fixed batch (after warm-up), with `before` run each step. */
function stepSeconds(model: Module, steps: number, before: (i: number) => void = () => {}): number {
  const optimizer = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9, weightDecay: 4e-5 });
  const x = randn([128, 1, 28, 28]);
  const y = randint(0, 10, [128], "int64");
  for (let i = 0; i < 3; i++) {
    before(i);
    trainStep(model, optimizer, x, y);
  }
  const started = performance.now();
  for (let i = 0; i < steps; i++) {
    before(i);
    trainStep(model, optimizer, x, y);
  }
  return (performance.now() - started) / 1000 / steps;
}

/** Supernet steps with a new uniformly sampled path each step vs. steps of each sampled standalone net. */
function stepTimeRatio(paths: number, steps: number) {
  manualSeed(0);
  const arch = {
    family: "spos-supernet" as const,
    space: SPOS_SMALL,
    inputSize: 28,
    inChannels: 1,
    classes: 10,
    stem: "small" as const,
  };
  const supernet = new Supernet(arch);
  const random = new Random(1);
  const genotypes = Array.from({ length: paths }, () => randomGenotype(SPOS_SMALL, random));
  const standalone = genotypes.map((g) => stepSeconds(buildModel(archOfPath(supernet, g)), steps));
  const sampled = stepSeconds(supernet, steps * paths, (i) =>
    supernet.setPath(genotypes[i % paths] as (typeof genotypes)[0]),
  );
  const meanStandalone = standalone.reduce((s, t) => s + t, 0) / paths;
  return {
    supernet_step_s: sampled,
    standalone_step_s: meanStandalone,
    ratio: sampled / meanStandalone,
    paths,
    batch: 128,
  };
}

/** Best score seen after each number of evaluations. */
function bestSoFar(candidates: readonly Candidate[]): number[] {
  let best = 0;
  return candidates.map((c) => {
    best = Math.max(best, c.score);
    return best;
  });
}

export async function runSposBench(o: SposBenchOptions): Promise<Record<string, unknown>> {
  mkdirSync(o.out, { recursive: true });
  const jsonFile = join(o.out, "bench-spos.json");
  const before: Record<string, unknown> =
    o.resume && existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, "utf8")) : {};
  const results: Record<string, unknown> = { options: o };
  const save = () => writeFileAtomic(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  const data = { source: o.data };
  const pool = new TrainPool(o.jobs, o.data);

  if (before.step_time) results.step_time = before.step_time;
  else if (o.stepTimePaths > 0) {
    log("step time: supernet vs. the sampled standalone nets");
    results.step_time = stepTimeRatio(o.stepTimePaths, 8);
  }
  save();

  log(`supernet: ${o.supernetEpochs} epochs`);
  const supernetDir = join(o.out, "supernet");
  const supernet = await runSupernetTraining({
    onProgress: training("supernet"),
    data,
    recipe: { epochs: o.supernetEpochs, logEvery: 100, checkpointEvery: 1000 },
    space: "spos_small",
    run: { out: supernetDir, resume: o.resume },
  });
  results.supernet = { ...epochFigures(supernetDir), imgs_per_s: supernet.imagesPerSecond };
  save();
  // From here on the standalone trainings may run in workers beside this process: one thread each.
  if (o.jobs > 0) setNumThreads(1);
  const sn = new Supernet(readSupernetRun(supernetDir).arch);

  const search = async (method: "evolution" | "random", seed: number) => {
    const out = join(o.out, `search-${method}-s${seed}`);
    log(`${method} search, seed ${seed}, ${o.minFlops / 1e6}M <= FLOPs <= ${o.limit / 1e6}M`);
    const r = await runSearch({
      onCandidate: searching(`search ${method} seed ${seed}`),
      net: supernetDir,
      limits: { flops: o.limit, min: { flops: o.minFlops } },
      run: { out, resume: o.resume },
      method,
      evolution: { population: o.population, generations: o.generations, topK: 10, seed },
    });
    const curve = bestSoFar(readCandidates(out));
    return {
      seed,
      method,
      out,
      seconds: r.seconds,
      evaluated: r.evaluated,
      best_score: r.best.score,
      best_flops: r.best.costs.flops,
      best_per_evaluations: Object.fromEntries(
        curve.flatMap((b, i) => ((i + 1) % o.population === 0 ? [[i + 1, b]] : [])),
      ),
    };
  };

  // Ranking: a random draw under the limit (no floor, so the whole cost range below it), scored on
  // the supernet by a one-generation random search, then trained standalone.
  log(`ranking: ${o.rankingArchs} architectures under ${o.limit / 1e6}M FLOPs scored on the supernet`);
  const poolDir = join(o.out, "ranking-pool");
  await runSearch({
    onCandidate: searching("ranking pool"),
    net: supernetDir,
    limits: { flops: o.limit },
    run: { out: poolDir, resume: o.resume },
    method: "random",
    evolution: { population: o.rankingArchs, generations: 1, topK: 1, seed: 1000 },
  });
  const picks = readCandidates(poolDir);
  const tops: number[] = [];
  for (const [i, c] of picks.entries()) {
    const archFile = join(o.out, `ranking-${i}.json`);
    writeFileSync(archFile, JSON.stringify(archOfPath(sn, c.genotype)));
    const run = { model: archFile, out: join(o.out, `ranking-${i}`), epochs: o.rankingEpochs, seed: 0 };
    await pool.submit({ ...run, onProgress: training(`ranking ${i}`) }, (top1) => {
      tops[i] = top1;
      log(`ranking ${i}: test top-1 ${top1}`);
    });
  }

  const runs: Awaited<ReturnType<typeof search>>[] = [];
  const comparison: Record<string, unknown> = {
    limit: o.limit,
    min_flops: o.minFlops,
    evaluations: o.population * o.generations,
    runs,
  };
  results.search_comparison = comparison;
  const winners: Record<string, { test_top1: number; flops: number | undefined }> = {};
  for (const seed of o.seeds) {
    for (const method of ["evolution", "random"] as const) {
      const r = await search(method, seed);
      runs.push(r);
      if (seed === o.seeds[0] && o.retrainEpochs > 0) {
        const run = { model: join(r.out, "best.json"), out: join(o.out, `winner-${method}`) };
        await pool.submit(
          { ...run, epochs: o.retrainEpochs, seed: 0, onProgress: training(`${method} winner`) },
          (top1) => {
            winners[method] = { test_top1: top1, flops: r.best_flops };
            log(`${method} winner: test top-1 ${top1}`);
          },
        );
      }
    }
    const best = (method: string) => runs.filter((r) => r.method === method).map((r) => r.best_score);
    const [evolution, random] = [best("evolution"), best("random")];
    const difference = evolution.map((e, i) => e - (random[i] as number));
    comparison.summary = {
      evolution: summarize(evolution),
      random: summarize(random),
      difference: {
        ...summarize(difference),
        evolution_wins: difference.filter((d) => d > 0).length,
        seeds: difference.length,
      },
    };
    save();
  }
  log("waiting for the standalone trainings");
  await pool.finish();
  const tau = kendallTauInterval(
    picks.map((c) => c.score),
    tops,
    { resamples: BOOTSTRAP_RESAMPLES },
  );
  results.ranking = {
    proxy: "supernet",
    epochs: o.rankingEpochs,
    architectures: picks.map((c, i) => ({
      proxy_score: c.score,
      standalone_top1: tops[i],
      flops: c.costs.flops,
    })),
    kendall_tau: tau.tau,
    kendall_tau_ci95: tau.ci95,
    bootstrap_resamples: BOOTSTRAP_RESAMPLES,
  };
  if (o.retrainEpochs > 0) {
    const { evolution, random } = winners;
    results.winners = { seed: o.seeds[0], epochs: o.retrainEpochs, evolution, random };
  }
  save();
  return results;
}
