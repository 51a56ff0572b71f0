// `lithe supernet train` and `lithe search`: flag parsing and output around src/nas (which does the work).
import { join } from "node:path";
import { type Command, Option } from "commander";
import { type Genotype, type SposSpace, spaceOf, toOfficial } from "../arch/spaces/spos.js";
import { SEARCH_HOLDOUT_SHARE } from "../nas/defaults.js";
import { EVOLUTION_DEFAULTS as E } from "../nas/search-state.js";
import type { DataChoice, StemChoice } from "../train/setup.js";
import type { TrainConfig } from "../train/trainer.js";
import { milliseconds, nonNegativeInt, positiveInt, probability, siCount } from "./args.js";
import { si, table } from "./format.js";
import { progressBar } from "./progress.js";
import { dataOptions, percent, recipeOptions, recipeValues, stemOption, trainProgress } from "./train.js";

interface SupernetFlags extends DataChoice, Omit<TrainConfig, "steps" | "clipGradNorm" | "nesterov"> {
  space: string;
  stem: StemChoice;
  sampler: "uniform" | "constrained" | "flops-bins";
  samplerFlops?: number;
  samplerParams?: number;
  bins?: number;
  holdoutShare: number;
  steps?: number;
  clipGradNorm?: number;
  nesterov?: boolean;
  out?: string;
  resume?: boolean;
  threads?: number;
  json?: boolean;
}

interface SearchFlags {
  supernet: string;
  data?: string;
  out?: string;
  resume?: boolean;
  method: "evolution" | "random";
  flops?: number;
  params?: number;
  latency?: number;
  lut?: string;
  runtime?: string;
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
  json?: boolean;
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, "_");

