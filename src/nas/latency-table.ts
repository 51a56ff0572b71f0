// Latency lookup tables for a SPOS search space on one runtime (SPOS's latency constraint;
// once-for-all's readable keys): every block the space can place, at every input shape it
// meets, is timed once, plus the stem and the head; a genotype's predicted latency is the sum of its
// entries plus a constant fitted on whole networks (what a sum of parts misses: per-call overhead,
// memory traffic between blocks). The table reports its own accuracy on architectures it was not
// fitted on, measured end to end, and keeps each of them (FLOPs, predicted and measured ms).

import { named } from "../arch/blocks.js";
import { countArch, planOf } from "../arch/count.js";
import { oneshotArchOf, oneshotHead, oneshotStem, oneshotUnit } from "../arch/families/oneshot.js";
import type { ArchInput } from "../arch/family.js";
import type { Genotype } from "../arch/genotype.js";
import type { Node, Shape } from "../arch/plan.js";
import { validateArch } from "../arch/schema.js";
import {
  DEFAULT_SCALE,
  midChannels,
  positions,
  randomGenotype,
  type SposSpace,
} from "../arch/spaces/spos.js";
import { outputShape } from "../arch/walk.js";
import {
  type Accuracy,
  type MeasureSettings,
  measuredOn,
  type Provenance,
  predictionAccuracy,
  timePlan,
} from "../latency/measure.js";
import type { Runtime } from "../latency/types.js";
import type { Profiler } from "../search/types.js";
import { Random } from "../util/random.js";

export interface LatencyTable extends Provenance {
  version: 1;
  space: SposSpace;
  input: ArchInput;
  /** Median milliseconds by key, e.g. "shuffle5x5-in:64-out:160-mid:80-hw:28-stride:2". */
  entries: Record<string, number>;
  /** Whole network minus the sum of its entries, averaged over the calibration architectures. */
  constantMs: number;
  /** Prediction against end-to-end measurement on architectures not used for the constant. */
  accuracy: Accuracy;
  /** Those architectures one by one, identified by their FLOPs (absent in tables written before). */
  checks?: CheckedArch[];
}

/** One architecture the prediction was checked on. */
export interface CheckedArch {
  flops: number;
  predictedMs: number;
  measuredMs: number;
}

/** One thing to time: a key, its plan and the shape it receives. */
export interface TableEntry {
  key: string;
  plan: Node;
  input: Shape;
}

/** Spatial size: inputs are square (commonFields.inputSize). */
const hw = (s: Shape) => `${s.h}`;

/** The stem, each position's input, and the head's input for this space and input size. */
type Layout = ReturnType<typeof layout>;

function layout(space: SposSpace, input: ArchInput) {
  const stem = named(oneshotStem(space, input));
  const image: Shape = { c: input.inChannels, h: input.inputSize, w: input.inputSize };
  let x = outputShape(stem, image);
  const blocks = positions(space).map((p) => {
    const at = x;
    x = outputShape(oneshotUnit(p, space.choices[0] as SposSpace["choices"][0], DEFAULT_SCALE), x);
    return { p, input: at };
  });
  const head = named(oneshotHead(space, input));
  return {
    stem,
    image,
    stemKey: `stem-in:${input.inChannels}-hw:${hw(image)}`,
    blocks,
    head,
    headInput: x,
    headKey: `head-in:${x.c}-hw:${hw(x)}-classes:${input.classes}`,
  };
}

/** The key of a `label` block from `inp` to `out` channels with mid width `mid` on input `x`. */
export function blockKey(
  label: string,
  inp: number,
  out: number,
  mid: number,
  x: Shape,
  stride: number,
): string {
  return `${label}-in:${inp}-out:${out}-mid:${mid}-hw:${hw(x)}-stride:${stride}`;
}

/** Every distinct thing a genotype of `space` runs, keyed; blocks with equal keys are timed once. */
export function tableEntries(space: SposSpace, input: ArchInput): TableEntry[] {
  const l = layout(space, input);
  const entries = new Map<string, TableEntry>();
  entries.set(l.stemKey, { key: l.stemKey, plan: l.stem, input: l.image });
  for (const { p, input: x } of l.blocks) {
    for (const choice of space.choices) {
      for (const scale of space.scales) {
        const key = blockKey(choice.label, p.inp, p.out, midChannels(p.out, scale), x, p.stride);
        if (!entries.has(key)) entries.set(key, { key, plan: oneshotUnit(p, choice, scale), input: x });
      }
    }
  }
  entries.set(l.headKey, { key: l.headKey, plan: l.head, input: l.headInput });
  return [...entries.values()];
}

