// The MetaPruning benchmark on Fashion-MNIST (Liu et al., ICCV 2019, Sec. 4.2: pruned nets retrained
// from scratch against uniformly scaled ones at the same FLOPs): a MobileNetV2 pruning space on a
// narrowed base (so the PruningNet trains in minutes on a CPU), then for each of two FLOPs budgets
// 1. the evolutionary search on the PruningNet, 2. the uniform-width network at the same budget,
// 3. both retrained from scratch with the same recipe and epochs under each of several seeds; then
// 4. ranking quality: Kendall tau between the PruningNet's hold-out scores of candidates of the first
// search and their test accuracy after the same from-scratch training.
// Writes every figure to <out>/bench-metapruning.json as soon as it has it; --resume continues.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inputOf } from "../src/arch/family.js";
import { type Arch, isFamily } from "../src/arch/schema.js";
import { narrowSpace, PRUNING_SPACES, type PruningSpace, prunedArch } from "../src/arch/spaces/pruning.js";
import { setNumThreads } from "../src/engine/index.js";
import { uniformBaseline } from "../src/prune/baseline.js";
import { readPruningNetRun, runPruneSearch, runPruningNetTraining } from "../src/prune/metapruning.js";
import { kendallTau } from "../src/search/ranking.js";
import { runTraining } from "../src/train/run.js";
import { writeFileAtomic } from "../src/util/files.js";
import { readCandidates, spreadByScore } from "./candidates.js";
import { benchProgress } from "./progress.js";

export interface MetaPruningBenchOptions {
  out: string;
  /** Fashion-MNIST for the published figures; "synthetic:N" for a quick dry run. */
  data: string;
  /** Factor on the official MobileNetV2 1.4x base widths, and the generators' hidden width. */
  baseWidth: number;
  hidden: number;
  /** Pruned widths as multiples of this (1: any width, as official). */
  divisor: number;
  pruningNetEpochs: number;
  /** The two FLOPs budgets. */
  limits: [number, number];
  population: number;
  generations: number;
  /** Seeds of the from-scratch trainings; each pruned/uniform pair shares one. */
  seeds: number[];
  /** Epochs of every from-scratch run (the same budget and full LR schedule for both networks). */
  retrainEpochs: number;
  /** Candidates of the first budget's search retrained from scratch for the ranking check (0: none). */
  rankingArchs: number;
  threads?: number;
  /** Continue the runs already in `out` (finished ones are kept) instead of refusing to overwrite them. */
  resume: boolean;
}

const { log, training, search } = benchProgress("metapruning");

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** The explicit widths of a network of the bench's MobileNetV2 space. */
const channelsOf = (arch: Arch) => (isFamily(arch, "mobilenet_v2") ? arch.channels : undefined);

