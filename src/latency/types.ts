// What latency measurement is written against: a Runtime prepares a layer plan (a whole network, one
// search-space block, or a guideline micro-benchmark; src/arch/plan.ts) for a fixed input, and the
// harness times the prepared runner. Runtimes: lithe itself (eval mode, BN folded), onnxruntime-node,
// and onnxruntime-web (WASM) in headless Chromium.
import type { Node, Shape } from "../arch/plan.js";
import type { Tensor } from "../engine/index.js";

export type RuntimeName = "lithe" | "ort-node" | "ort-web";

/** The runtimes by name: the one list every flag, file schema and lookup takes them from. */
export const RUNTIME_NAMES: readonly RuntimeName[] = ["lithe", "ort-node", "ort-web"];

export const isRuntimeName = (name: string): name is RuntimeName =>
  (RUNTIME_NAMES as readonly string[]).includes(name);

export interface PrepareOptions {
  /** Images per inference. */
  batch: number;
  /** Intra-op threads of the runtime. */
  threads: number;
  /** Weights by plan name; missing: freshly initialised (seeded), which does not change latency. */
  weights?: ReadonlyMap<string, Tensor>;
  /**
   * Run the int8 QDQ form (src/export/qdq.ts), calibrated on the runner's own input: the ONNX Runtime
   * runtimes only (their integer kernels); lithe refuses it.
   */
  int8?: boolean;
}

/** A model loaded in a runtime with its input allocated: run() is one timed inference. */
export interface Runner {
  run(): Promise<void>;
  close(): Promise<void>;
}

export interface Runtime {
  name: RuntimeName;
  /** null when the runtime can run here, else a one-line reason (e.g. how to install Chromium). */
  unavailable(): Promise<string | null>;
  /** Loads `plan` on inputs of shape [batch, input.c, input.h, input.w]. */
  prepare(plan: Node, input: Shape, o: PrepareOptions): Promise<Runner>;
  /** Runtime version (e.g. onnxruntime 1.30.0, libtorch 1.13.0). */
  version(): Promise<string>;
}

export interface LatencyStats {
  medianMs: number;
  p90Ms: number;
  meanMs: number;
  minMs: number;
  warmup: number;
  repeats: number;
}
