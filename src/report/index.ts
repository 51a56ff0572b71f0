// HTML reports of lithe runs: `writeReport` reads run directories, descriptions, model names, latency
// tables and models, and bench JSON, and writes one self-contained page.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "../util/files.js";
import { benchSections } from "./bench.js";
import type { Section } from "./chart.js";
import { latencyModelSection, latencyTableSection } from "./latency-table.js";
import { modelSection, widthsSection } from "./model-card.js";
import { renderPage } from "./page.js";
import type { BenchRecord } from "./read-bench.js";
import {
  type LatencyModelRecord,
  type LatencyTableRecord,
  type ModelRecord,
  readInput,
  type SearchRecord,
  type TrainingRecord,
} from "./read-runs.js";
import { searchSection } from "./search.js";
import { trainingSection } from "./training.js";

export type { Chart, Section, Series } from "./chart.js";
export { type RunRecord, readInput } from "./read-runs.js";

export interface ReportResult {
  out: string;
  runs: number;
  warnings: string[];
}

/**
 * Reads every input (run directories, description files, registered model names; an error on the
 * first that is none of these, before writing) and writes the page to `out`.
 */
export function writeReport(inputs: readonly string[], out: string): ReportResult {
  const records = inputs.flatMap(readInput);
  const training = records.filter((r): r is TrainingRecord => r.kind === "training");
  const searches = records.filter((r): r is SearchRecord => r.kind === "search");
  const sections: Section[] = [];
  if (training.length) sections.push(trainingSection(training));
  if (searches.length) sections.push(searchSection(searches));
  const models = records.filter((r): r is ModelRecord => r.kind === "model");
  const tables = records.filter((r): r is LatencyTableRecord => r.kind === "latency-table");
  const latencyModels = records.filter((r): r is LatencyModelRecord => r.kind === "latency-model");
  for (const m of models) sections.push(modelSection(m, { tables, models: latencyModels }));
  if (models.length) sections.push(widthsSection(models));
  for (const t of tables) sections.push(latencyTableSection(t));
  for (const m of latencyModels) sections.push(latencyModelSection(m));
  for (const b of records.filter((r): r is BenchRecord => r.kind === "bench"))
    sections.push(...benchSections(b));
  const warnings = records.flatMap((r) => r.warnings);
  mkdirSync(dirname(out), { recursive: true });
  writeFileAtomic(out, renderPage("lithe report", sections, warnings));
  return { out, runs: inputs.length, warnings };
}
