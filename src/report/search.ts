// The search section: every candidate as score against each cost it records (FLOPs, params, latency,
// BitOps) with its Pareto front, the best score so far per generation, searches overlaid; and each
// winner's genotype gene by gene: choices as cells (SPOS blocks), numbers as points (SPOS channel
// scales, MetaPruning widths, bits per block of a quantization search).
import type { Candidate } from "../search/search-state.js";
import type { Chart, Section } from "./chart.js";
import type { SearchRecord } from "./read-runs.js";

const label = (r: SearchRecord) => `${r.name} (${r.method})`;

/** A candidate as cost (x) and score (y). */
interface Scored {
  x: number;
  y: number;
}

/** The candidates no other beats on both lower cost and higher score, by cost. */
export function paretoFront(points: readonly Scored[]): Scored[] {
  const front: Scored[] = [];
  for (const p of [...points].sort((a, b) => a.x - b.x || b.y - a.y))
    if (front.length === 0 || p.y > (front[front.length - 1] as Scored).y) front.push(p);
  return front;
}

function bestPerGeneration(candidates: readonly Candidate[]): Scored[] {
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

/** The highest-scoring candidate (the first of equals, as the search ranks them). */
const winner = (r: SearchRecord): Candidate | undefined =>
  r.candidates.reduce<Candidate | undefined>(
    (b, c) => (b === undefined || c.score > b.score ? c : b),
    undefined,
  );

/** Each winner's genes: its choices as cells, one chart per search, and its numbers overlaid in one chart. */
function winnerCharts(runs: readonly SearchRecord[]): Chart[] {
  const winners = runs.flatMap((r) => {
    const w = winner(r);
    return w ? [{ r, genes: Object.entries(w.genotype) }] : [];
  });
  const choices = winners.flatMap(({ r, genes }): Chart[] => {
    const cells = genes.filter(([, v]) => typeof v === "string");
    if (cells.length === 0) return [];
    return [
      {
        title: `winner of ${label(r)}: choice per block`,
        x: "block",
        y: "choice",
        xDomain: cells.map(([k]) => k),
        series: [{ mark: "cell", name: label(r), points: cells.map(([k, v]) => ({ x: k, y: String(v) })) }],
      },
    ];
  });
  const numeric = winners.map(({ r, genes }) => ({
    r,
    genes: genes.filter(([, v]) => typeof v === "number"),
  }));
  const labels = [...new Set(numeric.flatMap(({ genes }) => genes.map(([k]) => k)))];
  if (labels.length === 0) return choices;
  return [
    ...choices,
    {
      title: "winners' numeric genes (channel scales, widths or bits)",
      x: "gene",
      y: "value",
      xDomain: labels,
      series: numeric.map(({ r, genes }) => ({
        mark: "dot" as const,
        name: `winner of ${label(r)}`,
        points: genes.map(([k, v]) => ({ x: k, y: v as number })),
      })),
    },
  ];
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
      ...winnerCharts(runs),
    ],
  };
}
