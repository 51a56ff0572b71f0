// What the search benchmarks read back from a search directory: its evaluated candidates (search.jsonl,
// in evaluation order), and a few of them spread evenly over their score range for a ranking check.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Candidate } from "../src/search/evolution.js";

export const readCandidates = (dir: string): Candidate[] =>
  readFileSync(join(dir, "search.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Candidate);

/** `n` (>= 2) candidates from the lowest score to the highest, evenly spaced in score rank. */
export function spreadByScore(candidates: readonly Candidate[], n: number): Candidate[] {
  const pool = [...candidates].sort((a, b) => a.score - b.score);
  return Array.from(
    { length: n },
    (_, i) => pool[Math.round((i * (pool.length - 1)) / (n - 1))] as Candidate,
  );
}
