// `lithe bench spos`: the declaration of bench/spos.ts's subcommand; prints bench-spos.json's figures.
import { commaList, nonNegativeInt, positiveInt, siCount } from "../src/cli/args.js";
import type { BenchCommand } from "./command.js";
import type { SposBenchOptions } from "./spos.js";

type SposFlags = Omit<SposBenchOptions, "resume"> & { resume?: boolean };

export const sposCommand: BenchCommand<SposFlags> = {
  name: "spos",
  description:
    "SPOS end to end on Fashion-MNIST (spos_small): supernet vs standalone step time, supernet training, Kendall tau (bootstrap interval) of the supernet's ranking of architectures trained standalone, evolution vs random search in one FLOPs band over several seeds, the first seed's winners retrained",
  flags: [
    { flags: "--out <dir>", help: "where the runs and bench-spos.json go", default: "runs/bench-spos" },
    { flags: "--data <spec>", help: "dataset (synthetic:N for a quick dry run)", default: "fashion-mnist" },
    {
      flags: "--step-time-paths <n>",
      help: "sampled paths timed standalone against the supernet (0: skip)",
      parse: nonNegativeInt,
      default: 6,
    },
    { flags: "--supernet-epochs <n>", help: "supernet training epochs", parse: positiveInt, default: 6 },
    {
      flags: "--limit <flops>",
      help: "FLOPs limit of the searches and the ranking draw",
      parse: siCount,
      default: "6.5M",
    },
    {
      flags: "--min-flops <flops>",
      help: "FLOPs floor of the searches, so both methods compare at matched cost",
      parse: siCount,
      default: "6M",
    },
    { flags: "--population <n>", help: "search population", parse: positiveInt, default: 16 },
    { flags: "--generations <n>", help: "search generations", parse: positiveInt, default: 8 },
    {
      flags: "--seeds <list>",
      help: "seeds of the evolution-vs-random comparison (one search of each per seed)",
      parse: commaList(nonNegativeInt),
      default: "0,1,2,3,4",
    },
    {
      flags: "--ranking-archs <n>",
      help: "architectures drawn under the limit, scored on the supernet and trained standalone for Kendall tau",
      parse: positiveInt,
      default: 20,
    },
    { flags: "--ranking-epochs <n>", help: "epochs of each ranking run", parse: positiveInt, default: 3 },
    {
      flags: "--retrain-epochs <n>",
      help: "epochs to retrain the first seed's evolution and random winners (0: skip)",
      parse: nonNegativeInt,
      default: 3,
    },
    {
      flags: "--jobs <n>",
      help: "worker processes (1 thread each) training the standalone nets beside the searches (0: in this process, one after another)",
      parse: nonNegativeInt,
      default: 0,
    },
    { flags: "--resume", help: "continue the runs already in --out (finished ones are kept)" },
  ],
  async run(o) {
    const { runSposBench } = await import("./spos.js");
    return JSON.stringify(await runSposBench({ ...o, resume: o.resume ?? false }), null, 2);
  },
};
