// SyncBN for a data-parallel run (torch.nn.SyncBatchNorm.convert_sync_batchnorm): every BatchNorm2d of
// a model normalizes, in training, with the statistics of all ranks' batches: each rank's per-channel
// sum, sum of squares and count are summed over the group in forward, and their gradients in backward
// (a differentiable allreduce in the addon), so the ranks train as one process on the union batch would.
import { BatchNorm2d, type Module } from "../nn/index.js";
import type { ProcessGroup } from "./process-group.js";

/** Turns SyncBN on for every BatchNorm2d of `model` (sliced and per-width ones included); returns how many. */
export function useSyncBatchNorm(model: Module, group: ProcessGroup): number {
  const norms = model.namedModules().flatMap(([, m]) => (m instanceof BatchNorm2d ? [m] : []));
  for (const bn of norms) bn.syncStats = (local) => group.sumOverRanks(local);
  return norms.length;
}
