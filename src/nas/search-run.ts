// Step 2 of SPOS from user-level options (what `lithe search` calls): load a trained supernet run,
// rebuild its hold-out split, and search it under hard limits with evolution (or random search, the
// baseline). Every new limit reuses the same supernet; nothing is retrained. Writes, in `out`:
// search.jsonl (one line per evaluated candidate), search-state.json (the checkpoint, each generation),
// best.json (the winner as an architecture description the zoo builds) and best.safetensors (its
// weights inherited from the supernet).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Arch } from "../arch/index.js";
import { loadSafetensors, saveSafetensors, setNumThreads } from "../engine/index.js";
import { latencyProfiler } from "../latency/lut.js";
import { loadLatencyTable } from "../latency/lut-file.js";
import { makeLoader } from "../train/setup.js";
import { readBytes, writeFileAtomic } from "../util/files.js";
import { Random } from "../util/random.js";
import { checkFeasible } from "./constraints.js";
import { RECALIBRATION_SHARE } from "./defaults.js";
import {
  type Candidate,
  EVOLUTION_DEFAULTS,
  type EvolutionOptions,
  evolve,
  randomSearch,
  type SearchState,
} from "./evolution.js";
import { extractSubnet } from "./extract.js";
import { geneSpaceOf, sposProfilers } from "./spos-space.js";
import { parseSupernetArch, Supernet, type SupernetArch } from "./supernet.js";
import { collectBatches, SupernetEvaluator } from "./supernet-evaluator.js";
import { type SupernetData, supernetSplits } from "./supernet-run.js";
import type { Constraint, Profiler } from "./types.js";

export interface SearchRunOptions {
  /** A `lithe supernet train` run directory (run.json, model.safetensors). */
  supernet: string;
  /** Where the supernet's data is now, if it moved (default: as recorded in its run.json). */
  data?: string;
  out: string;
  resume: boolean;
  method: "evolution" | "random";
  /** Hard limits (FLOPs in multiply-adds, params in parameters, latency in ms as `lut` predicts it). */
  flops?: number;
  params?: number;
  latency?: number;
  /** A latency table of the supernet's space and input (`lithe latency-table`); needed with `latency`. */
  lut?: string;
  /** The runtime the table must have been measured on, if the user names one. */
  runtime?: string;
  evolution: Partial<EvolutionOptions>;
  /** Training images whose statistics BN is recalibrated on before each score (default: 2% of the split). */
  recalibrationImages?: number;
  /** Hold-out images each candidate is scored on (default: the whole hold-out split). */
  scoreImages?: number;
  batchSize: number;
  workers: number;
  threads?: number;
  onCandidate?: (c: Candidate, evaluated: number, total: number) => void;
  onWarning?: (message: string) => void;
}

export interface SearchRunResult {
  best: Candidate;
  top: Candidate[];
  evaluated: number;
  exhausted: boolean;
  /** The winner as written to best.json. */
  arch: Arch;
  seconds: number;
}

export function readSupernetRun(dir: string): { arch: SupernetArch; data: SupernetData } {
  const path = join(dir, "run.json");
  let run: { arch?: unknown; data?: SupernetData };
  try {
    run = JSON.parse(new TextDecoder().decode(readBytes(path)));
  } catch (error) {
    throw new Error(`${dir}: not a supernet run (${(error as Error).message})`);
  }
  if (!run.data) throw new Error(`${path}: not written by \`lithe supernet train\` (no "data" entry)`);
  return { arch: parseSupernetArch(run.arch), data: run.data };
}

