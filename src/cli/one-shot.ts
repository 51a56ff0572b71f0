// The flags, value mapping and output every one-shot method's commands share: training a one-shot
// network (`lithe supernet train`, `lithe prune train`) and searching it under limits (`lithe search`,
// `lithe prune search`, and the limits of `lithe prune baseline`).
import { join } from "node:path";
import { type Command, Option } from "commander";
import { RUNTIME_NAMES } from "../latency/types.js";
import type { CostLimits } from "../search/constraints.js";
import { SEARCH_HOLDOUT_SHARE } from "../search/defaults.js";
import type { Candidate } from "../search/evolution.js";
import type { SearchOptions, SearchRunResult } from "../search/search-run.js";
import { EVOLUTION_DEFAULTS as E } from "../search/search-state.js";
import type { OneShotTrainingOptions, SamplerChoice } from "../search/train-run.js";
import type { StemChoice } from "../train/setup.js";
import type { TrainSummary } from "../train/trainer.js";
import { milliseconds, nonNegativeInt, positiveInt, probability, siCount } from "./args.js";
import { si, table } from "./format.js";
import { fieldFlags } from "./option-flags.js";
import { type Progress, progressBar } from "./progress.js";
import {
  type DataFlags,
  dataOptions,
  dataParallelOptions,
  dataValues,
  launchedRanks,
  nprocOption,
  percent,
  type RecipeFlags,
  recipeOptions,
  recipeValues,
  slug,
  stemOption,
  trainProgress,
} from "./train.js";

/** Flags of a one-shot training command (`lithe supernet train`, `lithe prune train`). */
export interface OneShotTrainFlags extends DataFlags, RecipeFlags {
  space: string;
  stem: StemChoice;
  sampler: "uniform" | "constrained" | "flops-bins";
  samplerFlops?: number;
  samplerParams?: number;
  bins?: number;
  holdoutShare: number;
  init?: string;
  inplaceDistill?: boolean;
  syncBn?: boolean;
  out?: string;
}

/** FLOPs and params limits as flags give them. */
export interface LimitFlags {
  flops?: number;
  params?: number;
  bitops?: number;
  minFlops?: number;
  minParams?: number;
  minBitops?: number;
}

/** Flags of a one-shot search command (`lithe search`, `lithe prune search`). */
export interface OneShotSearchFlags extends LimitFlags {
  quiet?: boolean;
  latency?: number;
  runtime?: string;
  int8?: boolean;
  data?: string;
  out?: string;
  resume?: boolean;
  method: "evolution" | "random";
  population: number;
  generations: number;
  topK: number;
  mutations?: number;
  crossovers?: number;
  mutationProb: number;
  seed: number;
  recalImages?: number;
  scoreImages?: number;
  batchSize: number;
  workers: number;
  threads?: number;
  nproc?: number;
  json?: boolean;
}

/** What a one-shot training command trains. */
export interface OneShotTraining<F extends OneShotTrainFlags> {
  /** Names the default run directory (runs/<kind>-<space>-<data>) and the progress bar. */
  kind: string;
  space: { default: string; help: string };
  /** The library call with the shared options and the method's own flags (imported lazily, so --help does not load libtorch). */
  run: (o: OneShotTrainingOptions & { space: string }, flags: F) => Promise<TrainSummary>;
}

/** The sampler the flags choose; --sampler constrained needs a limit. */
function samplerChoice(o: OneShotTrainFlags): SamplerChoice {
  if (o.sampler === "constrained") {
    if (o.samplerFlops === undefined && o.samplerParams === undefined)
      throw new Error("--sampler constrained needs --sampler-flops and/or --sampler-params");
    return {
      kind: "constrained",
      ...(o.samplerFlops === undefined ? {} : { flops: o.samplerFlops }),
      ...(o.samplerParams === undefined ? {} : { params: o.samplerParams }),
    };
  }
  if (o.sampler === "flops-bins")
    return { kind: "flops-bins", ...(o.bins === undefined ? {} : { bins: o.bins }) };
  return { kind: "uniform" };
}

