// The training section: loss, top-1 and LR per step and test top-1 per epoch, every run overlaid
// (lithe train, supernet and PruningNet trainings alike).
import type { Chart, Section } from "./chart.js";
import type { TrainingRecord } from "./read-runs.js";

const label = (r: TrainingRecord) => `${r.name} (${r.family})`;

function perStep(runs: readonly TrainingRecord[], field: "loss" | "top1" | "lr", y: string): Chart {
  return {
    title: `${y} per step`,
    x: "step",
    y,
    series: runs.map((r) => ({
      mark: "line",
      name: label(r),
      points: r.steps.map((s) => ({ x: s.step, y: s[field] })),
    })),
  };
}

export function trainingSection(runs: readonly TrainingRecord[]): Section {
  return {
    title: "Training",
    charts: [
      perStep(runs, "loss", "loss"),
      perStep(runs, "top1", "train top-1"),
      perStep(runs, "lr", "learning rate"),
      {
        title: "test top-1 per epoch",
        x: "epoch",
        y: "test top-1",
        series: runs.map((r) => ({
          mark: "line",
          name: label(r),
          points: r.epochs
            .filter((e) => e.test_top1 !== undefined)
            .map((e) => ({ x: e.epoch + 1, y: e.test_top1 as number })),
        })),
      },
    ],
  };
}
