// The search section: every candidate as score against each cost it records (FLOPs, params, latency,
// BitOps) with its Pareto front, and the best score so far per generation; searches overlaid.
import type { Candidate } from "../search/search-state.js";
import type { Chart, Point, Section } from "./chart.js";
import type { SearchRecord } from "./read-runs.js";

const label = (r: SearchRecord) => `${r.name} (${r.method})`;

/** The candidates no other beats on both lower cost and higher score, by cost. */
export function paretoFront(points: readonly Point[]): Point[] {
  const front: Point[] = [];
  for (const p of [...points].sort((a, b) => a.x - b.x || b.y - a.y))
    if (front.length === 0 || p.y > (front[front.length - 1] as Point).y) front.push(p);
  return front;
}

function bestPerGeneration(candidates: readonly Candidate[]): Point[] {
  const best = new Map<number, number>();
  for (const c of candidates) best.set(c.generation, Math.max(best.get(c.generation) ?? -1, c.score));
  let sofar = Number.NEGATIVE_INFINITY;
  return [...best.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([g, s]) => {
      sofar = Math.max(sofar, s);
      return { x: g, y: sofar };
    });
}

export function searchSection(runs: readonly SearchRecord[]): Section {
  const costs = [...new Set(runs.flatMap((r) => r.candidates.flatMap((c) => Object.keys(c.costs))))];
  const scatter = costs.map(
    (cost): Chart => ({
      title: `score vs ${cost}`,
      x: cost,
      y: "score",
      series: runs.flatMap((r) => {
        const points = r.candidates
          .filter((c) => c.costs[cost] !== undefined)
          .map((c) => ({ x: c.costs[cost] as number, y: c.score }));
        return [
          { mark: "dot" as const, name: label(r), points },
          { mark: "line" as const, name: `${label(r)} Pareto front`, points: paretoFront(points) },
        ];
      }),
    }),
  );
  return {
    title: "Searches",
    charts: [
      ...scatter,
      {
        title: "best score so far per generation",
        x: "generation",
        y: "best score",
        series: runs.map((r) => ({ mark: "line", name: label(r), points: bestPerGeneration(r.candidates) })),
      },
    ],
  };
}
