// A latency model of a pruning space on one runtime, so MetaPruning (Liu et al., ICCV 2019) can search
// under a latency limit. The paper sums per-layer times from a lookup table; that does not scale here
// (a MobileNetV2 space has ~30k distinct conv shapes). But width pruning never changes a network's op
// graph, only its widths, so latency is a smooth function of the per-layer work: a linear model with
// non-negative coefficients over a few features of the analytic op list (src/arch/cost.ts), which
// separate what ShuffleNet V2's guidelines (Ma et al., ECCV 2018, Sec. 2) show FLOPs alone misses:
// depthwise convs cost far more per multiply-add than dense 1x1 ones, and memory traffic counts.
// It is fitted on whole pruned networks measured end to end (the smallest, the largest and random
// encodings) and checked on other random ones, as the SPOS table's constant is (src/nas/latency-table.ts).
import { opCost } from "../arch/cost.js";
import { planOf } from "../arch/count.js";
import type { ArchInput } from "../arch/family.js";
import type { LayerOp, Node, Shape } from "../arch/plan.js";
import { type PruningSpace, prunedArch, uniformGenotype } from "../arch/spaces/pruning.js";
import { listOps } from "../arch/walk.js";
import {
  type Accuracy,
  type MeasureSettings,
  measuredOn,
  type Provenance,
  predictionAccuracy,
  timePlan,
} from "../latency/measure.js";
import { nnls } from "../latency/nnls.js";
import type { Runtime } from "../latency/types.js";
import { sampleGenotype } from "../search/genes.js";
import type { Genotype, Profiler } from "../search/types.js";
import { Random } from "../util/random.js";
import { pruningGenes } from "./space.js";

/**
 * The features, in millions (mflops: multiply-adds; m: elements) or thousands (k):
 * - constant: 1 (per-inference and per-op overheads: every encoding runs the same ops);
 * - pointwise_mflops: dense 1x1 convs (GEMMs, the fastest per multiply-add);
 * - depthwise_mflops: depthwise convs (memory-bound, slow per multiply-add);
 * - other_mflops: every other conv (k x k dense, grouped) and the linear layers;
 * - mac_m: memory traffic, elements read and written by every op (cost.ts `mac`);
 * - elementwise_m: elements written by the ops that are not convs or linear (BN, activations, adds, pools);
 * - depthwise_kchannels: channels of depthwise convs, for runtimes that pay per channel (onnxruntime's
 *   generic conv runs one small GEMM per group: ~0.2 us a channel, onnxruntime 1.30, one AMD EPYC thread).
 * Each grows with every width.
 */
export const LATENCY_FEATURES = [
  "constant",
  "pointwise_mflops",
  "depthwise_mflops",
  "other_mflops",
  "mac_m",
  "elementwise_m",
  "depthwise_kchannels",
] as const;

/** What one op adds to each feature but the constant, in ops and elements (see UNITS). */
function opWork(o: LayerOp): number[] {
  const cost = opCost(o);
  const { k, groups } = o.attrs;
  let [pointwise, depthwise, other, elementwise, channels] = [0, 0, 0, 0, 0];
  if (o.op === "conv" && k === 1 && groups === 1) pointwise = cost.flops;
  else if (o.op === "conv" && (groups as number) > 1 && groups === o.inputs[0].c) {
    depthwise = cost.flops;
    channels = groups as number;
  } else if (o.op === "conv" || o.op === "linear") other = cost.flops;
  else elementwise = cost.activations;
  return [pointwise, depthwise, other, cost.mac, elementwise, channels];
}

/** The unit of each feature but the constant: millions, and thousands of channels. */
const UNITS = [1e6, 1e6, 1e6, 1e6, 1e6, 1e3];
const inUnits = (work: readonly number[]) => work.map((v, i) => v / (UNITS[i] as number));

/** The features of one op, in the order of LATENCY_FEATURES (the constant 0: a network pays it once). */
export const opLatencyFeatures = (o: LayerOp): number[] => [0, ...inUnits(opWork(o))];

/** The features of `plan` on input `input`, in the order of LATENCY_FEATURES: its ops' summed. */
export function latencyFeatures(plan: Node, input: Shape): number[] {
  const work = listOps(plan, input).ops.reduce(
    (sum, o) => opWork(o).map((v, i) => (sum[i] as number) + v),
    [0, 0, 0, 0, 0, 0],
  );
  return [1, ...inUnits(work)];
}

