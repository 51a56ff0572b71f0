// `lithe bench counter`: the declaration of bench/counter.ts's subcommand, which also prints the
// per-layer table and totals of a model.
import { countArch, resolveArch } from "../src/arch/index.js";
import { layerTable, si } from "../src/cli/format.js";
import type { BenchCommand } from "./command.js";

interface CounterFlags {
  model: string;
  json?: boolean;
}

export const counterCommand: BenchCommand<CounterFlags> = {
  name: "counter",
  description:
    "analytic counter throughput (SPOS genotypes/s via lookup tables, and full counts/s) and the per-layer table of a model",
  flags: [
    {
      flags: "--model <name>",
      help: "model whose per-layer table is printed",
      default: "shufflenet_v2_x1_0",
    },
    { flags: "--json", help: "print one JSON object" },
  ],
  async run(o) {
    const { runCounterBench } = await import("./counter.js");
    const r = runCounterBench();
    const { layers, ...totals } = countArch(resolveArch(o.model));
    if (o.json) return JSON.stringify({ ...r, model: o.model, ...totals, layers });
    return [
      layerTable(layers),
      `${o.model}: FLOPs ${si(totals.flops)}, params ${si(totals.params)}, full ops ${si(totals.ops)}, MAC ${si(totals.mac)}`,
      `counter: ${Math.round(r.genotypes_per_s)} SPOS genotypes/s (lookup tables), ${Math.round(r.full_count_per_s)} full counts/s, ${r.speedup.toFixed(0)}x`,
    ].join("\n");
  },
};
