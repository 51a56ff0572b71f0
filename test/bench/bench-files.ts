// Reading back what a bench dry run leaves in its --out folder (JSON lines, the training runs' own
// summaries) and the checks both bench tests make on its figures (fractions, timings, Kendall tau).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Candidate } from "../../src/search/evolution.js";
import { kendallTau } from "../../src/search/ranking.js";

export const readJson = <T = Record<string, unknown>>(path: string): T =>
  JSON.parse(readFileSync(path, "utf8")) as T;

export const readJsonl = <T>(path: string): T[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as T);

/** A search directory's evaluated candidates (search.jsonl), in evaluation order. */
export const searchCandidates = (dir: string): Candidate[] => readJsonl<Candidate>(join(dir, "search.jsonl"));

export interface LogLine {
  type: "step" | "epoch" | "summary";
  step: number;
  train_top1?: number;
  seconds?: number;
  trainTop1?: number;
  test?: { top1: number } | null;
}

/** The lines of a training run's log.jsonl of one type. */
export const logLines = (run: string, type: LogLine["type"]): LogLine[] =>
  readJsonl<LogLine>(join(run, "log.jsonl")).filter((l) => l.type === type);

/** The test top-1 a finished training run logged in its summary (every summary, if resumed, agrees). */
export function loggedTestTop1(run: string): number {
  const tops = logLines(run, "summary").map((l) => l.test?.top1);
  assert.ok(tops.length >= 1, `${run}: no summary line in log.jsonl`);
  assert.ok(
    tops.every((t) => t === tops[0]),
    `${run}: summaries disagree: ${tops.join(", ")}`,
  );
  return tops[0] as number;
}

export function assertFraction(x: unknown, what: string): void {
  assert.ok(typeof x === "number" && x >= 0 && x <= 1, `${what}: ${x} is not an accuracy in [0, 1]`);
}

/** Timings are only checked to be positive and finite. */
export function assertSeconds(x: unknown, what: string): void {
  assert.ok(typeof x === "number" && Number.isFinite(x) && x > 0, `${what}: ${x} is not a positive time`);
}

/** The first candidate with the highest score: the winner (the search's top-k sort is stable). */
export const bestOf = (cs: readonly Candidate[]): Candidate =>
  cs.reduce((best, c) => (c.score > best.score ? c : best));

/** The running best score after each evaluation. */
export const runningBest = (cs: readonly Candidate[]): number[] =>
  cs.map((_, i) => Math.max(...cs.slice(0, i + 1).map((c) => c.score)));

/**
 * The two candidates a ranking check of 2 picks: the lowest score (first of equals in evaluation
 * order) and the highest (last of equals), i.e. the ends of a stable ascending sort.
 */
export const scoreEnds = (cs: readonly Candidate[]): [Candidate, Candidate] => [
  cs.reduce((lo, c) => (c.score < lo.score ? c : lo)),
  cs.reduce((hi, c) => (c.score >= hi.score ? c : hi)),
];

/**
 * Kendall tau as written to JSON: kendallTau recomputed from the pairs, null where it is NaN (one side
 * constant, as in a dry run whose 1-epoch nets all predict one class), else in [-1, 1].
 */
export function assertTau(written: unknown, a: readonly number[], b: readonly number[]): void {
  const tau = kendallTau(a, b);
  assert.equal(written, Number.isNaN(tau) ? null : tau, `kendall_tau of ${a} against ${b}`);
  if (written !== null) assert.ok(Math.abs(written as number) <= 1, `kendall_tau ${written}`);
}