export interface Measured {
  encoding: Genotype;
  /** Median end-to-end latency. */
  ms: number;
}

export interface LatencyModel extends Provenance {
  version: 1;
  /** The space (whole, so a user's own space travels with the model) and input it was built for. */
  space: PruningSpace;
  input: ArchInput;
  /** LATENCY_FEATURES when built. */
  features: string[];
  /** Milliseconds per unit of each feature; none negative. */
  coefficients: number[];
  /** Prediction against measurement on the networks fitted on, and on the others (overfitting shows). */
  accuracy: { fit: Accuracy; check: Accuracy };
  measured: { fit: Measured[]; check: Measured[] };
}

export interface LatencyModelOptions extends MeasureSettings {
  /** Networks the coefficients are fitted on: the smallest, the largest and random ones (at least one per feature). */
  fit: number;
  /** Other random networks the predictions are checked on. */
  check: number;
  /** Seed of the random encodings. */
  seed: number;
  onProgress?: (done: number, total: number, what: "fit" | "check") => void;
}

const imageOf = (input: ArchInput): Shape => ({
  c: input.inChannels,
  h: input.inputSize,
  w: input.inputSize,
});

const featuresOf = (space: PruningSpace, input: ArchInput, g: Genotype) =>
  latencyFeatures(planOf(prunedArch(space, g, input)), imageOf(input));

const dot = (u: readonly number[], v: readonly number[]) => u.reduce((s, x, i) => s + x * v[i], 0);

/** Measures pruned networks of `space` on `runtime` end to end and fits the model's coefficients. */
export async function buildLatencyModel(
  space: PruningSpace,
  input: ArchInput,
  runtime: Runtime,
  o: LatencyModelOptions,
): Promise<LatencyModel> {
  if (!(o.fit >= LATENCY_FEATURES.length))
    throw new Error(
      `fit: a latency model is fitted on at least ${LATENCY_FEATURES.length} networks (one per feature), got ${o.fit}`,
    );
  const provenance = await measuredOn(runtime, o);
  const { settings } = provenance;
  const random = new Random(o.seed);
  const genes = pruningGenes(space);
  const draw = (n: number) => Array.from({ length: n }, () => sampleGenotype(genes, random));
  const fitEncodings = [
    uniformGenotype(space, Math.min(...space.scales)),
    uniformGenotype(space, Math.max(...space.scales)),
    ...draw(o.fit - 2),
  ];
  const checkEncodings = draw(o.check);
  let done = 0;
  const measure = async (encodings: Genotype[], what: "fit" | "check") => {
    const measured: Measured[] = [];
    for (const encoding of encodings) {
      const plan = planOf(prunedArch(space, encoding, input));
      measured.push({ encoding, ms: await timePlan(runtime, plan, imageOf(input), settings) });
      o.onProgress?.(++done, o.fit + o.check, what);
    }
    return measured;
  };
  const fit = await measure(fitEncodings, "fit");
  const check = await measure(checkEncodings, "check");
  const coefficients = nnls(
    fit.map((m) => featuresOf(space, input, m.encoding)),
    fit.map((m) => m.ms),
  );
  const accuracy = (measured: Measured[]) =>
    predictionAccuracy(
      measured.map((m) => dot(coefficients, featuresOf(space, input, m.encoding))),
      measured.map((m) => m.ms),
    );
  return {
    version: 1,
    space,
    input,
    ...provenance,
    features: [...LATENCY_FEATURES],
    coefficients,
    accuracy: { fit: accuracy(fit), check: accuracy(check) },
    measured: { fit, check },
  };
}

/** The model as a search constraint: the predicted milliseconds of an encoding, with the exact minimum. */
export function latencyModelProfiler(model: LatencyModel): Profiler {
  const { space, input, coefficients } = model;
  const measure = (g: Genotype) => dot(coefficients, featuresOf(space, input, g));
  return {
    name: "latency",
    unit: "ms",
    measure,
    // Every feature grows with every width and no coefficient is negative, so the prediction grows
    // with every gene: its minimum over the space is at the encoding with every gene at its smallest.
    minimum: () => measure(uniformGenotype(space, Math.min(...space.scales))),
  };
}
