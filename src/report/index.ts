// HTML reports of lithe runs: `writeReport` reads run directories and writes one self-contained page.
import { writeFileAtomic } from "../util/files.js";
import type { Section } from "./chart.js";
import { renderPage } from "./page.js";
import { readRun, type SearchRecord, type TrainingRecord } from "./read-runs.js";
import { searchSection } from "./search.js";
import { trainingSection } from "./training.js";

export type { Chart, Section, Series } from "./chart.js";
export { type RunRecord, readRun } from "./read-runs.js";

export interface ReportResult {
  out: string;
  runs: number;
  warnings: string[];
}

/** Reads every run in `dirs` (an error on the first that is not a lithe run, before writing) and writes `out`. */
export function writeReport(dirs: readonly string[], out: string): ReportResult {
  const records = dirs.map(readRun);
  const training = records.filter((r): r is TrainingRecord => r.kind === "training");
  const searches = records.filter((r): r is SearchRecord => r.kind === "search");
  const sections: Section[] = [];
  if (training.length) sections.push(trainingSection(training));
  if (searches.length) sections.push(searchSection(searches));
  const warnings = records.flatMap((r) => r.warnings);
  writeFileAtomic(out, renderPage("lithe report", sections, warnings));
  return { out, runs: records.length, warnings };
}
