// A model card: a description's per-layer FLOPs, params and MAC from the analytic counter, and its
// weight and activation bits per layer when it is quantized (its `quant` field).
import { archLayerBits, countArch } from "../arch/count.js";
import { printArch } from "../arch/index.js";
import type { Chart, Section } from "./chart.js";
import type { ModelRecord } from "./read-runs.js";

export function modelSection(m: ModelRecord): Section {
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
  return { title: `Model card: ${m.name} — ${printArch(m.arch)}`, charts };
}
