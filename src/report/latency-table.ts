// The latency-predictor sections: each SPOS table's milliseconds per block entry, and each pruning
// latency model's coefficients, with the prediction's accuracy against end-to-end measurement in the
// title; and the checked architectures one by one as measured against predicted ms, with the y = x line
// and the band where a prediction counts as within +-10% (src/latency/measure.ts predictionAccuracy).
import type { Accuracy } from "../latency/measure.js";
import { latencyModelProfiler } from "../prune/latency-model.js";
import type { Chart, Section } from "./chart.js";
import type { LatencyModelRecord, LatencyTableRecord } from "./read-runs.js";

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

const summary = (a: Accuracy) =>
  `${a.architectures} architectures: mean error ${percent(a.mape)}, ${percent(a.within10)} within 10%, worst ${percent(a.worst)}`;

interface Checked {
  predictedMs: number;
  measuredMs: number;
}

/**
 * Measured (y) against predicted (x) ms of each group of architectures. |predicted - measured| <=
 * 0.1 measured holds exactly when measured lies in [predicted / 1.1, predicted / 0.9]: the band.
 */
function predictedVsMeasured(title: string, groups: readonly { name: string; checks: Checked[] }[]): Chart {
  const all = groups.flatMap((g) => g.checks);
  const ends = [
    Math.min(...all.map((c) => Math.min(c.predictedMs, c.measuredMs))),
    Math.max(...all.map((c) => Math.max(c.predictedMs, c.measuredMs))),
  ];
  return {
    title,
    x: "predicted ms",
    y: "measured ms",
    series: [
      { mark: "band", name: "within +-10%", points: ends.map((x) => ({ x, y: x / 1.1, y2: x / 0.9 })) },
      { mark: "line", name: "y = x", points: ends.map((x) => ({ x, y: x })) },
      ...groups.map((g) => ({
        mark: "dot" as const,
        name: g.name,
        points: g.checks.map((c) => ({ x: c.predictedMs, y: c.measuredMs })),
      })),
    ],
  };
}

export function latencyTableSection(r: LatencyTableRecord): Section {
  const { entries, accuracy: a, runtime, constantMs, checks } = r.table;
  const keys = Object.keys(entries);
  const charts: Chart[] = [
    {
      title: `ms per block (constant ${constantMs.toFixed(3)} ms; predicted vs measured on ${summary(a)})`,
      x: "entry",
      y: "ms",
      xDomain: keys,
      series: [{ mark: "bar", name: "ms", points: keys.map((k) => ({ x: k, y: entries[k] as number })) }],
    },
  ];
  // Tables written before the checked architectures were kept have only the summary above.
  if (checks?.length)
    charts.push(
      predictedVsMeasured("measured vs predicted ms per checked architecture", [
        { name: "checked architectures", checks },
      ]),
    );
  return { title: `Latency table: ${r.name} (${runtime})`, charts };
}

export function latencyModelSection(r: LatencyModelRecord): Section {
  const { model } = r;
  const predict = latencyModelProfiler(model).measure;
  const checked = (measured: typeof model.measured.fit) =>
    measured.map((m) => ({ predictedMs: predict(m.encoding), measuredMs: m.ms }));
  return {
    title: `Latency model: ${r.name} (${model.runtime}, ${model.space.name})`,
    charts: [
      {
        title: "ms per unit of each feature",
        x: "feature",
        y: "ms per unit",
        xDomain: model.features,
        series: [
          {
            mark: "bar",
            name: "coefficient",
            points: model.features.map((f, i) => ({ x: f, y: model.coefficients[i] as number })),
          },
        ],
      },
      predictedVsMeasured(
        `measured vs predicted ms (fitted on ${summary(model.accuracy.fit)}; checked on ${summary(model.accuracy.check)})`,
        [
          { name: "fitted on", checks: checked(model.measured.fit) },
          { name: "checked on", checks: checked(model.measured.check) },
        ],
      ),
    ],
  };
}
