// Classifies each report input into typed records: a training run (lithe train, supernet or PruningNet
// training: run.json + log.jsonl), a search (search.jsonl, and its winner's best.json), a description
// (an arch.json file or a registered model's name), an SPOS latency table, a pruning latency model or
// a bench JSON (read-bench.ts: a bench-*.json file, a directory holding some, or a guideline bench's
// --json output saved under any name); JSONL lines that do not parse are
// skipped and named (file:line) in the record's warnings.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { type Arch, listModels, resolveArch } from "../arch/index.js";
import type { LatencyTable } from "../nas/latency-table.js";
import { loadLatencyTable } from "../nas/latency-table-file.js";
import type { LatencyModel } from "../prune/latency-model.js";
import { loadLatencyModel } from "../prune/latency-model-file.js";
import type { Candidate, SearchState } from "../search/search-state.js";
import { type BenchRecord, isBenchJson, readBench } from "./read-bench.js";

/** The name of a file a bench writes: bench-spos.json, bench-metapruning.json, ... */
const isBenchName = (name: string) => /^bench-.*\.json$/.test(name);

export interface StepLine {
  step: number;
  loss: number;
  top1: number;
  lr: number;
}

export interface EpochLine {
  epoch: number;
  test_top1?: number;
}

export interface TrainingRecord {
  kind: "training";
  name: string;
  /** The description's family from run.json: a zoo family, "spos-supernet", a PruningNet's, ... */
  family: string;
  steps: StepLine[];
  epochs: EpochLine[];
  warnings: string[];
}

export interface SearchRecord {
  kind: "search";
  name: string;
  method: string;
  candidates: Candidate[];
  warnings: string[];
}

export interface ModelRecord {
  kind: "model";
  name: string;
  arch: Arch;
  warnings: string[];
}

export interface LatencyTableRecord {
  kind: "latency-table";
  name: string;
  table: LatencyTable;
  warnings: string[];
}

export interface LatencyModelRecord {
  kind: "latency-model";
  name: string;
  model: LatencyModel;
  warnings: string[];
}

export type RunRecord =
  | TrainingRecord
  | SearchRecord
  | ModelRecord
  | LatencyTableRecord
  | LatencyModelRecord
  | BenchRecord;

/** The parsed lines of a JSONL file; a line that is not JSON is skipped with a warning "file:line". */
function readJsonl<T>(path: string, warnings: string[]): T[] {
  const out: T[] = [];
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        warnings.push(`${path}:${i + 1}: truncated or invalid line skipped`);
      }
    });
  return out;
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (error) {
    throw new Error(`${path}: invalid JSON (${(error as Error).message.replace(/\s+/g, " ")})`);
  }
}

/**
 * The records of `input`: a run directory, a description file, a latency table or model, a bench
 * JSON (or a directory of bench-*.json files), or a registered model's name; an Error naming it when it is none of these.
 */
export function readInput(input: string): RunRecord[] {
  if (listModels().includes(input))
    return [{ kind: "model", name: input, arch: resolveArch(input), warnings: [] }];
  if (existsSync(input) && statSync(input).isFile()) {
    const name = basename(input);
    const json = readJson<Record<string, unknown>>(input);
    if (json !== null && typeof json === "object" && "entries" in json && "constantMs" in json)
      return [{ kind: "latency-table", name, table: loadLatencyTable(input), warnings: [] }];
    if (json !== null && typeof json === "object" && "coefficients" in json && "features" in json)
      return [{ kind: "latency-model", name, model: loadLatencyModel(input), warnings: [] }];
    if (isBenchJson(json) || isBenchName(name)) return [readBench(input, json)];
    try {
      return [{ kind: "model", name, arch: resolveArch(input), warnings: [] }];
    } catch (error) {
      throw new Error(
        `${input}: not a description, latency table or latency model (${(error as Error).message})`,
      );
    }
  }
  return readRun(input);
}

function readRun(dir: string): RunRecord[] {
  if (!existsSync(dir)) throw new Error(`${dir}: not a lithe run directory (no such directory)`);
  const name = basename(dir);
  const warnings: string[] = [];
  if (existsSync(join(dir, "search.jsonl"))) {
    const statePath = join(dir, "search-state.json");
    const method = existsSync(statePath) ? readJson<SearchState>(statePath).method : "search";
    const candidates = readJsonl<Candidate>(join(dir, "search.jsonl"), warnings);
    const best = join(dir, "best.json");
    const search: SearchRecord = { kind: "search", name, method, candidates, warnings };
    if (!existsSync(best)) return [search];
    return [search, { kind: "model", name: `${name} winner`, arch: resolveArch(best), warnings: [] }];
  }
  if (existsSync(join(dir, "run.json")) && existsSync(join(dir, "log.jsonl"))) {
    const run = readJson<{ arch?: { family?: string } }>(join(dir, "run.json"));
    const lines = readJsonl<{ type?: string } & Record<string, unknown>>(join(dir, "log.jsonl"), warnings);
    const training: TrainingRecord = {
      kind: "training",
      name,
      family: run.arch?.family ?? "unknown",
      steps: lines.filter((l) => l.type === "step") as unknown as StepLine[],
      epochs: lines.filter((l) => l.type === "epoch") as unknown as EpochLine[],
      warnings,
    };
    return [training];
  }
  const benches = readdirSync(dir).filter(isBenchName).sort();
  if (benches.length) return benches.map((b) => readBench(join(dir, b), readJson(join(dir, b))));
  throw new Error(`${dir}: not a lithe run (no run.json with log.jsonl, no search.jsonl, no bench-*.json)`);
}
