// `lithe bench depthwise`: the declaration of bench/depthwise.ts's subcommand (flags, run, printed table).
import { positiveInt } from "../src/cli/args.js";
import type { BenchCommand } from "./command.js";

interface DepthwiseFlags {
  batch: number;
  repeats: number;
  json?: boolean;
}

export const depthwiseCommand: BenchCommand<DepthwiseFlags> = {
  name: "depthwise",
  description:
    "depthwise conv forward + backward, lithe's backward against oneDNN's, on ShuffleNet V2 / SPOS layer shapes (k 3, 5, 7)",
  flags: [
    { flags: "--batch <n>", help: "images per pass", parse: positiveInt, default: 64 },
    { flags: "--repeats <n>", help: "timed passes of each (median)", parse: positiveInt, default: 10 },
    { flags: "--json", help: "print one JSON object" },
  ],
  async run(o) {
    const { runDepthwiseBench } = await import("./depthwise.js");
    const r = runDepthwiseBench(o.batch, [3, 5, 7], o.repeats);
    if (o.json) return JSON.stringify(r);
    const rows = r.cases.map(
      (c) =>
        `${`[${c.input}] k${c.kernel} s${c.stride}`.padEnd(26)} lithe ${c.lithe_ms.toFixed(2).padStart(7)} ms  oneDNN ${c.onednn_ms.toFixed(2).padStart(7)} ms  ${c.speedup.toFixed(2)}x`,
    );
    return [...rows, `total speedup ${r.total_speedup.toFixed(2)}x (oneDNN time / lithe time)`].join("\n");
  },
};
