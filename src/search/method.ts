// The one-shot method interface: what a weight-sharing net trained by path sampling is (SPOS's
// supernet, MetaPruning's PruningNet; src/nas and src/prune plug in here): how it is built and takes a
// path, its genes and cost profilers, its latency predictor, and how a winner is written. The core
// (train-run.ts, search-run.ts) is written against it and never imports a plug-in.
import type { ArchInput, CommonArch } from "../arch/family.js";
import type { Genotype } from "../arch/genotype.js";
import type { Arch } from "../arch/index.js";
import type { Precision } from "../latency/measure.js";
import type { Module, StateDict } from "../nn/index.js";
import type { CostProfilers, GeneSpace, Profiler } from "./types.js";

/** A one-shot network, running the path last set. */
export type PathNet = Module & { setPath(g: Genotype): void };

/** A one-shot net's description: its family, its whole space (so a user's own travels with the run) and input. */
export interface OneShotArch extends CommonArch {
  space: { name: string };
}

/** What a latency predictor (SPOS block table, pruning latency model) was measured for. */
export interface PredictorTarget {
  space: { name: string };
  input: ArchInput;
  runtime: string;
  settings: { precision?: Precision };
}

export interface OneShotMethod<A extends OneShotArch, N extends PathNet> {
  /** The net's name in messages: "supernet", "PruningNet". */
  netName: string;
  /** The command whose runs this method searches, named when a directory is not one of them. */
  trainCommand: string;
  /** The command that builds its latency predictor, named when a latency limit comes without one. */
  predictorCommand: string;
  /** Checks a description read back from a run.json; the error names the field. */
  parseArch(raw: unknown): A;
  build(arch: A): N;
  /** What a path chooses; for "search" the plug-in may drop values that give the same network twice. */
  genes(arch: A, use: "train" | "search"): GeneSpace;
  profilers(arch: A): CostProfilers;
  /** The predictor file at `path`: what it was measured for, and (once the core has checked that) its profiler. */
  loadLatencyPredictor(path: string): { target: PredictorTarget; profiler(): Profiler };
  /** The description and weights of path `g`, once the net runs it with recalibrated BN. */
  winner(net: N, g: Genotype): { arch: Arch; weights: StateDict };
}
