// Step 2 of MetaPruning from user-level options (what `lithe prune search` calls): a trained PruningNet
// run searched under FLOPs, params or latency limits (latency as a model predicts it,
// src/prune/latency-model.ts) by the shared one-shot search (src/nas/one-shot-search.ts), scoring each
// encoding with its generated weights after BN recalibration (Liu et al., ICCV 2019, Sec. 3.3;
// official search.py). The winner is a pruned zoo description (best.json) to retrain from
// scratch, and its generated weights (best.safetensors) a starting point.
import {
  checkPredictorFor,
  costLimits,
  loadRunWeights,
  readOneShotRun,
  type SearchOptions,
  type SearchRunResult,
  searchOneShot,
} from "../nas/one-shot-search.js";
import type { SupernetData } from "../nas/supernet-run.js";
import type { Constraint } from "../nas/types.js";
import { latencyModelProfiler } from "./latency-model.js";
import { loadLatencyModel } from "./latency-model-file.js";
import { inputOf, PruningNet, type PruningNetArch, parsePruningNetArch } from "./pruning-net.js";
import { pruningGenes, pruningProfilers } from "./space.js";

export interface PruneSearchOptions extends SearchOptions {
  /** A `lithe prune train` run directory (run.json, model.safetensors). */
  pruningNet: string;
  /** Hard limits: FLOPs in multiply-adds, params in parameters, latency in ms as `latencyModel` predicts it. */
  flops?: number;
  params?: number;
  latency?: number;
  /** A latency model of the PruningNet's space and input (`lithe prune latency-model`); needed with `latency`. */
  latencyModel?: string;
  /** The runtime the model must have been measured on, if the user names one. */
  runtime?: string;
}

export const readPruningNetRun = (dir: string): { arch: PruningNetArch; data: SupernetData } =>
  readOneShotRun(dir, parsePruningNetArch, "lithe prune train");

export async function runPruneSearch(o: PruneSearchOptions): Promise<SearchRunResult> {
  if (o.latency !== undefined && !o.latencyModel)
    throw new Error(
      "a latency limit (--latency) needs a latency model (--latency-model model.json, from `lithe prune latency-model`)",
    );
  const run = readPruningNetRun(o.pruningNet);
  const { arch } = run;
  const input = inputOf(arch);
  const latency: Constraint[] = [];
  if (o.latency !== undefined && o.latencyModel) {
    const model = loadLatencyModel(o.latencyModel);
    checkPredictorFor(o.latencyModel, model, { space: arch.space, input, runtime: o.runtime }, "PruningNet");
    latency.push({ profiler: latencyModelProfiler(model), max: o.latency });
  }
  return searchOneShot(o, {
    data: run.data,
    genes: pruningGenes(arch.space, { distinct: true }),
    ...costLimits(pruningProfilers(arch.space, input), o, latency),
    load: () => loadRunWeights(o.pruningNet, new PruningNet(arch)),
    winner: (net) => ({ arch: net.prunedArch(), weights: net.generatedStateDict() }),
  });
}
