// SPOS, the one-shot core's block and channel search plug-in: the supernet, its method, the latency
// table, and subnet extraction.
export { archOfPath, extractSubnet } from "./extract.js";
export {
  blockKey,
  buildLatencyTable,
  type LatencyTable,
  latencyProfiler,
  tableEntries,
} from "./latency-table.js";
export { loadLatencyTable, saveLatencyTable } from "./latency-table-file.js";
export {
  readSupernetRun,
  runSearch,
  runSupernetTraining,
  SPOS,
  type SupernetTrainingOptions,
  sposGenes,
  sposProfilers,
} from "./spos.js";
export { parseSupernetArch, Supernet, type SupernetArch } from "./supernet.js";
