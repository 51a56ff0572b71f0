// `lithe bench metapruning`: the declaration of bench/metapruning.ts's subcommand; prints
// bench-metapruning.json's figures.
import { commaList, nonNegativeInt, positiveInt, positiveNumber, siCountList } from "../src/cli/args.js";
import type { BenchCommand } from "./command.js";
import type { MetaPruningBenchOptions } from "./metapruning.js";

type MetaPruningFlags = Omit<MetaPruningBenchOptions, "resume"> & { resume?: boolean };

export const metaPruningCommand: BenchCommand<MetaPruningFlags> = {
  name: "metapruning",
  description:
    "MetaPruning on Fashion-MNIST (MobileNetV2 space on a narrowed base): PruningNet training, search at two FLOPs budgets, searched widths vs the uniform-width net at the same budget, both retrained from scratch over several seeds",
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
    { flags: "--pruning-net-epochs <n>", help: "PruningNet training epochs", parse: positiveInt, default: 4 },
    { flags: "--limits <a,b>", help: "the two FLOPs budgets", parse: siCountList(2), default: "1M,3M" },
    { flags: "--population <n>", help: "search population", parse: positiveInt, default: 12 },
    { flags: "--generations <n>", help: "search generations", parse: positiveInt, default: 6 },
    {
      flags: "--seeds <list>",
      help: "seeds of the from-scratch trainings",
      parse: commaList(nonNegativeInt),
      default: "1,2",
    },
    {
      flags: "--retrain-epochs <n>",
      help: "epochs of every from-scratch training (same budget and LR schedule for both nets)",
      parse: positiveInt,
      default: 2,
    },
    { flags: "--threads <n>", help: "libtorch intra-op threads (default: one per core)", parse: positiveInt },
    {
      flags: "--ranking-archs <n>",
      help: "candidates of the first search retrained for Kendall tau of the PruningNet's ranking (0: skip)",
      parse: nonNegativeInt,
      default: 6,
    },
    { flags: "--resume", help: "continue the runs already in --out (finished ones are kept)" },
  ],
  async run(o) {
    const { runMetaPruningBench } = await import("./metapruning.js");
    return JSON.stringify(await runMetaPruningBench({ ...o, resume: o.resume ?? false }), null, 2);
  },
};
