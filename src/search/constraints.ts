// Hard constraints for the search (SPOS, Guo et al. ECCV 2020, Sec. 3.4: only architectures within the
// FLOPs/latency budget are ever evaluated) and a check that fails at once when no architecture can meet them.
import { option, optionError } from "../util/option-error.js";
import type { Random } from "../util/random.js";
import { cheapestGenotype, sampleGenotype } from "./genes.js";
import type { Constraint, CostProfilers, GeneSpace, Genotype, Profiler } from "./types.js";

export interface Violation {
  name: string;
  value: number;
  max: number;
  min?: number;
}

/** Whether `value` is within constraint c: at most its limit and at least its floor. */
const within = (c: Constraint, value: number) => value <= c.max && !(value < (c.min ?? -Infinity));

/** A value as printed in messages: 30M, 1.2M, 850k for "si"; 8ms for "ms" (3 significant digits). */
export function formatCost(value: number, unit: Profiler["unit"]): string {
  const round = (x: number) => Number(x.toPrecision(3));
  if (unit === "ms") return `${round(value)}ms`;
  const scales: [number, string][] = [
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  const [scale, suffix] = scales.find(([s]) => Math.abs(value) >= s) ?? [1, ""];
  return `${round(value / scale)}${suffix}`;
}

const unitOf = (constraints: readonly Constraint[], name: string) =>
  (constraints.find((c) => c.profiler.name === name) as Constraint).profiler.unit;

/** Every constraint g breaks, with its value and limit (empty if g is legal). */
export function violations(g: Genotype, constraints: readonly Constraint[]): Violation[] {
  return constraints
    .map((c) => ({ c, value: c.profiler.measure(g) }))
    .filter(({ c, value }) => !within(c, value))
    .map(({ c, value }) => ({
      name: c.profiler.name,
      value,
      max: c.max,
      ...(c.min === undefined ? {} : { min: c.min }),
    }));
}

export function isLegal(g: Genotype, constraints: readonly Constraint[]): boolean {
  return constraints.every((c) => within(c, c.profiler.measure(g)));
}

/** "flops <= 30M, 1.1G <= bitops <= 1.2G" ("no constraints" for none). */
export function describeConstraints(constraints: readonly Constraint[]): string {
  if (constraints.length === 0) return "no constraints";
  return constraints
    .map((c) => {
      const floor = c.min === undefined ? "" : `${formatCost(c.min, c.profiler.unit)} <= `;
      return `${floor}${c.profiler.name} <= ${formatCost(c.max, c.profiler.unit)}`;
    })
    .join(", ");
}

/**
 * Throws a one-line error if the constraints are impossible in the space: exactly when a profiler knows
 * its minimum or the space is ordered (then its cheapest architecture decides), otherwise when none of
 * `tries` uniform draws (from `random`, not the search's) is legal.
 */
export function checkFeasible(
  space: GeneSpace,
  constraints: readonly Constraint[],
  random: Random,
  tries = 100000,
): void {
  for (const c of constraints) {
    if (c.min !== undefined && !(c.min <= c.max))
      throw new Error(`${describeConstraints([c])} is impossible: the floor is above the limit`);
    const minimum = c.profiler.minimum?.();
    if (minimum !== undefined && minimum > c.max) {
      throw new Error(
        `${describeConstraints([c])} is impossible in ${space.name}: its smallest architecture has ` +
          formatCost(minimum, c.profiler.unit),
      );
    }
  }
  if (constraints.length === 0) return;
  // The cheapest architecture decides only without floors (with one, it may be too cheap).
  if (space.ordered && constraints.every((c) => c.min === undefined)) {
    const broken = violations(cheapestGenotype(space), constraints)[0];
    if (!broken) return;
    throw new Error(
      `${broken.name} <= ${formatCost(broken.max, unitOf(constraints, broken.name))} is impossible in ${space.name}: its cheapest architecture has ${formatCost(broken.value, unitOf(constraints, broken.name))}`,
    );
  }
  for (let i = 0; i < tries; i++) if (isLegal(sampleGenotype(space, random), constraints)) return;
  throw new Error(
    `no architecture in ${space.name} meets ${describeConstraints(constraints)} (none in ${tries} random draws)`,
  );
}

/** Hard limits of a search in the units of its profilers: multiply-adds, parameters, milliseconds. */
export interface CostLimits {
  flops?: number;
  params?: number;
  latency?: number;
  /** BitOps: only for spaces that choose bit widths. */
  bitops?: number;
  /** Floors of the FLOPs, params and BitOps (Constraint.min); each needs its limit. */
  min?: Pick<CostLimits, "flops" | "params" | "bitops">;
}

/**
 * FLOPs, params and BitOps limits as constraints, followed by `more` (e.g. latency); the profilers
 * without a limit are reported instead. A BitOps limit needs a space that chooses bit widths.
 */
export function costLimits(
  profilers: CostProfilers,
  limits: Pick<CostLimits, "flops" | "params" | "bitops" | "min">,
  more: readonly Constraint[] = [],
): { constraints: Constraint[]; report: Profiler[] } {
  const constraints: Constraint[] = [];
  const limit = (name: "flops" | "params" | "bitops", profiler: Profiler) => {
    const max = limits[name];
    const min = limits.min?.[name];
    if (max === undefined) {
      if (min !== undefined)
        throw optionError`a floor (${option(`limits.min.${name}`)}) needs its limit (${option(`limits.${name}`)})`;
      return;
    }
    constraints.push({ profiler, max, ...(min === undefined ? {} : { min }) });
  };
  limit("flops", profilers.flops);
  limit("params", profilers.params);
  if (limits.bitops !== undefined && !profilers.bitops)
    throw optionError`a BitOps limit (${option("limits.bitops")}) needs a space that chooses bit widths (a quantization space)`;
  if (profilers.bitops) limit("bitops", profilers.bitops);
  constraints.push(...more);
  const all = [profilers.flops, profilers.params, ...(profilers.bitops ? [profilers.bitops] : [])];
  const report = all.filter((p) => !constraints.some((c) => c.profiler === p));
  return { constraints, report };
}
