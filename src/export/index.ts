// ONNX export: model bytes from a description and its weights (exportOnnx), the user-level export run
// that writes the file and checks it in ONNX Runtime (runExport, what `lithe export` calls), the check.
export {
  DEFAULT_OPSET,
  type ExportOptions,
  exportOnnx,
  MAX_OPSET,
  MIN_OPSET,
  type ModelSummary,
  onnxModel,
  onnxModelOfPlan,
  type PlanExportOptions,
  summarizeModel,
} from "./onnx.js";
export { type ExportRunOptions, type ExportRunResult, MATCH_TOLERANCE, runExport } from "./run.js";
export { type OrtOptions, type OrtRun, runLithe, runOnnx, type Verification, verifyOnnx } from "./verify.js";
