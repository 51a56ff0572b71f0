// Latency measurement: the runtimes by name (lithe, onnxruntime-node, onnxruntime-web in headless
// Chromium), the harness, measurement and provenance for predictors, BN folding on plans and the
// ShuffleNet V2 guideline micro-benchmarks.
export { type FoldedPlan, foldPlan, foldState } from "./fold-plan.js";
export {
  GUIDELINE_IDS,
  type GuidelineConfig,
  type GuidelineId,
  type GuidelineTable,
  guidelineTables,
} from "./guidelines.js";
export {
  latencyStats,
  type MachineInfo,
  type MeasureOptions,
  machineInfo,
  measureLatency,
  type SelfTimedRunner,
} from "./harness.js";
export {
  type Accuracy,
  type MeasureSettings,
  measuredOn,
  type Provenance,
  predictionAccuracy,
  timePlan,
} from "./measure.js";
export { type ProbeRunner, type ProbeRuntime, runtimeByName } from "./runtimes/index.js";
export {
  isRuntimeName,
  type LatencyStats,
  type PrepareOptions,
  RUNTIME_NAMES,
  type Runner,
  type Runtime,
  type RuntimeName,
} from "./types.js";
