// The MetaPruning benchmark on Fashion-MNIST (Liu et al., ICCV 2019, Sec. 4.2: pruned nets retrained
// from scratch against uniformly scaled ones at the same FLOPs): a MobileNetV2 pruning space on a
// narrowed base (so a PruningNet trains in minutes on a CPU). For each PruningNet variant (plain, and
// with in-place distillation as in BigNAS) and each of two FLOPs budgets: 1. the evolutionary search in
// the band [min share x budget, budget], so the winner uses its budget; 2. the winner and the
// uniform-width net at the same budget retrained from scratch with the same recipe and epochs under each
// of several seeds, with t intervals of the means and of the paired differences; then 3. ranking
// quality: Kendall tau (bootstrap interval) between the first variant's PruningNet scores of candidates
// of the first search and their test accuracy after a standalone training.
// Retrainings can run in worker processes beside the PruningNet trainings and searches (`jobs`).
// Writes every figure to <out>/bench-metapruning.json as soon as it has it; --resume continues.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Arch, isFamily } from "../src/arch/schema.js";
import { narrowSpace, PRUNING_SPACES, type PruningSpace, prunedArch } from "../src/arch/spaces/pruning.js";
import { openDataset } from "../src/data/open.js";
import { setNumThreads } from "../src/engine/index.js";
import { uniformBaseline } from "../src/prune/baseline.js";
import { runPruneSearch, runPruningNetTraining } from "../src/prune/metapruning.js";
import { kendallTauInterval } from "../src/search/ranking.js";
import { inputForData } from "../src/train/setup.js";
import { writeFileAtomic } from "../src/util/files.js";
import { summarize } from "../src/util/statistics.js";
import { readCandidates, spreadByScore } from "./candidates.js";
import { benchProgress } from "./progress.js";
import { epochFigures } from "./run-log.js";
import { TrainPool } from "./train-pool.js";

/** PruningNet trainings compared: the paper's, and BigNAS-style in-place distillation. */
export type PruningNetVariant = "plain" | "inplace";

export interface MetaPruningBenchOptions {
  out: string;
  /** Fashion-MNIST for the published figures; "synthetic:N" for a quick dry run. */
  data: string;
  /** Factor on the official MobileNetV2 1.4x base widths, and the generators' hidden width. */
  baseWidth: number;
  hidden: number;
  /** Pruned widths as multiples of this (1: any width, as official). */
  divisor: number;
  variants: PruningNetVariant[];
  pruningNetEpochs: number;
  /** The two FLOPs budgets, and the searches' floor as a share of each. */
  limits: [number, number];
  minShare: number;
  population: number;
  generations: number;
  /** Seeds of the from-scratch trainings; the nets of a budget share each. */
  seeds: number[];
  /** Epochs of every from-scratch run (the same budget and full LR schedule for every network). */
  retrainEpochs: number;
  /** Candidates of the first search trained standalone for the ranking check (0: none), and their epochs. */
  rankingArchs: number;
  rankingEpochs: number;
  /** Worker processes (1 thread each) for the from-scratch trainings; 0: in this process. */
  jobs: number;
  threads?: number;
  /** Continue the runs already in `out` (finished ones are kept) instead of refusing to overwrite them. */
  resume: boolean;
}

const BOOTSTRAP_RESAMPLES = 2000;

const { log, training, search } = benchProgress("metapruning");

/** The explicit widths of a network of the bench's MobileNetV2 space. */
const channelsOf = (arch: Arch) => (isFamily(arch, "mobilenet_v2") ? arch.channels : undefined);

const tagOf = (flops: number) => `${flops / 1e6}M`;

