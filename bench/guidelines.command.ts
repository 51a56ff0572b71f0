// `lithe bench guidelines`: the declaration of bench/guidelines.ts's subcommand (flags, run, printed
// tables).
import { InvalidArgumentError } from "commander";
import { nonNegativeInt, positiveInt, runtimeList } from "../src/cli/args.js";
import { GUIDELINE_IDS, type GuidelineId } from "../src/latency/guidelines.js";
import type { RuntimeName } from "../src/latency/types.js";
import { type BenchCommand, progress } from "./command.js";

interface GuidelinesFlags {
  runtime: RuntimeName[];
  tables: GuidelineId[];
  batch: number;
  threads?: number;
  warmup: number;
  repeats: number;
  json?: boolean;
}

/** "G1,G3" or "all" -> guideline table ids. */
function tableList(value: string): GuidelineId[] {
  if (value === "all") return [...GUIDELINE_IDS];
  const ids = value.split(",").map((s) => s.trim().toUpperCase());
  const bad = ids.find((id) => !(GUIDELINE_IDS as readonly string[]).includes(id));
  if (bad !== undefined)
    throw new InvalidArgumentError(`unknown table "${bad}" (use ${GUIDELINE_IDS.join(", ")} or all)`);
  return ids as GuidelineId[];
}

export const guidelinesCommand: BenchCommand<GuidelinesFlags> = {
  name: "guidelines",
  description:
    "ShuffleNet V2's four guideline micro-benchmarks (Tables 1-4: c1:c2 ratio, groups, fragmentation, element-wise ops) on a runtime, beside the paper's direction",
  flags: [
    {
      flags: "--runtime <names>",
      help: "ort-node, ort-web, lithe, a comma list, or all",
      parse: runtimeList,
      default: ["ort-node"],
    },
    {
      flags: "--tables <ids>",
      help: "G1,G2,G3,G4 or a subset",
      parse: tableList,
      default: [...GUIDELINE_IDS],
    },
    { flags: "--batch <n>", help: "batch size", parse: positiveInt, default: 1 },
    { flags: "--threads <n>", help: "intra-op threads (default: one per core)", parse: positiveInt },
    { flags: "--warmup <n>", help: "untimed runs per configuration", parse: nonNegativeInt, default: 3 },
    { flags: "--repeats <n>", help: "timed runs per configuration", parse: positiveInt, default: 15 },
    { flags: "--json", help: "print one JSON object" },
  ],
  async run(o) {
    const { formatGuidelinesBench, runGuidelinesBench } = await import("./guidelines.js");
    const r = await runGuidelinesBench({
      runtimes: o.runtime,
      tables: o.tables,
      batch: o.batch,
      warmup: o.warmup,
      repeats: o.repeats,
      progress,
      ...(o.threads === undefined ? {} : { threads: o.threads }),
    });
    return o.json ? JSON.stringify(r) : formatGuidelinesBench(r);
  },
};
