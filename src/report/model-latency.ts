// A model card's predicted latency: per block from an SPOS latency table of the description's space
// and input (src/nas/latency-table.ts), or per op from a pruning latency model whose space's base
// net the description is a pruning of, at the same input (the model is linear in per-op features, so
// the ops' shares plus its constant are exactly its prediction; src/prune/latency-model.ts). A predictor
// of another space or input is named in a note instead.

import type { ArchInput } from "../arch/family.js";
import type { Arch } from "../arch/index.js";
import { listOps, planOf } from "../arch/index.js";
import { isFamily } from "../arch/schema.js";
import { baseArch } from "../arch/spaces/pruning.js";
import { spaceOf } from "../arch/spaces/spos.js";
import { latencyParts } from "../nas/latency-table.js";
import { opLatencyFeatures } from "../prune/latency-model.js";
import type { Chart } from "./chart.js";
import type { LatencyModelRecord, LatencyTableRecord, ModelRecord } from "./read-runs.js";

export interface LatencyPredictors {
  tables: readonly LatencyTableRecord[];
  models: readonly LatencyModelRecord[];
}

const inputText = (i: ArchInput) =>
  `${i.inputSize} px, ${i.inChannels} channel(s), ${i.classes} classes, ${i.stem} stem`;

const sameInput = (a: Arch, i: ArchInput) =>
  a.inputSize === i.inputSize &&
  a.inChannels === i.inChannels &&
  a.classes === i.classes &&
  a.stem === i.stem;

/** The description without its widths, as JSON (a pruned net and its base compare equal). */
const withoutChannels = (a: Arch) => JSON.stringify({ ...a, channels: undefined });

const ms = (x: number) => `${x.toFixed(3)} ms`;

/** The per-block chart of `m` from table `t`, or the note saying why there is none. */
function tableChart(m: ModelRecord, t: LatencyTableRecord): Chart | string {
  const { table } = t;
  const a = m.arch;
  const space = isFamily(a, "oneshot") ? spaceOf(a.space) : undefined;
  if (
    !isFamily(a, "oneshot") ||
    JSON.stringify(space) !== JSON.stringify(table.space) ||
    !sameInput(a, table.input)
  )
    return `latency table ${t.name} is for SPOS space ${table.space.name} at ${inputText(table.input)}; this description is ${space ? `of SPOS space ${space.name}` : a.family} at ${inputText(a)}: no latency from it`;
  const parts = latencyParts(table)(a.genotype);
  const blocks = parts.reduce((s, p) => s + p.ms, 0);
  return {
    title: `predicted ms per block on ${table.runtime} (${t.name}): total ${ms(blocks + table.constantMs)} (blocks ${ms(blocks)} + constant ${ms(table.constantMs)})`,
    x: "block",
    y: "predicted ms",
    xDomain: parts.map((p) => p.part),
    series: [{ mark: "bar", name: "predicted ms", points: parts.map((p) => ({ x: p.part, y: p.ms })) }],
  };
}

/** The per-op chart of `m` from latency model `r`, or the note saying why there is none. */
function modelChart(m: ModelRecord, r: LatencyModelRecord): Chart | string {
  const { model } = r;
  const a = m.arch;
  const matches =
    sameInput(a, model.input) && withoutChannels(a) === withoutChannels(baseArch(model.space, model.input));
  if (!matches)
    return `latency model ${r.name} is for pruning space ${model.space.name} (${model.space.base.family}) at ${inputText(model.input)}; this description (${a.family} at ${inputText(a)}) is not a pruning of its base net at that input: no latency from it`;
  const ops = listOps(planOf(a), { c: a.inChannels, h: a.inputSize, w: a.inputSize }).ops;
  const share = ops.map((o) => ({
    op: o.name,
    ms: opLatencyFeatures(o).reduce((s, f, i) => s + f * (model.coefficients[i] as number), 0),
  }));
  const constant = model.coefficients[0] as number;
  const sum = share.reduce((s, o) => s + o.ms, 0);
  return {
    title: `predicted ms per op on ${model.runtime} (${r.name}): total ${ms(sum + constant)} (ops ${ms(sum)} + constant ${ms(constant)})`,
    x: "op",
    y: "predicted ms",
    xDomain: share.map((o) => o.op),
    series: [{ mark: "bar", name: "predicted ms", points: share.map((o) => ({ x: o.op, y: o.ms })) }],
  };
}

/** The latency charts of `m` from each predictor of its space and input, and a note for each other one. */
export function latencyCharts(m: ModelRecord, p: LatencyPredictors): { charts: Chart[]; notes: string[] } {
  const results = [...p.tables.map((t) => tableChart(m, t)), ...p.models.map((r) => modelChart(m, r))];
  return {
    charts: results.filter((r): r is Chart => typeof r !== "string"),
    notes: results.filter((r): r is string => typeof r === "string"),
  };
}