/**
 * A one-shot training command: --space, the stem, data and recipe flags of `lithe train`, how paths are
 * sampled, the search's hold-out share and --out; the action trains and prints one summary line.
 */
export function oneShotTrainCommand<F extends OneShotTrainFlags>(
  cmd: Command,
  t: OneShotTraining<F>,
): Command {
  return recipeOptions(
    dataOptions(
      dataParallelOptions(cmd)
        .option("--space <spec>", t.space.help, t.space.default)
        .addOption(stemOption()),
    ),
  )
    .addOption(
      new Option(
        "--sampler <kind>",
        "uniform: every path equally likely (paper); constrained: uniform over paths within --sampler-flops/--sampler-params; flops-bins: official code's FLOPs-bin scheme",
      )
        .choices(["uniform", "constrained", "flops-bins"])
        .default("uniform"),
    )
    .option("--sampler-flops <x>", "constrained sampler: FLOPs limit, e.g. 12M", siCount)
    .option("--sampler-params <x>", "constrained sampler: params limit, e.g. 400k", siCount)
    .option("--bins <n>", "flops-bins sampler: number of bins (default 7, as official)", positiveInt)
    .option(
      "--holdout-share <x>",
      "share of the training split held out for the search",
      probability,
      SEARCH_HOLDOUT_SHARE,
    )
    .option(
      "--init <weights>",
      "start the shared weights from these (safetensors), e.g. a trained fp32 run of a quantization space's base network",
    )
    .option(
      "--inplace-distill",
      "in-place distillation (BigNAS): the largest path trains on the labels and teaches the sampled one (width and bit-width spaces)",
    )
    .option("--out <dir>", `run directory (default runs/${t.kind}-<space>-<data>)`)
    .action(async (o: F) => {
      if (await launchedRanks(o)) return;
      const sampler = samplerChoice(o);
      const out = o.out ?? join("runs", `${t.kind}-${slug(o.space)}-${slug(o.data)}`);
      const bar = progressBar(t.kind, { json: o.json, quiet: o.quiet, unit: "img", per: o.batchSize });
      const r = await t.run(
        {
          space: o.space,
          stem: o.stem,
          data: dataValues(o),
          recipe: recipeValues(o),
          sampler,
          holdoutShare: o.holdoutShare,
          ...(o.init ? { init: o.init } : {}),
          ...(o.inplaceDistill ? { inplaceDistill: true } : {}),
          ...(o.syncBn ? { syncBn: true } : {}),
          run: { out, resume: o.resume ?? false },
          ...(o.threads === undefined ? {} : { threads: o.threads }),
          onWarning: (w) => console.error(`lithe: ${w}`),
          onProgress: trainProgress(bar),
        },
        o,
      );
      bar.stop();
      if (o.json) console.log(JSON.stringify({ out, ...r }));
      else
        console.log(
          `${out}: ${r.steps} steps (${r.epochs.toFixed(2)} epochs) in ${r.seconds.toFixed(1)} s, ${r.imagesPerSecond.toFixed(0)} img/s; train loss ${r.trainLoss.toFixed(4)}, top-1 ${percent(r.trainTop1)} (sampled paths)`,
        );
    });
}

/** --flops and --params: hard limits of a search or a baseline. */
export const limitOptions = (cmd: Command): Command =>
  cmd
    .option("--flops <x>", "FLOPs limit (multiply-adds), e.g. 12M", siCount)
    .option("--params <x>", "parameter limit, e.g. 400k", siCount)
    .option(
      "--min-flops <x>",
      "with --flops: a floor, so the search spends its budget (candidates below it are never evaluated)",
      siCount,
    )
    .option("--min-params <x>", "with --params: a floor", siCount);

/** The limits that were given, as the libraries take them. */
export const limitValues = (o: LimitFlags & { latency?: number }): CostLimits => ({
  ...(o.flops === undefined ? {} : { flops: o.flops }),
  ...(o.params === undefined ? {} : { params: o.params }),
  ...(o.bitops === undefined ? {} : { bitops: o.bitops }),
  ...(o.latency === undefined ? {} : { latency: o.latency }),
  ...(o.minFlops === undefined && o.minParams === undefined && o.minBitops === undefined
    ? {}
    : {
        min: {
          ...(o.minFlops === undefined ? {} : { flops: o.minFlops }),
          ...(o.minParams === undefined ? {} : { params: o.minParams }),
          ...(o.minBitops === undefined ? {} : { bitops: o.minBitops }),
        },
      }),
});