/** The keys a genotype's latency is the sum of. */
function keysOf(l: Layout, g: Genotype): string[] {
  const keys = l.blocks.map(({ p, input: x }) => {
    const scale = (g[p.mid] as number | undefined) ?? DEFAULT_SCALE;
    return blockKey(g[p.block] as string, p.inp, p.out, midChannels(p.out, scale), x, p.stride);
  });
  return [l.stemKey, ...keys, l.headKey];
}

export interface BuildOptions extends MeasureSettings {
  /** Architectures measured end to end to fit the constant, and to check the prediction. */
  calibrate: number;
  check: number;
  seed: number;
  onProgress?: (done: number, total: number, what: string) => void;
}

/** Times every entry of `space` on `runtime`, fits the constant, and measures the prediction's accuracy. */
export async function buildLatencyTable(
  space: SposSpace,
  input: ArchInput,
  runtime: Runtime,
  o: BuildOptions,
): Promise<LatencyTable> {
  const provenance = await measuredOn(runtime, o);
  const { settings } = provenance;
  const list = tableEntries(space, input);
  const total = list.length + o.calibrate + o.check;
  let done = 0;
  const entries: Record<string, number> = {};
  for (const e of list) {
    entries[e.key] = await timePlan(runtime, e.plan, e.input, settings);
    o.onProgress?.(++done, total, e.key);
  }
  const random = new Random(o.seed);
  const shapes = layout(space, input);
  const image: Shape = { c: input.inChannels, h: input.inputSize, w: input.inputSize };
  const whole = async (what: string) => {
    const g = randomGenotype(space, random);
    const arch = validateArch(oneshotArchOf(space, input, g));
    const ms = await timePlan(runtime, planOf(arch), image, settings);
    o.onProgress?.(++done, total, what);
    const sum = keysOf(shapes, g).reduce((s, k) => s + (entries[k] as number), 0);
    return { sum, ms, flops: countArch(arch).flops };
  };
  const calibration = [];
  for (let i = 0; i < o.calibrate; i++) calibration.push(await whole("calibration"));
  const constantMs = calibration.reduce((s, c) => s + (c.ms - c.sum), 0) / Math.max(1, calibration.length);
  const measured = [];
  for (let i = 0; i < o.check; i++) measured.push(await whole("check"));
  const checks = measured.map((c) => ({ flops: c.flops, predictedMs: c.sum + constantMs, measuredMs: c.ms }));
  return {
    version: 1,
    space,
    input,
    ...provenance,
    entries,
    constantMs,
    accuracy: predictionAccuracy(
      checks.map((c) => c.predictedMs),
      checks.map((c) => c.measuredMs),
    ),
    checks,
  };
}

/** A genotype's predicted ms part by part: "stem", each block by its label ("block_1", ...), "head". */
export type PartPricer = (g: Genotype) => { part: string; ms: number }[];

/** The ms of an entry of `table`; an Error naming a key the table does not have. */
const pricer =
  ({ entries }: LatencyTable) =>
  (key: string): number => {
    const ms = entries[key];
    if (ms === undefined)
      throw new Error(`latency table: no entry "${key}" (was it built for this space and input?)`);
    return ms;
  };

export function latencyParts(table: LatencyTable): PartPricer {
  const l = layout(table.space, table.input);
  const price = pricer(table);
  const names = ["stem", ...l.blocks.map(({ p }) => p.block), "head"];
  return (g) => keysOf(l, g).map((key, i) => ({ part: names[i] as string, ms: price(key) }));
}

/** The table as a search constraint: predicted milliseconds of a genotype, with the exact minimum. */
export function latencyProfiler(table: LatencyTable): Profiler {
  const { space, input } = table;
  const price = pricer(table);
  const parts = latencyParts(table);
  const l = layout(space, input);
  const fixed = table.constantMs + price(l.stemKey) + price(l.headKey);
  const minimum =
    fixed +
    l.blocks.reduce((s, { p, input: x }) => {
      const options = space.choices.flatMap((c) =>
        space.scales.map((scale) =>
          price(blockKey(c.label, p.inp, p.out, midChannels(p.out, scale), x, p.stride)),
        ),
      );
      return s + Math.min(...options);
    }, 0);
  return {
    name: "latency",
    unit: "ms",
    measure: (g) => parts(g).reduce((s, p) => s + p.ms, 0) + table.constantMs,
    minimum: () => minimum,
  };
}
