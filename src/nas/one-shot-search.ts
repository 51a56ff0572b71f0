// Step 2 of both one-shot methods (SPOS's supernet, MetaPruning's PruningNet): load a trained run,
// rebuild its hold-out split, and search it under hard limits with evolution (or random search, the
// baseline), scoring each path after BN recalibration. Every new limit reuses the same trained net;
// nothing is retrained. Writes, in `out`: search.jsonl (one line per evaluated candidate),
// search-state.json (the checkpoint, each generation), best.json (the winner as an architecture
// description the zoo builds) and best.safetensors (its weights taken from the trained net).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { ArchInput } from "../arch/family.js";
import type { Arch } from "../arch/index.js";
import { loadSafetensors, saveSafetensors, setNumThreads } from "../engine/index.js";
import type { Module, StateDict } from "../nn/index.js";
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
import { collectBatches, PathEvaluator, type PathNet } from "./path-evaluator.js";
import { type SupernetData, supernetSplits } from "./supernet-run.js";
import type { Constraint, GeneSpace, Genotype, Profiler } from "./types.js";

/** The options every one-shot search takes, whatever the trained net. */
export interface SearchOptions {
  /** Where the run's data is now, if it moved (default: as recorded in its run.json). */
  data?: string;
  out: string;
  resume: boolean;
  method: "evolution" | "random";
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

/** What a search needs from the method: the run's genes and limits, and how to load and extract. */
export interface OneShotSearch<N extends PathNet> {
  /** The run's data choice and hold-out split, from its run.json. */
  data: SupernetData;
  genes: GeneSpace;
  constraints: readonly Constraint[];
  /** Costs only logged with each candidate. */
  report: readonly Profiler[];
  /** The trained net (called once the limits are known to be feasible). */
  load(): N;
  /** The winner's description and weights, once the net runs its path with recalibrated BN. */
  winner(net: N, g: Genotype): { arch: Arch; weights: StateDict };
}

/**
 * FLOPs and params limits as constraints, followed by `more` (e.g. latency); the profilers without a
 * limit are reported instead.
 */
export function costLimits(
  profilers: { flops: Profiler; params: Profiler },
  limits: { flops?: number; params?: number },
  more: readonly Constraint[] = [],
): { constraints: Constraint[]; report: Profiler[] } {
  const constraints: Constraint[] = [];
  if (limits.flops !== undefined) constraints.push({ profiler: profilers.flops, max: limits.flops });
  if (limits.params !== undefined) constraints.push({ profiler: profilers.params, max: limits.params });
  constraints.push(...more);
  const report = [profilers.flops, profilers.params].filter(
    (p) => !constraints.some((c) => c.profiler === p),
  );
  return { constraints, report };
}

/** What a latency predictor (SPOS table, pruning latency model) was built for. */
export interface PredictorTarget {
  space: { name: string };
  input: ArchInput;
  runtime: string;
}

/**
 * Refuses the latency predictor read from `path` unless it was built for the search's space and input
 * and, when the user names one, on `runtime`; `net` names the trained net in messages ("supernet").
 */
export function checkPredictorFor(
  path: string,
  built: PredictorTarget,
  search: Omit<PredictorTarget, "runtime"> & { runtime?: string | undefined },
  net: string,
): void {
  if (!isDeepStrictEqual(built.space, search.space))
    throw new Error(
      `${path}: built for space "${built.space.name}", not this ${net}'s "${search.space.name}"`,
    );
  const keys = Object.keys(search.input) as (keyof ArchInput)[];
  const mismatch = keys.find((k) => built.input[k] !== search.input[k]);
  if (mismatch)
    throw new Error(
      `${path}: built for ${mismatch} ${JSON.stringify(built.input[mismatch])}, the ${net} has ${JSON.stringify(search.input[mismatch])}`,
    );
  if (search.runtime && search.runtime !== built.runtime)
    throw new Error(`${path}: measured on ${built.runtime}, not ${search.runtime}`);
}

/** A one-shot run's run.json: the net's description (checked by `parse`) and its data record. */
export function readOneShotRun<A>(
  dir: string,
  parse: (arch: unknown) => A,
  command: string,
): { arch: A; data: SupernetData } {
  const path = join(dir, "run.json");
  let run: { arch?: unknown; data?: SupernetData };
  try {
    run = JSON.parse(new TextDecoder().decode(readBytes(path)));
  } catch (error) {
    throw new Error(`${dir}: not a \`${command}\` run (${(error as Error).message})`);
  }
  if (!run.data) throw new Error(`${path}: not written by \`${command}\` (no "data" entry)`);
  return { arch: parse(run.arch), data: run.data };
}

/** Loads a run's model.safetensors into `model`; the error names the file. */
export function loadRunWeights<M extends Module>(dir: string, model: M): M {
  const { tensors } = loadSafetensors(join(dir, "model.safetensors"));
  try {
    model.loadStateDict(tensors);
  } catch (error) {
    throw new Error(`${dir}/model.safetensors: does not fit the network: ${(error as Error).message}`);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return model;
}

export async function searchOneShot<N extends PathNet>(
  o: SearchOptions,
  s: OneShotSearch<N>,
): Promise<SearchRunResult> {
  const started = performance.now();
  if (o.threads) setNumThreads(o.threads);
  const { genes, constraints } = s;
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

  const net = s.load();
  const data = { ...s.data, data: o.data ?? s.data.data, workers: o.workers, batchSize: o.batchSize };
  const split = await supernetSplits(data, s.data.holdout);
  for (const w of split.warnings) o.onWarning?.(w);
  const recalImages = o.recalibrationImages ?? Math.round(split.train.indices.length * RECALIBRATION_SHARE);
  const recalLoader = makeLoader(split.train, data, true);
  const scoreLoader = makeLoader(split.holdout, data, false);
  const evaluator = new PathEvaluator(
    net,
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
    report: s.report,
    options,
    ...(resume ? { resume } : {}),
    onCandidate: (c) => {
      writeFileSync(paths.log, `${JSON.stringify(c)}\n`, { flag: "a" });
      o.onCandidate?.(c, ++evaluated, total);
    },
    onGeneration: (state) => writeFileAtomic(paths.state, `${JSON.stringify(state)}\n`),
  });
  // The winner's weights with BN recalibrated for its path: a starting point, and what
  // `lithe eval --weights best.safetensors --model best.json` scores on the test split.
  await evaluator.evaluate(result.best.genotype);
  const { arch, weights } = s.winner(net, result.best.genotype);
  saveSafetensors(paths.weights, weights, { arch: JSON.stringify(arch) });
  writeFileAtomic(paths.best, `${JSON.stringify(arch, null, 2)}\n`);
  return {
    best: result.best,
    top: result.top,
    evaluated: result.evaluated,
    exhausted: result.exhausted,
    arch,
    seconds: (performance.now() - started) / 1000,
  };
}
