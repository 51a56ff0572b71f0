// `lithe bench train`: the declaration of bench/train.ts's subcommand (flags, run, printed table).
import { nonNegativeInt, positiveInt } from "../src/cli/args.js";
import { type BenchCommand, keyValueLines } from "./command.js";

interface TrainFlags {
  steps: number;
  workers: number;
  peer: boolean;
  json?: boolean;
}

export const trainCommand: BenchCommand<TrainFlags> = {
  name: "train",
  description:
    "lithe train's loop (loader, augmentation, step) on shufflenet_v2_x1_0 at 32x32, batch 64, vs PyTorch's step; and the data pipeline alone",
  flags: [
    {
      flags: "--steps <n>",
      help: "training steps timed (the first ones include warm-up)",
      parse: positiveInt,
      default: 80,
    },
    { flags: "--workers <n>", help: "loader workers", parse: nonNegativeInt, default: 1 },
    { flags: "--no-peer", help: "skip the PyTorch peer run" },
    { flags: "--json", help: "print one JSON object" },
  ],
  async run(o) {
    const { runTrainBench } = await import("./train.js");
    const r = await runTrainBench({ steps: o.steps, workers: o.workers, peer: o.peer });
    return o.json ? JSON.stringify(r) : keyValueLines(r);
  },
};
