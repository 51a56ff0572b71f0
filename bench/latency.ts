// Inference latency of one model on each runtime (lithe, onnxruntime-node, onnxruntime-web in
// Chromium) at one or more batch sizes, with runtime versions, the machine, and each runtime's
// median as a ratio to onnxruntime-node's at the same batch. Issue 6 item 6 is the default:
// shufflenet_v2_x1_0 at 224 px (`--batch 1,16` for both batch sizes). Unavailable runtimes are
// skipped with the reason. Weights are the seeded initialisation: values do not change latency.
import { availableParallelism } from "node:os";
import { planOf } from "../src/arch/count.js";
import { printArch } from "../src/arch/format.js";
import type { Shape } from "../src/arch/plan.js";
import { resolveArch } from "../src/arch/resolve.js";
import { type MachineInfo, machineInfo, measureLatency } from "../src/latency/harness.js";
import { runtimeByName } from "../src/latency/runtimes/index.js";
import type { LatencyStats, RuntimeName } from "../src/latency/types.js";

export interface LatencyBenchOptions {
  /** Registered name, string form or arch.json path. */
  model: string;
  runtimes: readonly RuntimeName[];
  batches: readonly number[];
  /** Intra-op threads (default: one per available core). */
  threads?: number;
  warmup: number;
  repeats: number;
  /** Input side in pixels (default: the description's). */
  input?: number;
  /** Also time the int8 QDQ form on the ONNX Runtime runtimes. */
  int8?: boolean;
  /** Called with a line of progress per measurement. */
  progress?: (line: string) => void;
}

export interface LatencyRow {
  runtime: RuntimeName;
  batch: number;
  precision: "fp32" | "int8";
  version: string;
  /** Why the runtime was skipped (not installed here), else absent. */
  skipped?: string;
  /** What the runtime used (threads, ...). */
  setup?: string;
  stats?: LatencyStats;
  /** This median / onnxruntime-node's fp32 median at the same batch (null without an ort-node figure). */
  ratioToOrtNode?: number | null;
  /** int8 rows: this median / the same runtime's fp32 median at the same batch (below 1: int8 is faster). */
  ratioToFp32?: number | null;
}

export interface LatencyBench {
  model: string;
  input: Shape;
  threads: number;
  machine: MachineInfo;
  rows: LatencyRow[];
}

export async function runLatencyBench(o: LatencyBenchOptions): Promise<LatencyBench> {
  const arch = resolveArch(o.model, o.input === undefined ? {} : { inputSize: o.input });
  const plan = planOf(arch);
  const input: Shape = { c: arch.inChannels, h: arch.inputSize, w: arch.inputSize };
  const threads = o.threads ?? availableParallelism();
  const rows: LatencyRow[] = [];
  for (const name of o.runtimes) {
    const runtime = runtimeByName(name);
    const skipped = await runtime.unavailable();
    const version = skipped ? "" : await runtime.version();
    if (skipped) {
      rows.push({ runtime: name, batch: 0, precision: "fp32", version, skipped });
      o.progress?.(`${name}: skipped (${skipped})`);
      continue;
    }
    const precisions = o.int8 && name !== "lithe" ? (["fp32", "int8"] as const) : (["fp32"] as const);
    for (const batch of o.batches) {
      for (const precision of precisions) {
        const runner = await runtime.prepare(plan, input, { batch, threads, int8: precision === "int8" });
        try {
          const stats = await measureLatency(runner, { warmup: o.warmup, repeats: o.repeats });
          rows.push({ runtime: name, batch, precision, version, setup: runner.setup, stats });
          o.progress?.(`${name} ${precision} batch ${batch}: median ${stats.medianMs.toFixed(2)} ms`);
        } finally {
          await runner.close();
        }
      }
    }
  }
  const median = (runtime: RuntimeName, batch: number) =>
    rows.find((r) => r.runtime === runtime && r.batch === batch && r.precision === "fp32" && r.stats)?.stats
      ?.medianMs;
  for (const row of rows) {
    if (!row.stats) continue;
    const ortNode = median("ort-node", row.batch);
    row.ratioToOrtNode = ortNode === undefined ? null : row.stats.medianMs / ortNode;
    if (row.precision === "int8") {
      const fp32 = median(row.runtime, row.batch);
      row.ratioToFp32 = fp32 === undefined ? null : row.stats.medianMs / fp32;
    }
  }
  return { model: printArch(arch), input, threads, machine: machineInfo(), rows };
}

const ms = (x: number) => x.toFixed(2).padStart(9);

export function formatLatencyBench(r: LatencyBench): string {
  const m = r.machine;
  const lines = [
    `model    ${r.model}, input ${r.input.c}x${r.input.h}x${r.input.w}, ${r.threads} thread(s) requested`,
    `machine  ${m.cpu}, ${m.cores} cores, ${m.os}, Node ${m.node}`,
    "",
    `${"runtime".padEnd(9)} ${"prec".padEnd(4)} ${"batch".padStart(5)} ${"median ms".padStart(9)} ${"p90 ms".padStart(9)} ${"vs ort-node".padStart(11)} ${"vs fp32".padStart(8)}  version; setup`,
  ];
  for (const row of r.rows) {
    if (!row.stats) {
      lines.push(`${row.runtime.padEnd(9)} skipped: ${row.skipped}`);
      continue;
    }
    const ratio = row.ratioToOrtNode == null ? "-" : `${row.ratioToOrtNode.toFixed(2)}x`;
    const toFp32 = row.ratioToFp32 == null ? "-" : `${row.ratioToFp32.toFixed(2)}x`;
    lines.push(
      `${row.runtime.padEnd(9)} ${row.precision.padEnd(4)} ${String(row.batch).padStart(5)} ${ms(row.stats.medianMs)} ${ms(row.stats.p90Ms)} ${ratio.padStart(11)} ${toFp32.padStart(8)}  ${row.version}; ${row.setup}`,
    );
  }
  lines.push(
    "",
    "vs ort-node: median time / onnxruntime-node's fp32 median at the same batch (below 1 is faster)",
    "vs fp32: an int8 row's median / the same runtime's fp32 median (below 1: int8 is faster)",
  );
  return lines.join("\n");
}
