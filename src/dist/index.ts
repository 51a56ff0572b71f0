// The distributed layer: process groups on c10d, their environment, local launch, gradient buckets.
export { allreduceGradients, broadcastFromRank0, DEFAULT_BUCKET_BYTES } from "./buckets.js";
export { distFromEnv, fromEnv } from "./env.js";
export { freePort, launchLocal, withoutNproc } from "./launch.js";
export {
  DEFAULT_TIMEOUT_MS,
  DistError,
  type DistOptions,
  firstDifference,
  ProcessGroup,
} from "./process-group.js";
export { useSyncBatchNorm } from "./sync-bn.js";
