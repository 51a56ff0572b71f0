// SPOS (Guo et al., ECCV 2020) as a plug-in of the one-shot core (src/search): the supernet of a SPOS
// space, its genes (one block gene and, when the space has channel scales, one mid gene per position),
// its analytic profilers (FLOPs and params by table lookup, with the exact minimum over the space), the
// latency table as its latency predictor, and the winner extracted with inherited weights. What
// `lithe supernet train` (step 1) and `lithe search` (step 2) call.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ArchInput, inputOf } from "../arch/family.js";
import { makeGenotypeCounter } from "../arch/genotype-counter.js";
import type { Arch } from "../arch/index.js";
import { isQuantSpace, resolveQuantSpace, resolveSpace } from "../arch/resolve.js";
import { positions, type SposSpace } from "../arch/spaces/spos.js";
import type { OneShotMethod } from "../search/method.js";
import {
  readOneShotRun,
  type SearchOptions,
  type SearchRunResult,
  searchOneShot,
} from "../search/search-run.js";
import { type OneShotData, type OneShotTrainingOptions, trainOneShot } from "../search/train-run.js";
import type { CostProfilers, GeneSpace } from "../search/types.js";
import type { TrainSummary } from "../train/trainer.js";
import { extractSubnet } from "./extract.js";
import { latencyProfiler } from "./latency-table.js";
import { loadLatencyTable } from "./latency-table-file.js";
import { QUANT_SEARCH } from "./quant-search.js";
import { parseSupernetArch, Supernet, type SupernetArch } from "./supernet.js";

export function sposGenes(space: SposSpace): GeneSpace {
  const labels = space.choices.map((c) => c.label);
  return {
    name: space.name,
    genes: positions(space).flatMap((p) => [
      { label: p.block, values: labels },
      ...(space.scales.length > 1 ? [{ label: p.mid, values: space.scales }] : []),
    ]),
  };
}

/** FLOPs and params of genotypes of `space` for this input. */
export function sposProfilers(space: SposSpace, input: ArchInput): CostProfilers {
  const count = makeGenotypeCounter(space, input);
  return {
    flops: { name: "flops", unit: "si", measure: (g) => count(g).flops, minimum: () => count.minimum.flops },
    params: {
      name: "params",
      unit: "si",
      measure: (g) => count(g).params,
      minimum: () => count.minimum.params,
    },
  };
}

export const SPOS: OneShotMethod<SupernetArch, Supernet> = {
  netName: "supernet",
  trainCommand: "lithe supernet train",
  predictorCommand: "lithe latency-table",
  parseArch: parseSupernetArch,
  build: (arch) => new Supernet(arch),
  genes: (arch) => sposGenes(arch.space),
  profilers: (arch) => sposProfilers(arch.space, inputOf(arch)),
  loadLatencyPredictor: (path) => {
    const table = loadLatencyTable(path);
    return { target: table, profiler: () => latencyProfiler(table) };
  },
  winner: (supernet, g) => {
    const { arch, model } = extractSubnet(supernet, g);
    return { arch: arch as Arch, weights: model.stateDict() };
  },
};

export interface SupernetTrainingOptions extends OneShotTrainingOptions {
  /** A registered space name (spos_small, spos_imagenet) or the path of a space JSON file. */
  space: string;
}

/**
 * Step 1: the supernet of `o.space` trained with one sampled path per step: a block/channel space's,
 * or a quantization space's (Sec. 4.3), whose paths are bit widths.
 */
export function runSupernetTraining(o: SupernetTrainingOptions): Promise<TrainSummary> {
  if (isQuantSpace(o.space)) {
    const space = resolveQuantSpace(o.space);
    return trainOneShot(QUANT_SEARCH, (input) => ({ family: "quant-supernet", space, ...input }), o);
  }
  const space = resolveSpace(o.space);
  return trainOneShot(SPOS, (input) => ({ family: "spos-supernet", space, ...input }), o);
}

/** The family a one-shot run's run.json names ("spos-supernet", "quant-supernet"), or undefined. */
function familyOfRun(dir: string): unknown {
  try {
    return (JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as { arch?: { family?: unknown } }).arch
      ?.family;
  } catch {
    return undefined;
  }
}

/** Step 2: a `lithe supernet train` run searched under `o.limits` (latency as a table predicts it, BitOps for quantization spaces). */
export const runSearch = (o: SearchOptions): Promise<SearchRunResult> =>
  familyOfRun(o.net) === "quant-supernet" ? searchOneShot(QUANT_SEARCH, o) : searchOneShot(SPOS, o);

export const readSupernetRun = (dir: string): { arch: SupernetArch; data: OneShotData } =>
  readOneShotRun(dir, SPOS);