function registerSupernet(program: Command): void {
  const supernet = program.command("supernet").description("Single Path One-Shot supernets (step 1 of SPOS)");
  recipeOptions(
    dataOptions(
      supernet
        .command("train")
        .description(
          "train a weight-sharing supernet, one uniformly sampled path per step; holds out part of the training data for `lithe search`",
        )
        .option(
          "--space <spec>",
          "search space: spos_small, spos_imagenet, or a space JSON file",
          "spos_small",
        )
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
    .option("--out <dir>", "run directory (default runs/supernet-<space>-<data>)")
    .action(async (o: SupernetFlags) => {
      const { runSupernetTraining } = await import("../nas/supernet-run.js");
      if (o.sampler === "constrained" && o.samplerFlops === undefined && o.samplerParams === undefined)
        throw new Error("--sampler constrained needs --sampler-flops and/or --sampler-params");
      const out = o.out ?? join("runs", `supernet-${slug(o.space)}-${slug(o.data)}`);
      const sampler =
        o.sampler === "constrained"
          ? {
              kind: "constrained" as const,
              ...(o.samplerFlops === undefined ? {} : { flops: o.samplerFlops }),
              ...(o.samplerParams === undefined ? {} : { params: o.samplerParams }),
            }
          : o.sampler === "flops-bins"
            ? { kind: "flops-bins" as const, ...(o.bins === undefined ? {} : { bins: o.bins }) }
            : { kind: "uniform" as const };
      const bar = progressBar("supernet", !o.json && process.stderr.isTTY === true);
      const r = await runSupernetTraining({
        ...o,
        ...recipeValues(o),
        sampler,
        out,
        onWarning: (w) => console.error(`lithe: ${w}`),
        onProgress: trainProgress(bar),
      });
      bar.stop();
      if (o.json) console.log(JSON.stringify({ out, ...r }));
      else
        console.log(
          `${out}: ${r.steps} steps (${r.epochs.toFixed(2)} epochs) in ${r.seconds.toFixed(1)} s, ${r.imagesPerSecond.toFixed(0)} img/s; train loss ${r.trainLoss.toFixed(4)}, top-1 ${percent(r.trainTop1)} (sampled paths)`,
        );
    });
}

function registerSearch(program: Command): void {
  program
    .command("search")
    .description(
      "evolutionary architecture search on a trained supernet under hard limits (step 2 of SPOS); rerun with other limits without retraining",
    )
    .requiredOption("--supernet <dir>", "a `lithe supernet train` run directory")
    .option("--flops <x>", "FLOPs limit (multiply-adds), e.g. 12M", siCount)
    .option("--params <x>", "parameter limit, e.g. 400k", siCount)
    .option("--latency <ms>", "latency limit as the --lut table predicts it, e.g. 2.5ms", milliseconds)
    .option("--lut <file>", "latency table of the supernet's space and input (`lithe latency-table`)")
    .option("--runtime <name>", "with --latency: the runtime the table must have been measured on")
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
    .option("--data <spec>", "the supernet's data, if it moved since training")
    .option("--workers <n>", "data-loading worker threads", nonNegativeInt, 1)
    .option("--threads <n>", "libtorch intra-op threads (default: one per core)", positiveInt)
    .option("--out <dir>", "output directory (default <supernet>/search-<limits>-<method>-s<seed>)")
    .option("--resume", "continue the search in --out from its last generation")
    .option("--json", "print one JSON object at the end instead of the table")
    .action(async (o: SearchFlags) => {
      const { runSearch } = await import("../nas/search-run.js");
      const limits = [
        o.flops && `flops${si(o.flops)}`,
        o.params && `params${si(o.params)}`,
        o.latency && `latency${o.latency}ms`,
      ].filter(Boolean);
      const out =
        o.out ?? join(o.supernet, `search-${limits.join("-") || "unconstrained"}-${o.method}-s${o.seed}`);
      const bar = progressBar("search", !o.json && process.stderr.isTTY === true);
      let best = 0;
      const r = await runSearch({
        supernet: o.supernet,
        ...(o.data === undefined ? {} : { data: o.data }),
        out,
        resume: o.resume ?? false,
        method: o.method,
        ...(o.flops === undefined ? {} : { flops: o.flops }),
        ...(o.params === undefined ? {} : { params: o.params }),
        ...(o.latency === undefined ? {} : { latency: o.latency }),
        ...(o.lut === undefined ? {} : { lut: o.lut }),
        ...(o.runtime === undefined ? {} : { runtime: o.runtime }),
        evolution: {
          population: o.population,
          generations: o.generations,
          topK: o.topK,
          ...(o.mutations === undefined ? {} : { mutations: o.mutations }),
          ...(o.crossovers === undefined ? {} : { crossovers: o.crossovers }),
          mutationProb: o.mutationProb,
          seed: o.seed,
        },
        ...(o.recalImages === undefined ? {} : { recalibrationImages: o.recalImages }),
        ...(o.scoreImages === undefined ? {} : { scoreImages: o.scoreImages }),
        batchSize: o.batchSize,
        workers: o.workers,
        ...(o.threads === undefined ? {} : { threads: o.threads }),
        onWarning: (w) => console.error(`lithe: ${w}`),
        onCandidate: (c, done, total) => {
          best = Math.max(best, c.score);
          bar.update(done, total, { generation: String(c.generation), best: percent(best) });
        },
      });
      bar.stop();
      if (o.json) {
        console.log(JSON.stringify({ out, ...r }));
        return;
      }
      const space = spaceOf(r.arch.space as string | SposSpace);
      const officialIds = (g: Genotype) => {
        const { blockIds, scaleIds } = toOfficial(space, g);
        return `${blockIds.join("")} / ${scaleIds.join("")}`;
      };
      const withLatency = r.best.costs.latency !== undefined;
      const rows = r.top.map((c, i) => [
        String(i + 1),
        percent(c.score),
        si(c.costs.flops as number),
        si(c.costs.params as number),
        ...(withLatency ? [`${(c.costs.latency as number).toFixed(2)}ms`] : []),
        String(c.generation),
        c.origin,
        officialIds(c.genotype),
      ]);
      const header = ["rank", "top-1", "FLOPs", "params", ...(withLatency ? ["latency"] : [])];
      console.log(table([...header, "gen", "origin", "block ids / scale ids"], rows));
      console.log(
        `${out}: ${r.evaluated} architectures evaluated in ${r.seconds.toFixed(1)} s${r.exhausted ? " (the space ran out of legal architectures)" : ""}; best written to ${join(out, "best.json")}`,
      );
    });
}

export function registerNas(program: Command): void {
  registerSupernet(program);
  registerSearch(program);
}