function loadSupernet(dir: string, arch: SupernetArch): Supernet {
  const supernet = new Supernet(arch);
  const { tensors } = loadSafetensors(join(dir, "model.safetensors"));
  try {
    supernet.loadStateDict(tensors);
  } catch (error) {
    throw new Error(`${dir}/model.safetensors: does not fit the supernet: ${(error as Error).message}`);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return supernet;
}

/** The latency table at `path`, refused unless it was built for this supernet's space and input. */
function tableFor(path: string, arch: SupernetArch) {
  const table = loadLatencyTable(path);
  const { space, family: _family, ...input } = arch;
  if (JSON.stringify(table.space) !== JSON.stringify(space))
    throw new Error(`${path}: built for space "${table.space.name}", not this supernet's "${space.name}"`);
  const mismatch = (Object.keys(input) as (keyof typeof input)[]).find((k) => table.input[k] !== input[k]);
  if (mismatch)
    throw new Error(
      `${path}: built for ${mismatch} ${JSON.stringify(table.input[mismatch])}, the supernet has ${JSON.stringify(input[mismatch])}`,
    );
  return table;
}

export async function runSearch(o: SearchRunOptions): Promise<SearchRunResult> {
  const started = performance.now();
  if (o.threads) setNumThreads(o.threads);
  const run = readSupernetRun(o.supernet);
  const { arch } = run;
  const profilers = sposProfilers(arch.space, arch);
  const constraints: Constraint[] = [];
  if (o.flops !== undefined) constraints.push({ profiler: profilers.flops, max: o.flops });
  if (o.params !== undefined) constraints.push({ profiler: profilers.params, max: o.params });
  if (o.latency !== undefined) {
    if (!o.lut)
      throw new Error("a latency limit needs a latency table (--lut lut.json, from `lithe latency-table`)");
    const table = tableFor(o.lut, arch);
    if (o.runtime && o.runtime !== table.runtime)
      throw new Error(`${o.lut}: measured on ${table.runtime}, not ${o.runtime}`);
    constraints.push({ profiler: latencyProfiler(table), max: o.latency });
  }
  const report: Profiler[] = [profilers.flops, profilers.params].filter(
    (p) => !constraints.some((c) => c.profiler === p),
  );

  const genes = geneSpaceOf(arch.space);
  checkFeasible(genes, constraints, new Random(o.evolution.seed ?? EVOLUTION_DEFAULTS.seed)); // before any file is written

  mkdirSync(o.out, { recursive: true });
  const paths = {
    state: join(o.out, "search-state.json"),
    log: join(o.out, "search.jsonl"),
    best: join(o.out, "best.json"),
    weights: join(o.out, "best.safetensors"),
  };
  let resume: SearchState | undefined;
  if (existsSync(paths.state)) {
    if (!o.resume)
      throw new Error(
        `${o.out} already holds a search; pass --resume to continue it or choose another --out`,
      );
    try {
      resume = JSON.parse(readFileSync(paths.state, "utf8")) as SearchState;
    } catch (error) {
      throw new Error(`${paths.state}: cannot resume from it (${(error as Error).message})`);
    }
  }

  const supernet = loadSupernet(o.supernet, arch);
  const data = { ...run.data, data: o.data ?? run.data.data, workers: o.workers, batchSize: o.batchSize };
  const split = await supernetSplits(data, run.data.holdout);
  for (const w of split.warnings) o.onWarning?.(w);
  const recalImages = o.recalibrationImages ?? Math.round(split.train.indices.length * RECALIBRATION_SHARE);
  const recalLoader = makeLoader(split.train, data, true);
  const scoreLoader = makeLoader(split.holdout, data, false);
  const evaluator = new SupernetEvaluator(
    supernet,
    await collectBatches(recalLoader, recalImages),
    await collectBatches(scoreLoader, o.scoreImages ?? split.holdout.indices.length),
  );
  await recalLoader.close();
  await scoreLoader.close();

  // search.jsonl holds exactly the checkpointed candidates before the search goes on.
  const done = resume?.candidates ?? [];
  writeFileAtomic(paths.log, done.map((c) => `${JSON.stringify(c)}\n`).join(""));
  const options = { ...o.evolution };
  const total =
    (options.population ?? EVOLUTION_DEFAULTS.population) *
    (options.generations ?? EVOLUTION_DEFAULTS.generations);
  let evaluated = done.length;
  const searchFn = o.method === "random" ? randomSearch : evolve;
  const result = await searchFn({
    space: genes,
    evaluator,
    constraints,
    report,
    options,
    ...(resume ? { resume } : {}),
    onCandidate: (c) => {
      writeFileSync(paths.log, `${JSON.stringify(c)}\n`, { flag: "a" });
      o.onCandidate?.(c, ++evaluated, total);
    },
    onGeneration: (state) => writeFileAtomic(paths.state, `${JSON.stringify(state)}\n`),
  });
  // The winner's inherited weights, with BN recalibrated for its path: a starting point, and what
  // `lithe eval --weights best.safetensors --model best.json` scores on the test split.
  await evaluator.evaluate(result.best.genotype);
  const { arch: best, model } = extractSubnet(supernet, result.best.genotype);
  saveSafetensors(paths.weights, model.stateDict(), { arch: JSON.stringify(best) });
  writeFileAtomic(paths.best, `${JSON.stringify(best, null, 2)}\n`);
  return {
    best: result.best,
    top: result.top,
    evaluated: result.evaluated,
    exhausted: result.exhausted,
    arch: best,
    seconds: (performance.now() - started) / 1000,
  };
}