/** The limits in a file name, e.g. "flops30.00M-params400.0K" ("unconstrained" without any). */
export const limitsSlug = (o: LimitFlags & { latency?: number }): string =>
  [
    o.flops && `flops${o.minFlops ? `${si(o.minFlops)}to` : ""}${si(o.flops)}`,
    o.params && `params${o.minParams ? `${si(o.minParams)}to` : ""}${si(o.params)}`,
    o.bitops && `bitops${o.minBitops ? `${si(o.minBitops)}to` : ""}${si(o.bitops)}`,
    o.latency && `latency${o.latency}ms`,
  ]
    .filter(Boolean)
    .join("-") || "unconstrained";

/**
 * The flags every one-shot search takes after its run directory and limits: method, evolution,
 * scoring, data, threads and output (`runFlag` names the run-directory flag in --out's default).
 */
export function searchOptions(cmd: Command, runFlag: string): Command {
  return nprocOption(cmd, "distributed search, each rank scoring a share of every generation")
    .addOption(
      new Option("--method <kind>", "evolution (paper) or random search (the baseline, same budget)")
        .choices(["evolution", "random"])
        .default("evolution"),
    )
    .option("--population <n>", "candidates per generation", positiveInt, E.population)
    .option(
      "--generations <n>",
      "generations, the first one random (budget: population x generations)",
      positiveInt,
      E.generations,
    )
    .option("--top-k <n>", "parents: the best k of everything evaluated", positiveInt, E.topK)
    .option(
      "--mutations <n>",
      "children by mutation per generation (default: half the population)",
      nonNegativeInt,
    )
    .option(
      "--crossovers <n>",
      "children by crossover per generation (default: half the population)",
      nonNegativeInt,
    )
    .option("--mutation-prob <x>", "probability a mutation redraws each gene", probability, E.mutationProb)
    .option("--seed <n>", "seed of the search", nonNegativeInt, E.seed)
    .option(
      "--recal-images <n>",
      "training images BN is recalibrated on per candidate (default 2% of the split)",
      positiveInt,
    )
    .option("--score-images <n>", "hold-out images each candidate is scored on (default: all)", positiveInt)
    .option("--batch-size <n>", "images per forward pass when scoring", positiveInt, 250)
    .option("--data <spec>", `the ${runFlag} run's data, if it moved since training`)
    .option("--workers <n>", "data-loading worker threads", nonNegativeInt, 1)
    .option("--threads <n>", "libtorch intra-op threads (default: one per core)", positiveInt)
    .option("--out <dir>", `output directory (default <${runFlag}>/search-<limits>-<method>-s<seed>)`)
    .option("--resume", "continue the search in --out from its last generation")
    .option("--json", "print one JSON object at the end instead of the table")
    .option("--quiet", "no progress bar or progress lines");
}

/** What a one-shot search command's own flags are: the trained run and the latency predictor file. */
export interface SearchFlagsOf {
  /** The run-directory flag without dashes ("supernet") and its help. */
  net: { flag: string; help: string };
  /** The predictor file's flag without dashes ("lut") and the help of it, of --latency and of --runtime. */
  predictor: { flag: string; help: string; latencyHelp: string; runtimeHelp: string };
}

/**
 * A one-shot search command: its run directory, FLOPs/params/latency limits, the predictor file and
 * --runtime, then the shared search flags; OptionErrors about `net` and `latencyPredictor` name its flags.
 */
