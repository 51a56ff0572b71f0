// The bench JSON a report reads, each part checked field by field (one-line errors naming the file and
// the field): `lithe bench guidelines --json` (ShuffleNet V2's guideline tables, bench/guidelines.ts),
// and the statistics bench-spos.json and bench-metapruning.json hold (issue 19): the ranking check of
// the supernet or PruningNet, SPOS's evolution against random search over seeds, MetaPruning's variants
// against uniform width per budget. A file holds any of these parts; other fields are left alone.
import { basename } from "node:path";
import { z } from "zod";
import { checkSchema } from "../util/checked-json.js";

const num = z.number().finite();
const interval = z.tuple([num, num]);

const guidelinesSchema = z.object({
  batch: num,
  threads: num,
  runtimes: z.array(
    z.object({
      runtime: z.string(),
      version: z.string(),
      skipped: z.string().optional(),
      tables: z.array(
        z.object({
          id: z.string(),
          title: z.string(),
          paper: z.string(),
          criterion: z.string(),
          groups: z.array(
            z.object({
              group: z.string(),
              agrees: z.boolean(),
              rows: z.array(z.object({ label: z.string(), medianMs: num, relativeSpeed: num })),
            }),
          ),
        }),
      ),
    }),
  ),
});

const rankingSchema = z.object({
  proxy: z.enum(["supernet", "pruningnet"]),
  epochs: num,
  architectures: z.array(z.object({ proxy_score: num, standalone_top1: num, flops: num })),
  kendall_tau: num,
  kendall_tau_ci95: interval,
  bootstrap_resamples: num,
});

const statSchema = z.object({ mean: num, sd: num, ci95: interval });

const searchComparisonSchema = z.object({
  limit: num,
  min_flops: num.optional(),
  evaluations: num,
  runs: z.array(
    z.object({
      seed: num,
      method: z.enum(["evolution", "random"]),
      best_score: num,
      best_flops: num,
      /** Best score after each number of evaluations (keys are the counts). */
      best_per_evaluations: z.record(z.string().regex(/^\d+$/), num),
    }),
  ),
  summary: z.object({
    evolution: statSchema,
    random: statSchema,
    difference: z.object({ mean: num, ci95: interval, evolution_wins: num, seeds: num }),
  }),
});

const budgetsSchema = z.array(
  z.object({
    limit: num,
    variants: z.record(
      z.string(),
      z.object({ flops: num, params: num, test_top1: z.array(num), mean: num, ci95: interval }),
    ),
  }),
);

export type GuidelinesBench = z.output<typeof guidelinesSchema>;
export type RankingCheck = z.output<typeof rankingSchema>;
export type SearchComparison = z.output<typeof searchComparisonSchema>;
export type PruningBudgets = z.output<typeof budgetsSchema>;

export interface BenchRecord {
  kind: "bench";
  name: string;
  guidelines?: GuidelinesBench;
  ranking?: RankingCheck;
  searchComparison?: SearchComparison;
  budgets?: PruningBudgets;
  warnings: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A guideline bench's output: its runtimes with their tables. */
const looksLikeGuidelines = (json: Record<string, unknown>) =>
  Array.isArray(json.runtimes) && "machine" in json && "batch" in json;

/** Whether `json` holds a part of a bench JSON the report reads. */
export const isBenchJson = (json: unknown): boolean =>
  isObject(json) &&
  (looksLikeGuidelines(json) || "ranking" in json || "search_comparison" in json || "budgets" in json);

/** The parts of the bench JSON `json` read from `path`; an Error naming the file when it has none. */
export function readBench(path: string, json: unknown): BenchRecord {
  if (!isObject(json) || !isBenchJson(json))
    throw new Error(
      `${path}: not a bench JSON the report reads (lithe bench guidelines --json, or one with "ranking", "search_comparison" or "budgets")`,
    );
  // Checked within the whole file, so that an error names the field from the top ("ranking.epochs").
  const part = <T>(key: string, schema: z.ZodType<T>, what: string): T =>
    (checkSchema(z.object({ [key]: schema }), json, `${path}: not ${what}`) as Record<string, T>)[key] as T;
  const record: BenchRecord = { kind: "bench", name: basename(path), warnings: [] };
  if (looksLikeGuidelines(json))
    record.guidelines = checkSchema(guidelinesSchema, json, `${path}: not a guideline bench`);
  if ("ranking" in json) record.ranking = part("ranking", rankingSchema, "a bench ranking check");
  if ("search_comparison" in json)
    record.searchComparison = part("search_comparison", searchComparisonSchema, "a bench search comparison");
  if ("budgets" in json) record.budgets = part("budgets", budgetsSchema, "a bench pruning comparison");
  return record;
}
