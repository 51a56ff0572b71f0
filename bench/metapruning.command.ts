// `lithe bench metapruning`: the declaration of bench/metapruning.ts's subcommand; prints
// bench-metapruning.json's figures.
import { InvalidArgumentError } from "commander";
import {
  commaList,
  nonNegativeInt,
  positiveInt,
  positiveNumber,
  probability,
  siCountList,
} from "../src/cli/args.js";
import type { BenchCommand } from "./command.js";
import type { MetaPruningBenchOptions, PruningNetVariant } from "./metapruning.js";

const VARIANTS: readonly string[] = ["plain", "inplace"] satisfies PruningNetVariant[];

function variant(value: string): PruningNetVariant {
  if (!VARIANTS.includes(value)) throw new InvalidArgumentError(`expected plain or inplace, got "${value}"`);
  return value as PruningNetVariant;
}

type MetaPruningFlags = Omit<MetaPruningBenchOptions, "resume"> & { resume?: boolean };

export const metaPruningCommand: BenchCommand<MetaPruningFlags> = {
  name: "metapruning",
  description:
    "MetaPruning on Fashion-MNIST (MobileNetV2 space on a narrowed base): PruningNets with and without in-place distillation, search in a band below each of two FLOPs budgets, searched widths vs the uniform-width net at the same budget retrained from scratch over several seeds (t intervals), Kendall tau (bootstrap interval) of the PruningNet's ranking",
  flags: [
    {
      flags: "--out <dir>",
      help: "where the runs and bench-metapruning.json go",
      default: "runs/bench-metapruning",
    },
    { flags: "--data <spec>", help: "dataset (synthetic:N for a quick dry run)", default: "fashion-mnist" },
    {
      flags: "--base-width <x>",
      help: "factor on the official 1.4x MobileNetV2 base widths",
      parse: positiveNumber,
      default: 0.5,
    },
    { flags: "--hidden <n>", help: "hidden width of the weight generators", parse: positiveInt, default: 32 },
    {
      flags: "--divisor <n>",
      help: "pruned widths as multiples of n (1: any width, as official)",
      parse: positiveInt,
      default: 1,
    },
    {
      flags: "--variants <list>",
      help: "PruningNet trainings compared: plain (the paper), inplace (in-place distillation from the widest net)",
      parse: commaList(variant),
      default: "plain,inplace",
    },
    { flags: "--pruning-net-epochs <n>", help: "PruningNet training epochs", parse: positiveInt, default: 4 },
    { flags: "--limits <a,b>", help: "the two FLOPs budgets", parse: siCountList(2), default: "1M,3M" },
    {
      flags: "--min-share <x>",
      help: "the searches' FLOPs floor as a share of each budget, so the winners use their budget",
      parse: probability,
      default: "0.9",
    },
    { flags: "--population <n>", help: "search population", parse: positiveInt, default: 12 },
    { flags: "--generations <n>", help: "search generations", parse: positiveInt, default: 6 },
    {
      flags: "--seeds <list>",
      help: "seeds of the from-scratch trainings",
      parse: commaList(nonNegativeInt),
      default: "1,2,3",
    },
    {
      flags: "--retrain-epochs <n>",
      help: "epochs of every from-scratch training (same budget and LR schedule for every net)",
      parse: positiveInt,
      default: 10,
    },
    { flags: "--threads <n>", help: "libtorch intra-op threads (default: one per core)", parse: positiveInt },
    {
      flags: "--ranking-archs <n>",
      help: "candidates of the first search trained standalone for Kendall tau of the PruningNet's ranking (0: skip)",
      parse: nonNegativeInt,
      default: 20,
    },
    { flags: "--ranking-epochs <n>", help: "epochs of each ranking run", parse: positiveInt, default: 3 },
    {
      flags: "--jobs <n>",
      help: "worker processes (1 thread each) for the from-scratch trainings, beside the PruningNets and searches (0: in this process)",
      parse: nonNegativeInt,
      default: 0,
    },
    { flags: "--resume", help: "continue the runs already in --out (finished ones are kept)" },
  ],
  async run(o) {
    const { runMetaPruningBench } = await import("./metapruning.js");
    return JSON.stringify(await runMetaPruningBench({ ...o, resume: o.resume ?? false }), null, 2);
  },
};
