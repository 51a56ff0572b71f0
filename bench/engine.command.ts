// `lithe bench engine`: the declaration of bench/engine.ts's subcommand (flags, run, printed table).
import { positiveInt } from "../src/cli/args.js";
import { type BenchCommand, keyValueLines, progress } from "./command.js";

interface EngineFlags {
  steps: number;
  warmup: number;
  batchSize: number;
  threads?: number;
  peer: boolean;
  json?: boolean;
}

export const engineCommand: BenchCommand<EngineFlags> = {
  name: "engine",
  description:
    "ShuffleNet V2 1.0x training step (CIFAR convention: 32x32x3, stride-1 stem, no max-pool, 10 classes) in lithe and in PyTorch",
  flags: [
    { flags: "--steps <n>", help: "timed steps", parse: positiveInt, default: 20 },
    { flags: "--warmup <n>", help: "untimed warm-up steps", parse: positiveInt, default: 5 },
    { flags: "--batch-size <n>", help: "images per step", parse: positiveInt, default: 64 },
    {
      flags: "--threads <n>",
      help: "intra-op threads for both (default: lithe's default)",
      parse: positiveInt,
    },
    { flags: "--no-peer", help: "skip the PyTorch peer run" },
    { flags: "--json", help: "print one JSON object" },
  ],
  async run(o) {
    const { runEngineBench } = await import("./engine.js");
    const r = await runEngineBench({
      steps: o.steps,
      warmup: o.warmup,
      batchSize: o.batchSize,
      peer: o.peer,
      progress,
      ...(o.threads === undefined ? {} : { threads: o.threads }),
    });
    if (o.json) return JSON.stringify(r);
    const { op_kinds, supernet_op_kinds, depthwise, ...scalars } = r;
    const table = (title: string, rows: typeof op_kinds) =>
      [
        title,
        ...rows.map(
          (k) =>
            `  ${k.kind.padEnd(44)} ${k.ms.toFixed(1).padStart(8)} ms ${(100 * k.share).toFixed(1).padStart(5)}%`,
        ),
      ].join("\n");
    return [
      keyValueLines(scalars),
      table("lithe time per op kind, CIFAR step:", op_kinds),
      table("lithe time per op kind, supernet step:", supernet_op_kinds),
      "depthwise conv forward + backward, fastest of the timed repeats (ms):",
      ...depthwise.map(
        (d) =>
          `  ${d.shape.padEnd(24)} ATen ${d.aten_ms.toFixed(2).padStart(7)}  lithe ${d.lithe_ms.toFixed(2).padStart(7)}  ${d.speedup.toFixed(2)}x${d.routed ? "  (used)" : ""}`,
      ),
    ].join("\n");
  },
};