export async function runMetaPruningBench(o: MetaPruningBenchOptions): Promise<Record<string, unknown>> {
  if (o.threads) setNumThreads(o.threads);
  // The workers take one thread each; this process keeps one.
  if (o.jobs > 0) setNumThreads(1);
  mkdirSync(o.out, { recursive: true });
  const results: Record<string, unknown> = { options: o };
  const save = () =>
    writeFileAtomic(join(o.out, "bench-metapruning.json"), `${JSON.stringify(results, null, 2)}\n`);
  const data = { source: o.data };
  const pool = new TrainPool(o.jobs, o.data);

  const space: PruningSpace = {
    ...narrowSpace(PRUNING_SPACES.mobilenet_v2 as PruningSpace, o.baseWidth, o.hidden),
    ...(o.divisor === 1 ? {} : { divisor: o.divisor }),
  };
  const spaceFile = join(o.out, "space.json");
  writeFileSync(spaceFile, `${JSON.stringify(space, null, 2)}\n`);

  /** Each net's test top-1 per seed, filled in as the trainings finish, and their t summary. */
  const retrain = async (archFile: string, figures: Record<string, unknown>) => {
    const tops: number[] = [];
    for (const [i, seed] of o.seeds.entries()) {
      const out = join(archFile.replace(/\.json$/, ""), `s${seed}`);
      const onProgress = training(`${out} (seed ${seed})`);
      await pool.submit({ model: archFile, out, epochs: o.retrainEpochs, seed, onProgress }, (top1) => {
        tops[i] = top1;
        log(`${out}: test top-1 ${top1}`);
        if (tops.filter((t) => t !== undefined).length === o.seeds.length)
          Object.assign(figures, { test_top1: tops, ...summarize(tops) });
        save();
      });
    }
  };

  const budgets = o.limits.map((limit) => ({
    limit,
    min_flops: Math.round(o.minShare * limit),
    variants: {} as Record<string, Record<string, unknown>>,
  }));
  results.budgets = budgets;
  // The networks' input, from the data (the PruningNet trainings derive the same).
  const input = inputForData(await openDataset(o.data, "test"), "auto");
  for (const b of budgets) {
    const uniform = uniformBaseline(space, input, { flops: b.limit });
    const file = join(o.out, `uniform-${tagOf(b.limit)}.json`);
    writeFileAtomic(file, `${JSON.stringify(uniform.arch, null, 2)}\n`);
    const { flops, params, scale } = uniform;
    b.variants.uniform = { flops, params, scale, channels: channelsOf(uniform.arch) };
    await retrain(file, b.variants.uniform);
  }
  save();

  const pruningNets: Record<string, unknown> = {};
  results.pruningnets = pruningNets;
  for (const variant of o.variants) {
    const pruningNet = join(o.out, `pruningnet-${variant}`);
    log(`PruningNet ${variant} (${space.name}, hidden ${space.hidden}): ${o.pruningNetEpochs} epochs`);
    await runPruningNetTraining({
      onProgress: training(`PruningNet ${variant}`),
      data,
      recipe: { epochs: o.pruningNetEpochs, logEvery: 100, checkpointEvery: 1000 },
      space: spaceFile,
      ...(variant === "inplace" ? { inplaceDistill: true } : {}),
      run: { out: pruningNet, resume: o.resume },
    });
    // From the run's log, so a resumed bench reports the training it did before.
    pruningNets[variant] = epochFigures(pruningNet);
    save();

    for (const b of budgets) {
      const tag = tagOf(b.limit);
      log(`${variant}: search in ${b.min_flops / 1e6}M..${tag} FLOPs (${o.population} x ${o.generations})`);
      const found = await runPruneSearch({
        onCandidate: search(`search ${variant} ${tag}`),
        net: pruningNet,
        limits: { flops: b.limit, min: { flops: b.min_flops } },
        run: { out: join(o.out, `search-${variant}-${tag}`), resume: o.resume },
        evolution: { population: o.population, generations: o.generations, topK: 10, seed: 0 },
      });
      const file = join(o.out, `pruned-${variant}-${tag}.json`);
      writeFileAtomic(file, `${JSON.stringify(found.arch, null, 2)}\n`);
      b.variants[variant] = {
        search_seconds: found.seconds,
        evaluated: found.evaluated,
        holdout_top1: found.best.score,
        flops: found.best.costs.flops,
        params: found.best.costs.params,
        channels: channelsOf(found.arch),
      };
      save();
      await retrain(file, b.variants[variant]);
    }
  }

  const first = o.variants[0];
  const ranked: { proxy_score: number; standalone_top1?: number; flops: number }[] = [];
  if (o.rankingArchs > 1 && first) {
    const tag = tagOf(o.limits[0]);
    log(`ranking: ${o.rankingArchs} candidates of the ${first} ${tag} search trained standalone`);
    const picks = spreadByScore(readCandidates(join(o.out, `search-${first}-${tag}`)), o.rankingArchs);
    for (const [i, c] of picks.entries()) {
      const archFile = join(o.out, `ranking-${i}.json`);
      writeFileAtomic(archFile, `${JSON.stringify(prunedArch(space, c.genotype, input), null, 2)}\n`);
      const entry: (typeof ranked)[number] = { proxy_score: c.score, flops: c.costs.flops as number };
      ranked.push(entry);
      const run = { model: archFile, out: join(o.out, `ranking-${i}`), epochs: o.rankingEpochs, seed: 1 };
      await pool.submit({ ...run, onProgress: training(`ranking ${i}`) }, (top1) => {
        entry.standalone_top1 = top1;
        log(`ranking ${i}: test top-1 ${top1}`);
      });
    }
  }

  log("waiting for the from-scratch trainings");
  await pool.finish();
  for (const b of budgets) {
    const uniform = b.variants.uniform?.test_top1 as number[];
    const differences: Record<string, unknown> = {};
    for (const variant of o.variants) {
      const pruned = b.variants[variant]?.test_top1 as number[];
      const d = pruned.map((p, i) => p - (uniform[i] as number));
      differences[variant] = { ...summarize(d), wins: d.filter((x) => x > 0).length, seeds: d.length };
    }
    Object.assign(b, { difference_to_uniform: differences });
  }
  if (ranked.length > 0) {
    const tau = kendallTauInterval(
      ranked.map((r) => r.proxy_score),
      ranked.map((r) => r.standalone_top1 as number),
      { resamples: BOOTSTRAP_RESAMPLES },
    );
    results.ranking = {
      proxy: "pruningnet",
      variant: first,
      epochs: o.rankingEpochs,
      architectures: ranked,
      kendall_tau: tau.tau,
      kendall_tau_ci95: tau.ci95,
      bootstrap_resamples: BOOTSTRAP_RESAMPLES,
    };
  }
  save();
  return results;
}
