// Step 2 of every one-shot method: load a trained run, rebuild its hold-out split, and search it under
// hard limits with evolution (or random search, the baseline), scoring each path after BN
// recalibration. Every new limit reuses the same trained net; nothing is retrained. Writes, in
// `run.out`: search.jsonl (one line per evaluated candidate), search-state.json (the checkpoint, each
// generation), search-time.jsonl (the wall seconds spent so far over every call, apart from the
// checkpoint, which must not depend on timing), best.json (the winner as an architecture description
// the zoo builds) and best.safetensors (its weights taken from the trained net).
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { type ArchInput, inputOf } from "../arch/family.js";
import type { Arch } from "../arch/index.js";
import { fromEnv, type ProcessGroup } from "../dist/index.js";
import { saveSafetensors, withNumThreads } from "../engine/index.js";
import type { Precision } from "../latency/measure.js";
import { type RunOptions, resolveData } from "../train/options.js";
import { loadWeights, makeLoader } from "../train/setup.js";
import { readBytes } from "../util/files.js";
import { option, optionError } from "../util/option-error.js";
import { Random } from "../util/random.js";
import { RunDir } from "../util/run-dir.js";
import { type CostLimits, checkFeasible, costLimits } from "./constraints.js";
import { RECALIBRATION_SHARE } from "./defaults.js";
import { DistributedEvaluator } from "./distributed-evaluator.js";
import {
  type Candidate,
  EVOLUTION_DEFAULTS,
  type EvolutionOptions,
  evolve,
  randomSearch,
  type SearchState,
} from "./evolution.js";
import type { OneShotArch, OneShotMethod, PathNet, PredictorTarget } from "./method.js";
import { collectBatches, PathEvaluator } from "./scoring.js";
import { type OneShotData, oneShotSplits } from "./train-run.js";
import type { Constraint } from "./types.js";

/** How candidates are scored: BN recalibration and hold-out images, and how they are loaded. */
export interface ScoringOptions {
  /** Where the run's data is now, if it moved (default: as recorded in its run.json). */
  source?: string;
  /** Training images whose statistics BN is recalibrated on before each score (default: 2% of the split). */
  recalibrationImages?: number;
  /** Hold-out images each candidate is scored on (default: the whole hold-out split). */
  scoreImages?: number;
  /** Images per forward pass (default 250). */
  batchSize?: number;
  /** Data-loading worker threads (default 1). */
  workers?: number;
}

export interface SearchOptions {
  /** A trained one-shot run directory (run.json, model.safetensors). */
  net: string;
  limits: CostLimits;
  /** A latency predictor of the net's space and input; needed with `limits.latency`. */
  latencyPredictor?: string;
  /** The runtime the predictor must have been measured on, if the caller names one. */
  runtime?: string;
  /** The precision the predictor must have timed (int8: a limit on int8 latency), if the caller names one. */
  precision?: Precision;
  /** Default "evolution" (the paper); "random" is the baseline with the same budget. */
  method?: "evolution" | "random";
  evolution?: Partial<EvolutionOptions>;
  scoring?: ScoringOptions;
  run: RunOptions;
  /** libtorch intra-op threads for this call (restored after it); default: as they are. */
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
  /** Wall seconds of the whole search: a resumed search adds what its earlier calls spent. */
  seconds: number;
}

/** Scoring batch size when not given: large batches, since scoring runs without gradients. */
const SCORE_BATCH = 250;

/**
 * Refuses a latency predictor unless it was measured for the search's space and input and, when the
 * caller names them, on `runtime` and in `precision`; `net` names the trained net in messages ("supernet").
 */
function checkPredictorFor(
  path: string,
  built: PredictorTarget,
  search: Omit<PredictorTarget, "runtime" | "settings"> & {
    runtime?: string | undefined;
    precision?: Precision | undefined;
  },
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
  const precision = built.settings.precision ?? "fp32";
  if (search.precision && search.precision !== precision)
    throw new Error(`${path}: timed in ${precision}, not ${search.precision}`);
}

/** A one-shot run's run.json: the net's description (checked by the method) and its data record. */
export function readOneShotRun<A extends OneShotArch>(
  dir: string,
  method: Pick<OneShotMethod<A, PathNet>, "parseArch" | "trainCommand">,
): { arch: A; data: OneShotData } {
  const path = join(dir, "run.json");
  let run: { arch?: unknown; data?: OneShotData };
  try {
    run = JSON.parse(new TextDecoder().decode(readBytes(path)));
  } catch (error) {
    throw new Error(`${dir}: not a \`${method.trainCommand}\` run (${(error as Error).message})`);
  }
  if (!run.data) throw new Error(`${path}: not written by \`${method.trainCommand}\` (no "data" entry)`);
  return { arch: method.parseArch(run.arch), data: run.data };
}

/** The search's constraints (FLOPs, params, the predictor's latency) and the costs only reported. */
function searchLimits<A extends OneShotArch, N extends PathNet>(
  method: OneShotMethod<A, N>,
  arch: A,
  o: SearchOptions,
) {
  const latency: Constraint[] = [];
  if (o.limits.latency !== undefined) {
    if (!o.latencyPredictor)
      throw optionError`a latency limit (${option("limits.latency")}) needs a latency predictor (${option("latencyPredictor")}) of the ${method.netName}'s space and input, from \`${method.predictorCommand}\``;
    const { target, profiler } = method.loadLatencyPredictor(o.latencyPredictor);
    checkPredictorFor(
      o.latencyPredictor,
      target,
      { space: arch.space, input: inputOf(arch), runtime: o.runtime, precision: o.precision },
      method.netName,
    );
    latency.push({ profiler: profiler(), max: o.limits.latency });
  }
  return costLimits(method.profilers(arch), o.limits, latency);
}

