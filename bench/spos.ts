// The SPOS benchmark on Fashion-MNIST with the spos_small space, end to end on this machine:
// 1. supernet step time against training the sampled standalone nets (target <= 1.15x);
// 2. supernet training; 3. evolution under two FLOPs limits and random search with the same budget
// (best accuracy per number of evaluations); 4. ranking quality: Kendall tau between supernet-inherited
// accuracy and accuracy after a short standalone training of sampled architectures; 5. retraining the
// winner from scratch. Writes each phase's figures to <out>/bench-spos.json as soon as it has them.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomGenotype, SPOS_SMALL } from "../src/arch/spaces/spos.js";
import { manualSeed, randint, randn } from "../src/engine/index.js";
import { buildModel } from "../src/models/index.js";
import { archOfPath } from "../src/nas/extract.js";
import { readSupernetRun, runSearch, runSupernetTraining } from "../src/nas/spos.js";
import { Supernet } from "../src/nas/supernet.js";
import type { Module } from "../src/nn/index.js";
import type { Candidate } from "../src/search/evolution.js";
import { kendallTau } from "../src/search/ranking.js";
import { runTraining } from "../src/train/run.js";
import { SGD } from "../src/train/sgd.js";
import { trainStep } from "../src/train/step.js";
import { writeFileAtomic } from "../src/util/files.js";
import { Random } from "../src/util/random.js";
import { readCandidates, spreadByScore } from "./candidates.js";
import { benchProgress } from "./progress.js";

export interface SposBenchOptions {
  out: string;
  /** Fashion-MNIST for the published figures; "synthetic:N" for a quick dry run. */
  data: string;
  supernetEpochs: number;
  /** The two FLOPs limits searched on the same supernet. */
  limits: [number, number];
  population: number;
  generations: number;
  /** Sampled architectures trained standalone for the ranking check, and their epochs. */
  rankingArchs: number;
  rankingEpochs: number;
  retrainEpochs: number;
  /** Sampled paths whose standalone nets are timed against the supernet. */
  stepTimePaths: number;
}

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
  const results: Record<string, unknown> = { options: o };
  const save = () => writeFileAtomic(join(o.out, "bench-spos.json"), `${JSON.stringify(results, null, 2)}\n`);
  const data = { source: o.data };

  log("step time: supernet vs. the sampled standalone nets");
  results.step_time = stepTimeRatio(o.stepTimePaths, 8);
  save();

  log(`supernet: ${o.supernetEpochs} epochs`);
  const supernetDir = join(o.out, "supernet");
  const supernet = await runSupernetTraining({
    onProgress: training("supernet"),
    data,
    recipe: { epochs: o.supernetEpochs, logEvery: 100, checkpointEvery: 1000 },
    space: "spos_small",
    run: { out: supernetDir },
  });
  results.supernet = {
    seconds: supernet.seconds,
    train_top1: supernet.trainTop1,
    imgs_per_s: supernet.imagesPerSecond,
  };
  save();

  const search = async (method: "evolution" | "random", flops: number) => {
    const out = join(o.out, `search-${method}-${flops / 1e6}M`);
    log(`${method} search under ${flops / 1e6}M FLOPs`);
    const r = await runSearch({
      onCandidate: searching(`search ${method} ${flops / 1e6}M`),
      net: supernetDir,
      limits: { flops },
      run: { out },
      method,
      evolution: { population: o.population, generations: o.generations, topK: 10, seed: 0 },
    });
    const curve = bestSoFar(readCandidates(out));
    return {
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
  const [tight, loose] = [Math.min(...o.limits), Math.max(...o.limits)];
  const evolutionLoose = await search("evolution", loose);
  results.evolution_loose = evolutionLoose;
  save();
  const randomLoose = await search("random", loose);
  results.random_loose = randomLoose;
  save();
  results.evolution_tight = await search("evolution", tight);
  save();

  log(`ranking: ${o.rankingArchs} sampled architectures trained standalone for ${o.rankingEpochs} epoch(s)`);
  const picks = spreadByScore(readCandidates(randomLoose.out), o.rankingArchs);
  const sn = new Supernet(readSupernetRun(supernetDir).arch);
  const ranking: { supernet: number; standalone: number; flops: number }[] = [];
  for (const [i, c] of picks.entries()) {
    const archFile = join(o.out, `ranking-${i}.json`);
    writeFileSync(archFile, JSON.stringify(archOfPath(sn, c.genotype)));
    const r = await runTraining({
      onProgress: training(`ranking ${i}`),
      model: archFile,
      data,
      recipe: { epochs: o.rankingEpochs, batchSize: 128, logEvery: 1000, checkpointEvery: 100000 },
      run: { out: join(o.out, `ranking-${i}`) },
    });
    ranking.push({
      supernet: c.score,
      standalone: r.test?.top1 ?? Number.NaN,
      flops: c.costs.flops as number,
    });
    results.ranking = {
      architectures: ranking,
      kendall_tau: kendallTau(
        ranking.map((r) => r.supernet),
        ranking.map((r) => r.standalone),
      ),
    };
    save();
  }

  log(`retraining the ${loose / 1e6}M winner from scratch for ${o.retrainEpochs} epochs`);
  const winner = await runTraining({
    onProgress: training("winner"),
    model: join(evolutionLoose.out, "best.json"),
    data,
    recipe: { epochs: o.retrainEpochs, logEvery: 100, checkpointEvery: 1000 },
    run: { out: join(o.out, "winner") },
  });
  results.winner = { test_top1: winner.test?.top1, seconds: winner.seconds, epochs: o.retrainEpochs };
  const searches = [evolutionLoose, results.evolution_tight as typeof evolutionLoose];
  results.end_to_end_seconds =
    supernet.seconds + searches.reduce((s, r) => s + r.seconds, 0) + winner.seconds;
  save();
  return results;
}
