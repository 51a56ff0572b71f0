// The bench sections: ShuffleNet V2's guideline tables (Ma et al., ECCV 2018, Tables 1-4) as grouped
// bars of speed relative to each group's first row, the paper's direction under each; the ranking
// check (a supernet's or PruningNet's scores against standalone training, Kendall tau with its
// bootstrap interval); evolution against random search over seeds (best so far per evaluation count,
// and each method's best with its mean and interval); MetaPruning's variants against uniform width,
// one chart per FLOPs budget (each seed's test top-1, the mean and its interval).
import type { Chart, Section } from "./chart.js";
import type {
  BenchRecord,
  GuidelinesBench,
  PruningBudgets,
  RankingCheck,
  SearchComparison,
} from "./read-bench.js";

const millions = (x: number) => `${+(x / 1e6).toPrecision(3)}M`;
const fixed = (x: number) => +x.toFixed(3);
const ci = ([lo, hi]: readonly [number, number]) => `95% CI ${fixed(lo)} to ${fixed(hi)}`;

/** A guideline row's kind, the same in every group: "1:2 (c1=90, c2=180)" -> "1:2". */
const kindOf = (label: string) => label.replace(/ \(.*\)$/, "");

type GuidelineTable = GuidelinesBench["runtimes"][number]["tables"][number];

/** One bar per row, grouped by the table's groups (a table of one group: its id), coloured by kind. */
function guidelineChart(runtime: string, version: string, t: GuidelineTable): Chart {
  const groupOf = (group: string) => group || t.id;
  const kinds = [...new Set(t.groups.flatMap((gr) => gr.rows.map((row) => kindOf(row.label))))];
  const verdicts = t.groups.map((gr) => `${groupOf(gr.group)} ${gr.agrees ? "agrees" : "does not agree"}`);
  return {
    title: `${t.title} on ${runtime} ${version}`,
    caption: `paper: ${t.paper}; agreeing: ${t.criterion}; measured: ${verdicts.join(", ")}`,
    x: "group",
    y: "speed relative to the group's first row",
    xDomain: t.groups.map((gr) => groupOf(gr.group)),
    groupBars: true,
    series: kinds.map((kind) => ({
      mark: "bar" as const,
      name: kind,
      points: t.groups.flatMap((gr) =>
        gr.rows
          .filter((row) => kindOf(row.label) === kind)
          .map((row) => ({ x: groupOf(gr.group), y: row.relativeSpeed })),
      ),
    })),
  };
}

function guidelinesSection(name: string, g: GuidelinesBench): Section {
  const charts = g.runtimes.flatMap((r) => r.tables.map((t) => guidelineChart(r.runtime, r.version, t)));
  const notes = g.runtimes.flatMap((r) =>
    r.skipped === undefined ? [] : [`${r.runtime} skipped: ${r.skipped}`],
  );
  const title = `Guideline tables: ${name} (batch ${g.batch}, ${g.threads} thread(s))`;
  return notes.length ? { title, notes, charts } : { title, charts };
}

function rankingChart(r: RankingCheck): Chart {
  return {
    title: `${r.proxy} score vs standalone top-1 (${r.epochs} epochs) of ${r.architectures.length} architectures: Kendall tau ${fixed(r.kendall_tau)} (${ci(r.kendall_tau_ci95)}, ${r.bootstrap_resamples} bootstrap resamples)`,
    x: `${r.proxy} score`,
    y: "standalone top-1",
    series: [
      {
        mark: "dot",
        name: "architectures",
        points: r.architectures.map((a) => ({ x: a.proxy_score, y: a.standalone_top1 })),
      },
    ],
  };
}

/** A mean, and its interval, at category `x` (intervals drawn first, means last: on top). */
const intervalOf = (x: string, ci95: readonly [number, number]) => [
  { mark: "interval" as const, name: "95% CI", points: [{ x, y: ci95[0], y2: ci95[1] }] },
];
const meanOf = (x: string, mean: number) => [
  { mark: "dot" as const, name: "mean", points: [{ x, y: mean }] },
];

function searchComparisonCharts(c: SearchComparison): Chart[] {
  const d = c.summary.difference;
  const floor = c.min_flops === undefined ? "" : `, at least ${millions(c.min_flops)}`;
  const methods = ["evolution", "random"] as const;
  return [
    {
      title: `best score so far per evaluation, every seed (FLOPs at most ${millions(c.limit)}${floor}, ${c.evaluations} evaluations)`,
      x: "evaluations",
      y: "best score",
      series: c.runs.map((r) => ({
        mark: "line" as const,
        name: `${r.method} seed ${r.seed}`,
        color: r.method,
        points: Object.entries(r.best_per_evaluations)
          .map(([n, best]) => ({ x: Number(n), y: best }))
          .sort((a, b) => a.x - b.x),
      })),
    },
    {
      title: `best score per seed: evolution - random ${fixed(d.mean)} (${ci(d.ci95)}), evolution ahead on ${d.evolution_wins} of ${d.seeds} seeds`,
      x: "method",
      y: "best score",
      xDomain: [...methods],
      series: [
        ...methods.flatMap((m) => intervalOf(m, c.summary[m].ci95)),
        {
          mark: "dot",
          name: "per seed",
          points: c.runs.map((r) => ({ x: r.method, y: r.best_score })),
        },
        ...methods.flatMap((m) => meanOf(m, c.summary[m].mean)),
      ],
    },
  ];
}

function budgetCharts(budgets: PruningBudgets): Chart[] {
  return budgets.map((b) => {
    const variants = Object.entries(b.variants);
    return {
      title: `test top-1 at most ${millions(b.limit)} FLOPs: each seed, the mean and its 95% CI`,
      caption: variants
        .map(([name, v]) => `${name}: ${millions(v.flops)} FLOPs, ${millions(v.params)} params`)
        .join("; "),
      x: "variant",
      y: "test top-1",
      xDomain: variants.map(([name]) => name),
      series: [
        ...variants.flatMap(([name, v]) => intervalOf(name, v.ci95)),
        {
          mark: "dot" as const,
          name: "per seed",
          points: variants.flatMap(([name, v]) => v.test_top1.map((y) => ({ x: name, y }))),
        },
        ...variants.flatMap(([name, v]) => meanOf(name, v.mean)),
      ],
    };
  });
}

export function benchSections(r: BenchRecord): Section[] {
  const sections: Section[] = [];
  if (r.guidelines) sections.push(guidelinesSection(r.name, r.guidelines));
  const charts = [
    ...(r.ranking ? [rankingChart(r.ranking)] : []),
    ...(r.searchComparison ? searchComparisonCharts(r.searchComparison) : []),
    ...(r.budgets ? budgetCharts(r.budgets) : []),
  ];
  if (charts.length) sections.push({ title: `Bench: ${r.name}`, charts });
  return sections;
}
