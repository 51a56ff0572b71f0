// `lithe bench channel-pruning`: the declaration of bench/channel-pruning.ts's subcommand; prints
// bench-channel-pruning.json's figures.

import { InvalidArgumentError } from "commander";
import { commaList, positiveInt, positiveNumber } from "../src/cli/args.js";
import { WIDTHS_RULES, type WidthsRule } from "../src/prune/channel-widths.js";
import { BENCH_MODELS, type ChannelPruningBenchOptions } from "./channel-pruning.js";
import type { BenchCommand } from "./command.js";

/** A --widths rule; any other fails naming the choices. */
function widthsRule(value: string): WidthsRule {
  if (!(WIDTHS_RULES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`takes ${WIDTHS_RULES.join(" or ")}, got "${value}"`);
  return value as WidthsRule;
}

/** "vgg16,resnet18" -> the names; any other name fails naming the flag's choices. */
function modelList(value: string): string[] {
  const names = value.split(",").map((n) => n.trim());
  const bad = names.find((n) => !(BENCH_MODELS as readonly string[]).includes(n));
  if (bad !== undefined) throw new InvalidArgumentError(`takes ${BENCH_MODELS.join(", ")}, got "${bad}"`);
  return names;
}

type ChannelPruningFlags = Omit<ChannelPruningBenchOptions, "resume"> & { resume?: boolean };

export const channelPruningCommand: BenchCommand<ChannelPruningFlags> = {
  name: "channel-pruning",
  description:
    "channel pruning (He et al. 2017) on Fashion-MNIST: VGG-16 (BN), ResNet-18 and MobileNetV2 (the MetaPruning space's 1.4x base) with the small stem, narrowed by --width, at each FLOPs reduction: channel pruning before and after fine-tuning, L1-norm filter pruning at the same widths with the same fine-tuning, and the pruned architecture, the uniform-width net (every layer narrowed by one factor) and MetaPruning's searched widths (ResNet-18 and MobileNetV2 only: VGG has no pruning space) at the same FLOPs target trained from scratch for the base's plus the fine-tuning's epochs; top-1, FLOPs, params, ONNX Runtime (node) latency against the unpruned net. The defaults (width 0.25, 2 + 1 epochs) were sized for about 40 minutes on 2 cores before the MobileNetV2, uniform-width and MetaPruning rows were added (never timed; expect more now); cost grows with width squared and linearly with the epochs",
  flags: [
    {
      flags: "--out <dir>",
      help: "where the runs and bench-channel-pruning.json go",
      default: "runs/bench-channel-pruning",
    },
    { flags: "--data <spec>", help: "dataset (synthetic:N for a quick dry run)", default: "fashion-mnist" },
    {
      flags: "--models <list>",
      help: "any of vgg16, resnet18, mobilenet_v2",
      parse: modelList,
      default: "vgg16,resnet18,mobilenet_v2",
    },
    {
      flags: "--width <x>",
      help: "factor on every width of the networks",
      parse: positiveNumber,
      default: 0.25,
    },
    {
      flags: "--speedups <list>",
      help: "FLOPs reductions",
      parse: commaList(positiveNumber),
      default: "2,4",
    },
    { flags: "--epochs <n>", help: "epochs of the base networks", parse: positiveInt, default: 2 },
    { flags: "--fine-tune-epochs <n>", help: "epochs of every fine-tuning", parse: positiveInt, default: 1 },
    {
      flags: "--fine-tune-lr <x>",
      help: "learning rate of the fine-tunings",
      parse: positiveNumber,
      default: 0.01,
    },
    {
      flags: "--widths <rule>",
      help: "channel pruning's per-layer widths: stages (one ratio everywhere) or paper (single-layer analysis, `lithe prune channels --widths`)",
      parse: widthsRule,
      default: "stages",
    },
    {
      flags: "--pruning-net-epochs <n>",
      help: "MetaPruning: PruningNet training epochs (ResNet-18 and MobileNetV2; VGG has no pruning space)",
      parse: positiveInt,
      default: 2,
    },
    { flags: "--population <n>", help: "MetaPruning: search population", parse: positiveInt, default: 12 },
    { flags: "--generations <n>", help: "MetaPruning: search generations", parse: positiveInt, default: 6 },
    {
      flags: "--images <n>",
      help: "training images channel pruning samples",
      parse: positiveInt,
      default: 500,
    },
    {
      flags: "--points <n>",
      help: "feature-map points per image and layer",
      parse: positiveInt,
      default: 10,
    },
    { flags: "--latency-batch <n>", help: "batch of the latency runs", parse: positiveInt, default: 1 },
    { flags: "--latency-repeats <n>", help: "timed runs per network", parse: positiveInt, default: 100 },
    { flags: "--threads <n>", help: "libtorch intra-op threads (default: one per core)", parse: positiveInt },
    { flags: "--resume", help: "continue the runs already in --out (finished ones are kept)" },
  ],
  async run(o) {
    const { runChannelPruningBench } = await import("./channel-pruning.js");
    return JSON.stringify(await runChannelPruningBench({ ...o, resume: o.resume ?? false }), null, 2);
  },
};
