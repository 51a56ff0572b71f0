// Model cards: a description's per-layer FLOPs, params and MAC from the analytic counter, and its
// weight and activation bits per layer when it is quantized (its `quant` field), its predicted latency
// where a latency table or model of its space and input is given (model-latency.ts); and the output
// channels per conv layer of every description overlaid (a pruned net against the uniform one).
import { archLayerBits, countArch } from "../arch/count.js";
import { type Arch, listOps, planOf, printArch } from "../arch/index.js";
import type { Chart, Section } from "./chart.js";
import { type LatencyPredictors, latencyCharts } from "./model-latency.js";
import type { ModelRecord } from "./read-runs.js";

/** The description's string form; a family name where it has none (a SPOS net of a user's own, inline space). */
function archText(a: Arch): string {
  try {
    return printArch(a);
  } catch {
    return `a ${a.family} description`;
  }
}

export function modelSection(m: ModelRecord, predictors: LatencyPredictors): Section {
  const { layers, ...total } = countArch(m.arch);
  const counted = layers.filter((l) => l.op === "conv" || l.op === "linear");
  const xDomain = counted.map((l) => l.name);
  const perLayer = (field: "flops" | "params" | "mac", y: string): Chart => ({
    title: `${y} per layer (total ${total[field].toLocaleString("en")})`,
    x: "layer",
    y,
    xDomain,
    series: [{ mark: "bar", name: y, points: counted.map((l) => ({ x: l.name, y: l[field] })) }],
  });
  const charts = [perLayer("flops", "FLOPs"), perLayer("params", "params"), perLayer("mac", "MAC")];
  const bits = archLayerBits(m.arch);
  if (bits) {
    const rows = [...bits.entries()];
    charts.push({
      title: "bits per layer",
      x: "layer",
      y: "bits",
      xDomain: rows.map(([name]) => name),
      series: (["weights", "activations"] as const).map((kind) => ({
        mark: "dot" as const,
        name: kind,
        points: rows.map(([name, b]) => ({ x: name, y: b[kind] })),
      })),
    });
  }
  const latency = latencyCharts(m, predictors);
  charts.push(...latency.charts);
  const title = `Model card: ${m.name} — ${archText(m.arch)}`;
  return latency.notes.length ? { title, notes: latency.notes, charts } : { title, charts };
}

/** Output channels of every conv layer of each description, overlaid (layers in the first one's order). */
export function widthsSection(models: readonly ModelRecord[]): Section {
  const convs = models.map((m) => ({
    m,
    ops: listOps(planOf(m.arch), {
      c: m.arch.inChannels,
      h: m.arch.inputSize,
      w: m.arch.inputSize,
    }).ops.filter((o) => o.op === "conv"),
  }));
  return {
    title: "Widths",
    charts: [
      {
        title: "output channels per conv layer",
        x: "layer",
        y: "channels",
        xDomain: [...new Set(convs.flatMap(({ ops }) => ops.map((o) => o.name)))],
        series: convs.map(({ m, ops }) => ({
          mark: "line" as const,
          name: m.name,
          points: ops.map((o) => ({ x: o.name, y: o.output.c })),
        })),
      },
    ],
  };
}
