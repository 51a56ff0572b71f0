// Step 2 of MetaPruning from user-level options (what `lithe prune search` calls): a trained PruningNet
// run searched under FLOPs / params limits by the shared one-shot search (src/nas/one-shot-search.ts),
// scoring each encoding with its generated weights after BN recalibration (Liu et al., ICCV 2019,
// Sec. 3.3; official search.py). The winner is a pruned zoo description (best.json) to retrain from
// scratch, and its generated weights (best.safetensors) a starting point.
import {
  costLimits,
  loadRunWeights,
  readOneShotRun,
  type SearchOptions,
  type SearchRunResult,
  searchOneShot,
} from "../nas/one-shot-search.js";
import type { SupernetData } from "../nas/supernet-run.js";
import { inputOf, PruningNet, type PruningNetArch, parsePruningNetArch } from "./pruning-net.js";
import { pruningGenes, pruningProfilers } from "./space.js";

export interface PruneSearchOptions extends SearchOptions {
  /** A `lithe prune train` run directory (run.json, model.safetensors). */
  pruningNet: string;
  /** Hard limits: FLOPs in multiply-adds, params in parameters. */
  flops?: number;
  params?: number;
}

export const readPruningNetRun = (dir: string): { arch: PruningNetArch; data: SupernetData } =>
  readOneShotRun(dir, parsePruningNetArch, "lithe prune train");

export async function runPruneSearch(o: PruneSearchOptions): Promise<SearchRunResult> {
  const run = readPruningNetRun(o.pruningNet);
  const { arch } = run;
  return searchOneShot(o, {
    data: run.data,
    genes: pruningGenes(arch.space),
    ...costLimits(pruningProfilers(arch.space, inputOf(arch)), o),
    load: () => loadRunWeights(o.pruningNet, new PruningNet(arch)),
    winner: (net) => ({ arch: net.prunedArch(), weights: net.generatedStateDict() }),
  });
}
