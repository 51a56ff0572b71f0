// The small interfaces the architecture search is written against (evolution and constraints see an
// Evaluator and Profilers, never tensors). A search space is a list of labelled
// categorical genes; a genotype gives every gene one of its values.
import type { Genotype } from "../arch/genotype.js";

export type { Genotype };

/** One searchable decision, e.g. { label: "block_3", values: ["shuffle3x3", ..., "xception"] }. */
export interface Gene {
  label: string;
  values: readonly (string | number)[];
}

/** What a search explores: a named list of genes (independent, categorical). */
export interface GeneSpace {
  name: string;
  genes: readonly Gene[];
  /**
   * Every gene's values are listed cheapest first and no cost ever falls when one gene moves to a
   * later value (channel widths: FLOPs, params and latency grow with each width). Lets a search find
   * legal architectures under tight limits by repair instead of rejection alone (sampleLegal).
   */
  ordered?: boolean;
}

/** A cost of an architecture computed without building it (FLOPs, params, predicted latency). */
export interface Profiler {
  /** Short name used in logs and messages: "flops", "params", "latency". */
  name: string;
  /** How to print a value: "si" (30.1M) or a unit suffix such as "ms". */
  unit: "si" | "ms";
  measure(g: Genotype): number;
  /** The exact smallest value over the whole space, when cheap to know (lets an impossible limit fail at once). */
  minimum?(): number;
}

/** FLOPs (multiply-adds, the papers' convention) and params of a genotype, counted without building it. */
export interface CostProfilers {
  flops: Profiler;
  params: Profiler;
  /** BitOps (FLOPs x weight bits x input bits), for spaces that choose bit widths. */
  bitops?: Profiler;
}

/** A hard limit: only genotypes with profiler.measure(g) <= max are ever evaluated. */
export interface Constraint {
  profiler: Profiler;
  max: number;
  /**
   * A floor: candidates must cost at least this, so the search spends its budget (the official SPOS
   * search samples FLOPs bins just under the limit for the same reason).
   */
  min?: number;
}

/** Scores a legal genotype; higher is better (top-1 accuracy on the hold-out split for SPOS). */
export interface Evaluator {
  evaluate(g: Genotype): Promise<number>;
  /**
   * Scores a whole generation, in order (a distributed evaluator splits it across ranks); the search
   * calls evaluate one candidate at a time when this is missing.
   */
  evaluateAll?(gs: readonly Genotype[]): Promise<number[]>;
}
