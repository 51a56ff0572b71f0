// `lithe bench latency`: the declaration of bench/latency.ts's subcommand (flags, run, printed table).
import { commaList, nonNegativeInt, positiveInt, runtimeList } from "../src/cli/args.js";
import { RUNTIME_NAMES, type RuntimeName } from "../src/latency/types.js";
import { type BenchCommand, progress } from "./command.js";

interface LatencyFlags {
  model: string;
  runtime: RuntimeName[];
  batch: number[];
  threads?: number;
  warmup: number;
  repeats: number;
  input?: number;
  int8?: boolean;
  json?: boolean;
}

export const latencyCommand: BenchCommand<LatencyFlags> = {
  name: "latency",
  description:
    "inference latency of a model on lithe (BN folded), onnxruntime-node and onnxruntime-web (WASM, headless Chromium): median, p90, ratio to onnxruntime-node",
  flags: [
    {
      flags: "--model <name|arch.json>",
      help: "registered model, string form or description file",
      default: "shufflenet_v2_x1_0",
    },
    {
      flags: "--runtime <names>",
      help: "ort-node, ort-web, lithe, a comma list, or all",
      parse: runtimeList,
      default: [...RUNTIME_NAMES],
    },
    {
      flags: "--batch <n[,n]>",
      help: "batch size(s), e.g. 1,16",
      parse: commaList(positiveInt),
      default: [1],
    },
    { flags: "--threads <n>", help: "intra-op threads (default: one per core)", parse: positiveInt },
    { flags: "--warmup <n>", help: "untimed runs first", parse: nonNegativeInt, default: 10 },
    { flags: "--repeats <n>", help: "timed runs", parse: positiveInt, default: 50 },
    { flags: "--input <n>", help: "input side in pixels (default: the model's, 224)", parse: positiveInt },
    {
      flags: "--int8",
      help: "also the int8 QDQ form on the ONNX Runtime runtimes, with its ratio to their fp32 median",
    },
    { flags: "--json", help: "print one JSON object" },
  ],
  async run(o) {
    const { formatLatencyBench, runLatencyBench } = await import("./latency.js");
    const r = await runLatencyBench({
      model: o.model,
      runtimes: o.runtime,
      batches: o.batch,
      warmup: o.warmup,
      repeats: o.repeats,
      progress,
      ...(o.threads === undefined ? {} : { threads: o.threads }),
      ...(o.input === undefined ? {} : { input: o.input }),
      int8: o.int8 ?? false,
    });
    return o.json ? JSON.stringify(r) : formatLatencyBench(r);
  },
};
