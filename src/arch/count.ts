// The analytic counter: FLOPs (papers' convention), full op count, params, MAC and activation
// memory of an architecture description, per op and in total, without building anything.
import { type CountResult, summarize } from "./cost.js";
import type { Node } from "./plan.js";
import { type Arch, familyDef } from "./schema.js";
import { listOps } from "./walk.js";

/** The layer plan of a validated description. */
export function planOf(arch: Arch): Node {
  return familyDef(arch).decode(arch);
}

export function countArch(arch: Arch): CountResult {
  return summarize(listOps(planOf(arch), { c: arch.inChannels, h: arch.inputSize, w: arch.inputSize }).ops);
}
