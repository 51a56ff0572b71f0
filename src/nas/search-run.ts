// Step 2 of SPOS from user-level options (what `lithe search` calls): a trained supernet run searched
// under FLOPs, params or (table-predicted) latency limits by the shared one-shot search
// (src/nas/one-shot-search.ts); the winner's weights are inherited from the supernet (extractSubnet).
import type { Arch } from "../arch/index.js";
import { latencyProfiler } from "../latency/lut.js";
import { loadLatencyTable } from "../latency/lut-file.js";
import { extractSubnet } from "./extract.js";
import {
  checkPredictorFor,
  costLimits,
  loadRunWeights,
  readOneShotRun,
  type SearchOptions,
  type SearchRunResult,
  searchOneShot,
} from "./one-shot-search.js";
import { geneSpaceOf, sposProfilers } from "./spos-space.js";
import { parseSupernetArch, Supernet, type SupernetArch } from "./supernet.js";
import type { SupernetData } from "./supernet-run.js";
import type { Constraint } from "./types.js";

export type { SearchRunResult } from "./one-shot-search.js";

export interface SearchRunOptions extends SearchOptions {
  /** A `lithe supernet train` run directory (run.json, model.safetensors). */
  supernet: string;
  /** Hard limits (FLOPs in multiply-adds, params in parameters, latency in ms as `lut` predicts it). */
  flops?: number;
  params?: number;
  latency?: number;
  /** A latency table of the supernet's space and input (`lithe latency-table`); needed with `latency`. */
  lut?: string;
  /** The runtime the table must have been measured on, if the user names one. */
  runtime?: string;
}

export const readSupernetRun = (dir: string): { arch: SupernetArch; data: SupernetData } =>
  readOneShotRun(dir, parseSupernetArch, "lithe supernet train");

/** The latency table at `path`, refused unless it was built for this supernet's space and input (and runtime). */
function tableFor(path: string, arch: SupernetArch, runtime: string | undefined) {
  const table = loadLatencyTable(path);
  const { space, family: _family, ...input } = arch;
  checkPredictorFor(path, table, { space, input, runtime }, "supernet");
  return table;
}

export async function runSearch(o: SearchRunOptions): Promise<SearchRunResult> {
  const run = readSupernetRun(o.supernet);
  const { arch } = run;
  const latency: Constraint[] = [];
  if (o.latency !== undefined) {
    if (!o.lut)
      throw new Error("a latency limit needs a latency table (--lut lut.json, from `lithe latency-table`)");
    latency.push({ profiler: latencyProfiler(tableFor(o.lut, arch, o.runtime)), max: o.latency });
  }
  return searchOneShot(o, {
    data: run.data,
    genes: geneSpaceOf(arch.space),
    ...costLimits(sposProfilers(arch.space, arch), o, latency),
    load: () => loadRunWeights(o.supernet, new Supernet(arch)),
    winner: (supernet, g) => {
      const { arch: best, model } = extractSubnet(supernet, g);
      return { arch: best as Arch, weights: model.stateDict() };
    },
  });
}