export function oneShotSearchCommand(cmd: Command, f: SearchFlagsOf): Command {
  const named = fieldFlags(cmd.requiredOption(`--${f.net.flag} <dir>`, f.net.help), {
    net: `--${f.net.flag}`,
    latencyPredictor: `--${f.predictor.flag}`,
  });
  return searchOptions(
    limitOptions(named)
      .option("--latency <ms>", f.predictor.latencyHelp, milliseconds)
      .option(`--${f.predictor.flag} <file>`, f.predictor.help)
      .addOption(new Option("--runtime <name>", f.predictor.runtimeHelp).choices(RUNTIME_NAMES))
      .option(
        "--int8",
        `with --latency: a limit on int8 latency (the ${f.predictor.flag} file must be timed with --int8)`,
      ),
    f.net.flag,
  );
}

/** The progress callback of a search, drawing `bar` with the generation and the best score so far. */
export function candidateProgress(bar: Progress): (c: Candidate, done: number, total: number) => void {
  let best = 0;
  return (c, done, total) => {
    best = Math.max(best, c.score);
    bar.update(done, total, { generation: String(c.generation), best: percent(best) });
  };
}

/** The last column of the top-k table: what each candidate is, readably. */
export interface CandidateColumn {
  header: string;
  cell: (c: Candidate) => string;
}

/**
 * Runs a one-shot search of the trained run `net` from its flags, with the method's latency predictor
 * file if given, and prints the top-k table, with `column(result)` describing each candidate, or JSON.
 */
export async function searchFromFlags(
  o: OneShotSearchFlags,
  net: string,
  latencyPredictor: string | undefined,
  run: (options: SearchOptions) => Promise<SearchRunResult>,
  column: (r: SearchRunResult) => CandidateColumn,
): Promise<void> {
  if (await launchedRanks(o)) return;
  const out = o.out ?? join(net, `search-${limitsSlug(o)}-${o.method}-s${o.seed}`);
  const bar = progressBar("search", { json: o.json, quiet: o.quiet, unit: "candidate" });
  const r = await run({
    net,
    limits: limitValues(o),
    ...(latencyPredictor === undefined ? {} : { latencyPredictor }),
    ...(o.runtime === undefined ? {} : { runtime: o.runtime }),
    ...(o.int8 ? { precision: "int8" as const } : {}),
    run: { out, resume: o.resume ?? false },
    method: o.method,
    evolution: {
      population: o.population,
      generations: o.generations,
      topK: o.topK,
      ...(o.mutations === undefined ? {} : { mutations: o.mutations }),
      ...(o.crossovers === undefined ? {} : { crossovers: o.crossovers }),
      mutationProb: o.mutationProb,
      seed: o.seed,
    },
    scoring: {
      ...(o.data === undefined ? {} : { source: o.data }),
      ...(o.recalImages === undefined ? {} : { recalibrationImages: o.recalImages }),
      ...(o.scoreImages === undefined ? {} : { scoreImages: o.scoreImages }),
      batchSize: o.batchSize,
      workers: o.workers,
    },
    ...(o.threads === undefined ? {} : { threads: o.threads }),
    onWarning: (w) => console.error(`lithe: ${w}`),
    onCandidate: candidateProgress(bar),
  });
  bar.stop();
  if (o.json) {
    console.log(JSON.stringify({ out, ...r }));
    return;
  }
  const { header, cell } = column(r);
  const withLatency = r.best.costs.latency !== undefined;
  const withBitOps = r.best.costs.bitops !== undefined;
  const rows = r.top.map((c, i) => [
    String(i + 1),
    percent(c.score),
    si(c.costs.flops as number),
    si(c.costs.params as number),
    ...(withLatency ? [`${(c.costs.latency as number).toFixed(2)}ms`] : []),
    ...(withBitOps ? [si(c.costs.bitops as number)] : []),
    String(c.generation),
    c.origin,
    cell(c),
  ]);
  const costs = [
    "rank",
    "top-1",
    "FLOPs",
    "params",
    ...(withLatency ? ["latency"] : []),
    ...(withBitOps ? ["BitOps"] : []),
  ];
  console.log(table([...costs, "gen", "origin", header], rows));
  console.log(
    `${out}: ${r.evaluated} architectures evaluated in ${r.seconds.toFixed(1)} s${r.exhausted ? " (the space ran out of legal architectures)" : ""}; best written to ${join(out, "best.json")}`,
  );
}