export async function runMetaPruningBench(o: MetaPruningBenchOptions): Promise<Record<string, unknown>> {
  if (o.threads) setNumThreads(o.threads);
  mkdirSync(o.out, { recursive: true });
  const results: Record<string, unknown> = { options: o };
  const save = () =>
    writeFileAtomic(join(o.out, "bench-metapruning.json"), `${JSON.stringify(results, null, 2)}\n`);
  const data = { source: o.data };

  const space: PruningSpace = {
    ...narrowSpace(PRUNING_SPACES.mobilenet_v2 as PruningSpace, o.baseWidth, o.hidden),
    ...(o.divisor === 1 ? {} : { divisor: o.divisor }),
  };
  const spaceFile = join(o.out, "space.json");
  writeFileSync(spaceFile, `${JSON.stringify(space, null, 2)}\n`);

  log(`PruningNet (${space.name}, hidden ${space.hidden}): ${o.pruningNetEpochs} epochs`);
  const pruningNet = join(o.out, "pruningnet");
  await runPruningNetTraining({
    onProgress: training("pruningnet"),
    data,
    recipe: { epochs: o.pruningNetEpochs, logEvery: 100, checkpointEvery: 1000 },
    space: spaceFile,
    run: { out: pruningNet, resume: o.resume },
  });
  // From the run's log, so a resumed bench reports the training it did before.
  const epochs = readFileSync(join(pruningNet, "log.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.includes('"type":"epoch"'))
    .map((l) => JSON.parse(l) as { seconds: number; train_top1: number });
  results.pruningnet = {
    seconds: epochs.reduce((s, e) => s + e.seconds, 0),
    train_top1_per_epoch: epochs.map((e) => e.train_top1),
  };
  save();
  const input = inputOf(readPruningNetRun(pruningNet).arch);

  const retrain = async (archFile: string, seed: number) => {
    const r = await runTraining({
      onProgress: training(`retrain seed ${seed}`),
      model: archFile,
      data,
      recipe: { epochs: o.retrainEpochs, seed, logEvery: 200, checkpointEvery: 100000 },
      run: { out: join(archFile.replace(/\.json$/, ""), `s${seed}`), resume: o.resume },
    });
    return r.test?.top1 ?? Number.NaN;
  };

  const budgets: Record<string, unknown>[] = [];
  results.budgets = budgets;
  for (const flops of o.limits) {
    const tag = `${flops / 1e6}M`;
    log(`search under ${tag} FLOPs (${o.population} x ${o.generations})`);
    const searchDir = join(o.out, `search-${tag}`);
    const found = await runPruneSearch({
      onCandidate: search(`search ${tag}`),
      net: pruningNet,
      limits: { flops },
      run: { out: searchDir, resume: o.resume },
      evolution: { population: o.population, generations: o.generations, topK: 10, seed: 0 },
    });
    const uniform = uniformBaseline(space, input, { flops });
    const uniformFile = join(o.out, `uniform-${tag}.json`);
    writeFileAtomic(uniformFile, `${JSON.stringify(uniform.arch, null, 2)}\n`);
    const prunedFile = join(o.out, `pruned-${tag}.json`);
    writeFileAtomic(prunedFile, `${JSON.stringify(found.arch, null, 2)}\n`);
    const budget: Record<string, unknown> = {
      limit: flops,
      search_seconds: found.seconds,
      evaluated: found.evaluated,
      pruned: {
        flops: found.best.costs.flops,
        params: found.best.costs.params,
        holdout_top1: found.best.score,
        channels: channelsOf(found.arch),
      },
      uniform: {
        flops: uniform.flops,
        params: uniform.params,
        scale: uniform.scale,
        channels: channelsOf(uniform.arch),
      },
    };
    budgets.push(budget);
    save();
    const pruned: number[] = [];
    const scaled: number[] = [];
    for (const seed of o.seeds) {
      log(`${tag}: retraining both from scratch, seed ${seed}, ${o.retrainEpochs} epochs`);
      pruned.push(await retrain(prunedFile, seed));
      scaled.push(await retrain(uniformFile, seed));
      budget.test_top1 = {
        pruned,
        uniform: scaled,
        pruned_mean: mean(pruned),
        uniform_mean: mean(scaled),
        difference: mean(pruned) - mean(scaled),
        per_seed_difference: pruned.map((p, i) => p - (scaled[i] as number)),
      };
      save();
    }
  }

  if (o.rankingArchs > 1) {
    const tag = `${o.limits[0] / 1e6}M`;
    log(`ranking: ${o.rankingArchs} candidates of the ${tag} search retrained from scratch`);
    const picks = spreadByScore(readCandidates(join(o.out, `search-${tag}`)), o.rankingArchs);
    const ranking: { pruningnet: number; standalone: number; flops: number }[] = [];
    for (const [i, c] of picks.entries()) {
      const archFile = join(o.out, `ranking-${i}.json`);
      writeFileAtomic(archFile, `${JSON.stringify(prunedArch(space, c.genotype, input), null, 2)}\n`);
      ranking.push({
        pruningnet: c.score,
        standalone: await retrain(archFile, 1),
        flops: c.costs.flops as number,
      });
      results.ranking = {
        architectures: ranking,
        kendall_tau: kendallTau(
          ranking.map((r) => r.pruningnet),
          ranking.map((r) => r.standalone),
        ),
      };
      save();
    }
  }
  return results;
}
