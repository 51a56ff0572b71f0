// ShuffleNet V2's guideline micro-benchmarks (src/latency/guidelines.ts) measured on a runtime: per
// table and group, each configuration's median and p90, its speed relative to the group's first row
// (the paper's baseline: above 1 is faster), and whether the measured direction agrees with the
// paper's. Unavailable runtimes are skipped with the reason.
import { availableParallelism } from "node:os";
import { summarize } from "../src/arch/cost.js";
import { listOps } from "../src/arch/walk.js";
import {
  type GuidelineId,
  type GuidelineTable,
  groupsOf,
  guidelineTables,
} from "../src/latency/guidelines.js";
import { type MachineInfo, machineInfo, measureLatency } from "../src/latency/harness.js";
import { runtimeByName } from "../src/latency/runtimes/index.js";
import type { RuntimeName } from "../src/latency/types.js";

export interface GuidelinesBenchOptions {
  runtimes: readonly RuntimeName[];
  tables: readonly GuidelineId[];
  batch: number;
  threads?: number;
  warmup: number;
  repeats: number;
  progress?: (line: string) => void;
}

export interface GuidelineRowResult {
  label: string;
  /** FLOPs (multiply-adds) per image, from the analytic counter. */
  flops: number;
  medianMs: number;
  p90Ms: number;
  /** Group baseline's median / this median (above 1: faster than the baseline). */
  relativeSpeed: number;
}

export interface GuidelineTableResult {
  id: GuidelineId;
  title: string;
  paper: string;
  criterion: string;
  groups: { group: string; rows: GuidelineRowResult[]; agrees: boolean }[];
}

export interface GuidelinesRuntimeResult {
  runtime: RuntimeName;
  version: string;
  skipped?: string;
  setup?: string;
  tables: GuidelineTableResult[];
}

export interface GuidelinesBench {
  batch: number;
  threads: number;
  machine: MachineInfo;
  runtimes: GuidelinesRuntimeResult[];
}

async function measureTable(
  t: GuidelineTable,
  name: RuntimeName,
  o: GuidelinesBenchOptions & { threads: number },
  setups: Set<string>,
): Promise<GuidelineTableResult> {
  const runtime = runtimeByName(name);
  const groups: GuidelineTableResult["groups"] = [];
  for (const [group, configs] of groupsOf(t)) {
    const rows: GuidelineRowResult[] = [];
    for (const c of configs) {
      const runner = await runtime.prepare(c.plan, c.input, { batch: o.batch, threads: o.threads });
      try {
        setups.add(runner.setup);
        const s = await measureLatency(runner, { warmup: o.warmup, repeats: o.repeats });
        const flops = summarize(listOps(c.plan, c.input).ops).flops;
        const base = rows[0]?.medianMs ?? s.medianMs;
        rows.push({
          label: c.label,
          flops,
          medianMs: s.medianMs,
          p90Ms: s.p90Ms,
          relativeSpeed: base / s.medianMs,
        });
        o.progress?.(`${name} ${t.id} ${group ? `${group} ` : ""}${c.label}: ${s.medianMs.toFixed(2)} ms`);
      } finally {
        await runner.close();
      }
    }
    groups.push({ group, rows, agrees: t.agrees(rows.map((r) => r.medianMs)) });
  }
  return { id: t.id, title: t.title, paper: t.paper, criterion: t.criterion, groups };
}

export async function runGuidelinesBench(o: GuidelinesBenchOptions): Promise<GuidelinesBench> {
  const threads = o.threads ?? availableParallelism();
  const tables = guidelineTables().filter((t) => o.tables.includes(t.id));
  const runtimes: GuidelinesRuntimeResult[] = [];
  for (const name of o.runtimes) {
    const runtime = runtimeByName(name);
    const skipped = await runtime.unavailable();
    if (skipped) {
      runtimes.push({ runtime: name, version: "", skipped, tables: [] });
      o.progress?.(`${name}: skipped (${skipped})`);
      continue;
    }
    const setups = new Set<string>();
    const results: GuidelineTableResult[] = [];
    for (const t of tables) results.push(await measureTable(t, name, { ...o, threads }, setups));
    runtimes.push({
      runtime: name,
      version: await runtime.version(),
      setup: [...setups].join("; "),
      tables: results,
    });
  }
  return { batch: o.batch, threads, machine: machineInfo(), runtimes };
}

export function formatGuidelinesBench(r: GuidelinesBench): string {
  const m = r.machine;
  const lines = [`machine  ${m.cpu}, ${m.cores} cores, ${m.os}, Node ${m.node}; batch ${r.batch}`];
  for (const rt of r.runtimes) {
    lines.push("");
    if (rt.skipped) {
      lines.push(`${rt.runtime}: skipped (${rt.skipped})`);
      continue;
    }
    lines.push(`== ${rt.runtime}: ${rt.version}; ${rt.setup}`);
    for (const t of rt.tables) {
      lines.push("", t.title, `  paper:    ${t.paper}`, `  agreeing: ${t.criterion}`);
      for (const g of t.groups) {
        const head = g.group ? `  ${g.group}` : "";
        if (head) lines.push(head);
        lines.push(
          `    ${"configuration".padEnd(34)} ${"MFLOPs".padStart(7)} ${"median ms".padStart(10)} ${"p90 ms".padStart(9)} ${"rel. speed".padStart(10)}`,
        );
        for (const row of g.rows) {
          lines.push(
            `    ${row.label.padEnd(34)} ${(row.flops / 1e6).toFixed(0).padStart(7)} ${row.medianMs.toFixed(2).padStart(10)} ${row.p90Ms.toFixed(2).padStart(9)} ${row.relativeSpeed.toFixed(2).padStart(10)}`,
          );
        }
        lines.push(`    -> ${g.agrees ? "agrees with the paper" : "does not agree with the paper"}`);
      }
    }
  }
  return lines.join("\n");
}
