// `lithe bench quant-search`: the declaration of bench/quant-search.ts's subcommand; prints
// bench-quant-search.json's figures.
import { commaList, nonNegativeInt, positiveInt, positiveNumber, probability } from "../src/cli/args.js";
import type { BenchCommand } from "./command.js";
import type { QuantSearchBenchOptions } from "./quant-search.js";

type QuantSearchFlags = Omit<QuantSearchBenchOptions, "resume"> & { resume?: boolean };

export const quantSearchCommand: BenchCommand<QuantSearchFlags> = {
  name: "quant-search",
  description:
    "SPOS mixed-precision search on Fashion-MNIST: uniform 3/4-bit ResNet-18 (x0.25) against the widths the search finds under the same BitOps, all fine-tuned quantization-aware from one fp32 network",
  flags: [
    {
      flags: "--out <dir>",
      help: "where the runs and bench-quant-search.json go",
      default: "runs/bench-quant-search",
    },
    { flags: "--data <spec>", help: "dataset (synthetic:N for a quick dry run)", default: "fashion-mnist" },
    { flags: "--space <name>", help: "registered quantization space", default: "quant_resnet18_x0_25" },
    { flags: "--fp32-epochs <n>", help: "epochs of the fp32 base network", parse: positiveInt, default: 2 },
    { flags: "--supernet-epochs <n>", help: "quantization supernet epochs", parse: positiveInt, default: 2 },
    {
      flags: "--widths <list>",
      help: "uniform widths compared (2 is the space's floor: its only network under that BitOps is uniform)",
      parse: commaList(positiveInt),
      default: "2,3,4",
    },
    {
      flags: "--floor <share>",
      help: "searched nets cost at least this share of the uniform net's BitOps, so the search spends its budget (0: none; at the space's top width few random draws land near the limit, and the search refuses it)",
      parse: probability,
      default: 0,
    },
    { flags: "--population <n>", help: "search population", parse: positiveInt, default: 10 },
    { flags: "--generations <n>", help: "search generations", parse: positiveInt, default: 4 },
    {
      flags: "--recal-images <n>",
      help: "BN recalibration images per candidate",
      parse: positiveInt,
      default: 2000,
    },
    {
      flags: "--score-images <n>",
      help: "hold-out images scoring each candidate",
      parse: positiveInt,
      default: 2000,
    },
    {
      flags: "--fine-tune-epochs <n>",
      help: "epochs of each quantization-aware fine-tuning",
      parse: positiveInt,
      default: 1,
    },
    {
      flags: "--fine-tune-lr <x>",
      help: "base learning rate of supernet training and fine-tuning",
      parse: positiveNumber,
      default: 0.05,
    },
    {
      flags: "--seeds <list>",
      help: "seeds of the fine-tunings",
      parse: commaList(nonNegativeInt),
      default: "1",
    },
    { flags: "--threads <n>", help: "libtorch intra-op threads (default: one per core)", parse: positiveInt },
    { flags: "--resume", help: "continue the runs already in --out (finished ones are kept)" },
  ],
  async run(o) {
    const { runQuantSearchBench } = await import("./quant-search.js");
    return JSON.stringify(await runQuantSearchBench({ ...o, resume: o.resume ?? false }), null, 2);
  },
};