/** What every rank of a distributed search must share (checked at rendezvous; paths may differ per machine). */
function searchConfig(run: { arch: OneShotArch; data: OneShotData }, o: SearchOptions) {
  const { source: _source, workers: _workers, ...scoring } = o.scoring ?? {};
  return {
    arch: run.arch,
    data: run.data,
    limits: o.limits,
    latencyPredictor: o.latencyPredictor !== undefined,
    runtime: o.runtime ?? null,
    precision: o.precision ?? null,
    method: o.method ?? "evolution",
    evolution: o.evolution ?? {},
    scoring,
  };
}

/** Rank 0's search directory (null on the other ranks) and the state to resume, which every rank gets. */
function openSearch(
  out: RunOptions,
  group: ProcessGroup | null,
): { dir: RunDir | null; resume: SearchState | undefined } {
  const dir = (group?.rank ?? 0) === 0 ? RunDir.open(out, "search-state.json", "a search") : null;
  const state = dir?.resuming ? dir.readJson<SearchState>("search-state.json") : undefined;
  return { dir, resume: group ? group.fromRank0(state, "the search state to resume") : state };
}

export function searchOneShot<A extends OneShotArch, N extends PathNet>(
  method: OneShotMethod<A, N>,
  o: SearchOptions,
): Promise<SearchRunResult> {
  return withNumThreads(o.threads, async () => {
    const started = performance.now();
    const run = readOneShotRun(o.net, method);
    const genes = method.genes(run.arch, "search");
    const { constraints, report } = searchLimits(method, run.arch, o);
    checkFeasible(genes, constraints, new Random(o.evolution?.seed ?? EVOLUTION_DEFAULTS.seed)); // before any file is written

    // distributed when the environment says so: the ranks split each generation, rank 0 writes
    const group = fromEnv({ config: searchConfig(run, o) });
    const { dir, resume } = openSearch(o.run, group);
    const net = loadWeights(
      method.build(run.arch),
      join(o.net, "model.safetensors"),
      `the ${method.netName}`,
    );
    const scoring = o.scoring ?? {};
    const data = resolveData({
      source: scoring.source ?? run.data.source,
      ...(run.data.imageSize === undefined ? {} : { imageSize: run.data.imageSize }),
      augment: run.data.augment,
      ...(scoring.workers === undefined ? {} : { workers: scoring.workers }),
    });
    const batching = { batchSize: scoring.batchSize ?? SCORE_BATCH, seed: run.data.seed };
    const split = await oneShotSplits(data, run.data.seed, run.data.holdout);
    for (const w of split.warnings) o.onWarning?.(w);
    const recalImages =
      scoring.recalibrationImages ?? Math.round(split.train.indices.length * RECALIBRATION_SHARE);
    const recalLoader = makeLoader(split.train, data, batching, true);
    const scoreLoader = makeLoader(split.holdout, data, batching, false);
    const scorer = new PathEvaluator(
      net,
      await collectBatches(recalLoader, recalImages),
      await collectBatches(scoreLoader, scoring.scoreImages ?? split.holdout.indices.length),
    );
    const evaluator = group ? new DistributedEvaluator(scorer, group) : scorer;
    await recalLoader.close();
    await scoreLoader.close();

    // search.jsonl holds exactly the checkpointed candidates before the search goes on.
    const done = resume?.candidates ?? [];
    dir?.writeLines("search.jsonl", done);
    const options = { ...o.evolution };
    const total =
      (options.population ?? EVOLUTION_DEFAULTS.population) *
      (options.generations ?? EVOLUTION_DEFAULTS.generations);
    let evaluated = done.length;
    const earlier = resume ? (dir?.readLines<{ seconds: number }>("search-time.jsonl")[0]?.seconds ?? 0) : 0;
    const secondsSoFar = () => earlier + (performance.now() - started) / 1000;
    const saveTime = () => dir?.writeLines("search-time.jsonl", [{ seconds: secondsSoFar() }]);
    const searchFn = o.method === "random" ? randomSearch : evolve;
    const result = await searchFn({
      space: genes,
      evaluator,
      constraints,
      report,
      options,
      ...(resume ? { resume } : {}),
      onCandidate: (c) => {
        dir?.appendLine("search.jsonl", c);
        o.onCandidate?.(c, ++evaluated, total);
      },
      onGeneration: (state) => {
        dir?.writeLines("search-state.json", [state]);
        saveTime();
      },
    });
    // The winner's weights with BN recalibrated for its path: a starting point, and what
    // `lithe eval --weights best.safetensors --model best.json` scores on the test split.
    await scorer.evaluate(result.best.genotype);
    const { arch, weights } = method.winner(net, result.best.genotype);
    if (dir) {
      saveSafetensors(dir.path("best.safetensors"), weights, { arch: JSON.stringify(arch) });
      dir.writeJson("best.json", arch);
      saveTime();
    }
    return {
      best: result.best,
      top: result.top,
      evaluated: result.evaluated,
      exhausted: result.exhausted,
      arch,
      seconds: secondsSoFar(),
    };
  });
}
