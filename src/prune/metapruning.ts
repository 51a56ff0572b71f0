// MetaPruning (Liu et al., ICCV 2019) as a plug-in of the one-shot core (src/search): the PruningNet of
// a pruning space trained with a freshly drawn encoding per batch (Sec. 3.2: "randomly generate
// network encoding vectors in each iteration"), its genes and profilers (space.ts), the latency model
// as its latency predictor, and the winner: a pruned zoo description to retrain from scratch, with its
// generated weights as a starting point (Sec. 3.3; official search.py). What `lithe prune train` and
// `lithe prune search` call.
import { inputOf } from "../arch/family.js";
import { resolvePruningSpace } from "../arch/resolve.js";
import { narrowSpace, type PruningSpace } from "../arch/spaces/pruning.js";
import type { OneShotMethod } from "../search/method.js";
import {
  readOneShotRun,
  type SearchOptions,
  type SearchRunResult,
  searchOneShot,
} from "../search/search-run.js";
import type { OneShotData, OneShotTrainingOptions } from "../search/train-run.js";
import { trainOneShot } from "../search/train-run.js";
import type { TrainSummary } from "../train/trainer.js";
import { latencyModelProfiler } from "./latency-model.js";
import { loadLatencyModel } from "./latency-model-file.js";
import { PruningNet, type PruningNetArch, parsePruningNetArch } from "./pruning-net.js";
import { pruningGenes, pruningProfilers } from "./space.js";

export const METAPRUNING: OneShotMethod<PruningNetArch, PruningNet> = {
  netName: "PruningNet",
  trainCommand: "lithe prune train",
  predictorCommand: "lithe prune latency-model",
  parseArch: parsePruningNetArch,
  build: (arch) => new PruningNet(arch),
  genes: (arch, use) => pruningGenes(arch.space, { distinct: use === "search" }),
  profilers: (arch) => pruningProfilers(arch.space, inputOf(arch)),
  loadLatencyPredictor: (path) => {
    const model = loadLatencyModel(path);
    return { target: model, profiler: () => latencyModelProfiler(model) };
  },
  winner: (net) => ({ arch: net.prunedArch(), weights: net.generatedStateDict() }),
};

export interface PruningNetTrainingOptions extends OneShotTrainingOptions {
  /** A registered pruning space name or the path of a pruning space JSON file. */
  space: string;
  /** Narrows the space's unpruned network: every base width times this factor (narrowSpace). */
  baseWidth?: number;
  /** Hidden width of the weight generators, if not the space's. */
  hidden?: number;
  /** Pruned widths as multiples of this, if not the space's. */
  divisor?: number;
}

/** The space a training trains, with the options' narrowing, generator width and divisor applied. */
function spaceOf(o: PruningNetTrainingOptions): PruningSpace {
  const resolved = resolvePruningSpace(o.space);
  const narrowed =
    o.baseWidth === undefined && o.hidden === undefined
      ? resolved
      : narrowSpace(resolved, o.baseWidth ?? 1, o.hidden ?? resolved.hidden);
  return o.divisor === undefined ? narrowed : { ...narrowed, divisor: o.divisor };
}

/** Step 1: the PruningNet of the space trained on a random encoding per step. */
export function runPruningNetTraining(o: PruningNetTrainingOptions): Promise<TrainSummary> {
  const space = spaceOf(o);
  return trainOneShot(METAPRUNING, (input) => ({ family: "metapruning-net", space, ...input }), o);
}

export const readPruningNetRun = (dir: string): { arch: PruningNetArch; data: OneShotData } =>
  readOneShotRun(dir, METAPRUNING);

/** Step 2: a `lithe prune train` run searched under `o.limits` (latency as its latency model predicts it). */
export const runPruneSearch = (o: SearchOptions): Promise<SearchRunResult> => searchOneShot(METAPRUNING, o);
