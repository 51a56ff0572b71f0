// Data-parallel gradient averaging in buckets, as PyTorch's DDP does it (Li et al., "PyTorch
// Distributed", VLDB 2020): after backward, the gradients are packed in parameter order into flat
// buckets of about `bucketBytes`, every bucket's allreduce is launched at once (Gloo works through
// them while the others are packed), then each is averaged and copied back. Overlap with backward
// would need a hook inside libtorch's autograd that calls back into JS mid-backward; the addon has
// none, so the allreduce starts after backward ends.
import { cat, noGrad, type Tensor, tidy } from "../engine/index.js";
import type { ProcessGroup } from "./process-group.js";

/** DDP's default bucket size. */
export const DEFAULT_BUCKET_BYTES = 25 * 1024 * 1024;

/**
 * Averages the gradients of `params` across the group, in place. Parameters without a gradient (a
 * supernet's unsampled choices; every rank samples the same path) are skipped, so they get no update.
 */
export function allreduceGradients(
  pg: ProcessGroup,
  params: readonly Tensor[],
  bucketBytes = DEFAULT_BUCKET_BYTES,
): void {
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return;
  const buckets: Tensor[][] = [[]];
  let bytes = 0;
  for (const g of grads) {
    const size = 4 * g.numel;
    if (bytes > 0 && bytes + size > bucketBytes) {
      buckets.push([]);
      bytes = 0;
    }
    (buckets.at(-1) as Tensor[]).push(g);
    bytes += size;
  }
  tidy(() =>
    noGrad(() => {
      // each bucket: its gradients flattened end to end, [sum of numels]
      const flats = buckets.map((b) => cat(b.map((g) => g.flatten())));
      const works = flats.map((f) => pg.allreduce([f], "sum"));
      flats.forEach((flat, i) => {
        pg.wait(works[i] as ReturnType<ProcessGroup["allreduce"]>, "gradient allreduce");
        flat.mul_(1 / pg.worldSize);
        let offset = 0;
        for (const g of buckets[i] as Tensor[]) {
          g.copy_(flat.narrow(0, offset, g.numel).view(...g.shape));
          offset += g.numel;
        }
      });
    }),
  );
}

/** Overwrites every tensor (parameters and buffers such as BN statistics) with rank 0's. */
export function broadcastFromRank0(pg: ProcessGroup, tensors: readonly Tensor[]): void {
  noGrad(() => {
    const works = tensors.map((t) => pg.broadcast(t, 0));
    for (const w of works) pg.wait(w, "broadcast of the initial weights");
  });
}
