// The fast genotype counter of a SPOS space (NNI-style profiler): walks every (position, choice, scale)
// unit once with walk.ts and prices it with cost.ts, so counting a genotype is the fixed stem/head cost
// plus one table lookup per block. Equals countArch of the full oneshot description exactly (all costs
// are integers far below 2^53, so the order of the sums does not matter).
import { z } from "zod";
import { checkSchema } from "../util/checked-json.js";
import { type Cost, summarize } from "./cost.js";
import { oneshotHead, oneshotStem, oneshotUnit } from "./families/oneshot.js";
import { type ArchInput, commonFields } from "./family.js";
import type { Genotype } from "./genotype.js";
import type { LayerOp, Named, Shape } from "./plan.js";
import { DEFAULT_SCALE, positions, type SposSpace } from "./spaces/spos.js";
import { walk } from "./walk.js";

const METRICS = ["flops", "ops", "params", "mac", "activations"] as const;

/**
 * Cost of a genotype without building or walking a plan; throws on a label it cannot price. `minimum`
 * and `maximum` are the exact extremes of each metric over the whole space (costs add up per block).
 */
export type GenotypeCounter = ((g: Genotype) => Cost) & { readonly minimum: Cost; readonly maximum: Cost };

/** Precomputes the cost tables of `space` for inputs described by `common` (commonFields, with their defaults). */
export function makeGenotypeCounter(space: SposSpace, common: Partial<ArchInput> = {}): GenotypeCounter {
  const a = checkSchema(z.object(commonFields), common, "architecture input");
  const fixedOps: LayerOp[] = [];
  const walkAll = (layers: Named[], x: Shape) =>
    layers.reduce((y, [name, node]) => walk(node, name, y, fixedOps), x);
  let x = walkAll(oneshotStem(space, a), { c: a.inChannels, h: a.inputSize, w: a.inputSize });

  const ps = positions(space);
  const nc = space.choices.length;
  const ns = space.scales.length;
  // table[m][(position * nc + choice) * ns + scale]
  const table = METRICS.map(() => new Float64Array(ps.length * nc * ns));
  for (const p of ps) {
    let next: Shape | undefined;
    space.choices.forEach((choice, c) => {
      space.scales.forEach((scale, s) => {
        const ops: LayerOp[] = [];
        next = walk(oneshotUnit(p, choice, scale), `features.${p.index}`, x, ops);
        const cost = summarize(ops);
        METRICS.forEach((m, i) => {
          (table[i] as Float64Array)[(p.index * nc + c) * ns + s] = cost[m];
        });
      });
    });
    x = next as Shape;
  }
  walkAll(oneshotHead(space, a), x);
  const fixed = summarize(fixedOps);

  const choiceIndex = new Map(space.choices.map((c, i) => [c.label, i]));
  const scaleIndex = new Map(space.scales.map((s, i) => [s, i]));
  const [flops, ops, params, mac, activations] = table as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const extreme = (pick: (a: number, b: number) => number): Cost => {
    const cost = { ...fixed };
    METRICS.forEach((m, i) => {
      const values = table[i] as Float64Array;
      for (const p of ps) {
        const block = values.subarray(p.index * nc * ns, (p.index + 1) * nc * ns);
        cost[m] += block.reduce((a, b) => pick(a, b));
      }
    });
    return cost;
  };
  const count = (g: Genotype): Cost => {
    const cost: Cost = {
      flops: fixed.flops,
      ops: fixed.ops,
      params: fixed.params,
      mac: fixed.mac,
      activations: fixed.activations,
    };
    for (const p of ps) {
      const c = choiceIndex.get(g[p.block] as string);
      const s = scaleIndex.get((g[p.mid] as number | undefined) ?? DEFAULT_SCALE);
      if (c === undefined)
        throw new Error(
          `${space.name}: "${p.block}" is ${JSON.stringify(g[p.block])}, not a block of the space`,
        );
      if (s === undefined)
        throw new Error(
          `${space.name}: "${p.mid}" is ${JSON.stringify(g[p.mid])}, not a channel scale of the space`,
        );
      const i = (p.index * nc + c) * ns + s;
      cost.flops += flops[i] as number;
      cost.ops += ops[i] as number;
      cost.params += params[i] as number;
      cost.mac += mac[i] as number;
      cost.activations += activations[i] as number;
    }
    return cost;
  };
  return Object.assign(count, { minimum: extreme(Math.min), maximum: extreme(Math.max) });
}
