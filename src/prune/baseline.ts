// The uniform-width baseline MetaPruning is compared with (Liu et al., ICCV 2019, Table 1-2: the same
// network with every searchable layer at one width multiplier): the widest uniform scale whose pruned
// network fits the limits. Every width floor(base * s) grows with s, so FLOPs and params do too and
// the scale is found by bisection.
import type { ArchInput } from "../arch/family.js";
import type { Arch } from "../arch/schema.js";
import { type PruningSpace, prunedArch, uniformGenotype } from "../arch/spaces/pruning.js";
import { costLimits, describeConstraints } from "../search/constraints.js";
import { pruningProfilers } from "./space.js";

/** Bisection steps: the scale is found to within 2^-40, far below one channel of any layer. */
const STEPS = 40;

export interface UniformBaseline {
  /** The uniform scale every gene's slots are set to. */
  scale: number;
  arch: Arch;
  flops: number;
  params: number;
}

export function uniformBaseline(
  space: PruningSpace,
  input: ArchInput,
  limits: { flops?: number; params?: number },
): UniformBaseline {
  const profilers = pruningProfilers(space, input);
  const { constraints } = costLimits(profilers, limits);
  if (constraints.length === 0) throw new Error("a uniform baseline needs a FLOPs or params limit");
  const fits = (s: number) =>
    constraints.every((c) => c.profiler.measure(uniformGenotype(space, s)) <= c.max);
  let lo = 2 ** -STEPS;
  let hi = 1;
  if (!fits(lo))
    throw new Error(
      `${describeConstraints(constraints)} is impossible in ${space.name}: even one channel per searchable layer exceeds it`,
    );
  if (fits(hi)) lo = hi;
  for (let i = 0; i < STEPS && lo < hi; i++) {
    const mid = (lo + hi) / 2;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  const g = uniformGenotype(space, lo);
  return {
    scale: lo,
    arch: prunedArch(space, g, input),
    flops: profilers.flops.measure(g),
    params: profilers.params.measure(g),
  };
}
