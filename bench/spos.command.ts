// `lithe bench spos`: the declaration of bench/spos.ts's subcommand; prints bench-spos.json's figures.
import { positiveInt, siCountList } from "../src/cli/args.js";
import type { BenchCommand } from "./command.js";
import type { SposBenchOptions } from "./spos.js";

export const sposCommand: BenchCommand<SposBenchOptions> = {
  name: "spos",
  description:
    "SPOS end to end on Fashion-MNIST (spos_small): supernet vs standalone step time, supernet training, evolution vs random search, Kendall tau of the supernet ranking, retraining the winner",
  flags: [
    { flags: "--out <dir>", help: "where the runs and bench-spos.json go", default: "runs/bench-spos" },
    { flags: "--data <spec>", help: "dataset (synthetic:N for a quick dry run)", default: "fashion-mnist" },
    {
      flags: "--step-time-paths <n>",
      help: "sampled paths timed standalone against the supernet",
      parse: positiveInt,
      default: 6,
    },
    { flags: "--supernet-epochs <n>", help: "supernet training epochs", parse: positiveInt, default: 6 },
    { flags: "--limits <a,b>", help: "the two FLOPs limits", parse: siCountList(2), default: "5M,6.5M" },
    { flags: "--population <n>", help: "search population", parse: positiveInt, default: 16 },
    { flags: "--generations <n>", help: "search generations", parse: positiveInt, default: 8 },
    {
      flags: "--ranking-archs <n>",
      help: "sampled architectures trained standalone for Kendall tau",
      parse: positiveInt,
      default: 8,
    },
    { flags: "--ranking-epochs <n>", help: "epochs of each ranking run", parse: positiveInt, default: 1 },
    { flags: "--retrain-epochs <n>", help: "epochs to retrain the winner", parse: positiveInt, default: 3 },
  ],
  async run(o) {
    const { runSposBench } = await import("./spos.js");
    return JSON.stringify(await runSposBench(o), null, 2);
  },
};
