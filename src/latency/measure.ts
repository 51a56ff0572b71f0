// What every latency predictor shares (the SPOS block table, src/nas/latency-table.ts; the pruning
// latency model, src/prune/latency-model.ts): timing one layer plan on a runtime, the record of where
// and how it was measured (provenance), and the accuracy of predictions against end-to-end times.
import { z } from "zod";
import { commonFields } from "../arch/family.js";
import type { Node, Shape } from "../arch/plan.js";
import { type MachineInfo, machineInfo, measureLatency } from "./harness.js";
import { RUNTIME_NAMES, type Runtime, type RuntimeName } from "./types.js";

/** What is timed: the fp32 network, or its int8 QDQ form (ONNX Runtime's integer kernels). */
export type Precision = "fp32" | "int8";

export interface MeasureSettings {
  batch: number;
  threads: number;
  warmup: number;
  repeats: number;
  /** Default "fp32". */
  precision?: Precision;
}

/** Where and how a predictor was measured: the runtime, its version, the machine, the settings. */
export interface Provenance {
  runtime: RuntimeName;
  runtimeVersion: string;
  machine: MachineInfo;
  settings: MeasureSettings;
}

/** How well predicted latencies match measured ones: share within +-10%, mean and worst relative error. */
export interface Accuracy {
  architectures: number;
  within10: number;
  mape: number;
  worst: number;
}

/** The accuracy of `predicted` against `measured` milliseconds (same order). */
export function predictionAccuracy(predicted: readonly number[], measured: readonly number[]): Accuracy {
  const abs = measured.map((ms, i) => Math.abs(((predicted[i] as number) - ms) / ms));
  return {
    architectures: abs.length,
    within10: abs.filter((e) => e <= 0.1).length / Math.max(1, abs.length),
    mape: abs.reduce((s, e) => s + e, 0) / Math.max(1, abs.length),
    worst: Math.max(0, ...abs),
  };
}

/** Median ms of `plan` on `runtime`, prepared, timed and closed. */
export async function timePlan(
  runtime: Runtime,
  plan: Node,
  input: Shape,
  s: MeasureSettings,
): Promise<number> {
  const runner = await runtime.prepare(plan, input, {
    batch: s.batch,
    threads: s.threads,
    int8: s.precision === "int8",
  });
  try {
    return (await measureLatency(runner, { warmup: s.warmup, repeats: s.repeats })).medianMs;
  } finally {
    await runner.close();
  }
}

/** The provenance of measurements made now on `runtime` with settings `o`. */
export async function measuredOn(runtime: Runtime, o: MeasureSettings): Promise<Provenance> {
  const settings: MeasureSettings = {
    batch: o.batch,
    threads: o.threads,
    warmup: o.warmup,
    repeats: o.repeats,
    precision: o.precision ?? "fp32",
  };
  return { runtime: runtime.name, runtimeVersion: await runtime.version(), machine: machineInfo(), settings };
}

/** A prediction's accuracy as recorded (see predictionAccuracy). */
export const accuracySchema = z.object({
  architectures: z.number(),
  within10: z.number(),
  mape: z.number(),
  worst: z.number(),
});

/** The input and provenance fields of a predictor file, checked on reading. */
export const provenanceFields = {
  input: z.object(commonFields).strict(),
  runtime: z.enum(RUNTIME_NAMES as [RuntimeName, ...RuntimeName[]]),
  runtimeVersion: z.string(),
  machine: z.custom<MachineInfo>((v) => typeof v === "object" && v !== null && !Array.isArray(v)),
  settings: z.object({
    batch: z.number(),
    threads: z.number(),
    warmup: z.number(),
    repeats: z.number(),
    // Files written before int8 tables existed were measured in fp32.
    precision: z.enum(["fp32", "int8"]).default("fp32"),
  }),
};
