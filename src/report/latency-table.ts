// The latency-table section: each SPOS table's milliseconds per block entry, with its prediction's
// accuracy against end-to-end measurement (as the table records it) in the title.
import type { Section } from "./chart.js";
import type { LatencyTableRecord } from "./read-runs.js";

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

export function latencyTableSection(r: LatencyTableRecord): Section {
  const { entries, accuracy: a, runtime, constantMs } = r.table;
  const keys = Object.keys(entries);
  return {
    title: `Latency table: ${r.name} (${runtime})`,
    charts: [
      {
        title: `ms per block (constant ${constantMs.toFixed(3)} ms; predicted vs measured on ${a.architectures} architectures: mean error ${percent(a.mape)}, ${percent(a.within10)} within 10%, worst ${percent(a.worst)})`,
        x: "entry",
        y: "ms",
        xDomain: keys,
        series: [{ mark: "bar", name: "ms", points: keys.map((k) => ({ x: k, y: entries[k] as number })) }],
      },
    ],
  };
}
