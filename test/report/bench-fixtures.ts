// Tiny bench JSON as the benches write it, for the report tests: a guideline bench's --json output
// (the real tables' rows, made-up times), and bench-spos.json / bench-metapruning.json holding the
// ranking check, the search comparison over seeds and the pruning comparison per budget (issue 19's
// shapes) beside fields the report does not read.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { groupsOf, guidelineTables } from "../../src/latency/guidelines.js";

const json = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);

/** Every table's rows at 1, 1.1, 1.2, ... ms; the first group of each agrees, the others not. */
const GUIDELINES = {
  batch: 1,
  threads: 1,
  machine: { cpu: "test", cores: 2, os: "test", node: "v20" },
  runtimes: [
    {
      runtime: "ort-node",
      version: "1.30.0",
      setup: "test",
      tables: guidelineTables().map((t) => ({
        id: t.id,
        title: t.title,
        paper: t.paper,
        criterion: t.criterion,
        groups: [...groupsOf(t)].map(([group, configs], g) => ({
          group,
          agrees: g === 0,
          rows: configs.map((c, i) => ({
            label: c.label,
            flops: 1e6,
            medianMs: 1 + i / 10,
            p90Ms: 1.2 + i / 10,
            relativeSpeed: 1 / (1 + i / 10),
          })),
        })),
      })),
    },
    { runtime: "ort-web", version: "", skipped: "no Chromium", tables: [] },
  ],
};

const ranking = (proxy: string, n: number) => ({
  proxy,
  epochs: 3,
  architectures: Array.from({ length: n }, (_, i) => ({
    proxy_score: 70 + i,
    standalone_top1: 88 + ((i * 7) % 5) / 2,
    flops: 5e6 + i * 1e5,
  })),
  kendall_tau: 0.52,
  kendall_tau_ci95: [0.31, 0.7],
  bootstrap_resamples: 2000,
});

/** Two seeds of each method, their best after 16, 32 and 48 evaluations. */
const SEARCH_COMPARISON = {
  limit: 6.5e6,
  min_flops: 6e6,
  evaluations: 48,
  runs: [0, 1].flatMap((seed) =>
    (["evolution", "random"] as const).map((method, m) => ({
      seed,
      method,
      best_score: 74 - m + seed / 10,
      best_flops: 6.3e6,
      best_per_evaluations: { "16": 72 - m, "32": 73 - m, "48": 74 - m + seed / 10 },
    })),
  ),
  summary: {
    evolution: { mean: 74.05, sd: 0.07, ci95: [73.9, 74.2] },
    random: { mean: 73.05, sd: 0.07, ci95: [72.9, 73.2] },
    difference: { mean: 1, ci95: [0.8, 1.2], evolution_wins: 2, seeds: 2 },
  },
};

/** Two budgets, three variants of three seeds each. */
const BUDGETS = [1e6, 3e6].map((limit) => ({
  limit,
  variants: Object.fromEntries(
    ["metapruning", "metapruning_distill", "uniform"].map((name, v) => [
      name,
      {
        flops: limit * 0.95,
        params: 2e5,
        test_top1: [0.8 + v / 100, 0.81 + v / 100, 0.82 + v / 100],
        mean: 0.81 + v / 100,
        ci95: [0.79 + v / 100, 0.83 + v / 100],
      },
    ]),
  ),
}));

/** Writes the guideline bench's output as saved from stdout, a bench-spos directory and bench-metapruning.json; returns their paths. */
export function writeBenchFixtures(root: string): {
  guidelines: string;
  sposDir: string;
  metapruning: string;
} {
  const guidelines = join(root, "guidelines.json");
  json(guidelines, GUIDELINES);
  const sposDir = join(root, "bench-spos");
  mkdirSync(sposDir, { recursive: true });
  json(join(sposDir, "bench-spos.json"), {
    options: { out: sposDir },
    supernet: { seconds: 1 },
    ranking: ranking("supernet", 5),
    search_comparison: SEARCH_COMPARISON,
  });
  const metapruning = join(root, "bench-metapruning.json");
  json(metapruning, { options: {}, ranking: ranking("pruningnet", 4), budgets: BUDGETS });
  return { guidelines, sposDir, metapruning };
}
