// One rank of the SyncBN test (test/dist/sync-bn.test.ts), or the single-process peer when WORLD_SIZE
// is unset: conv -> BN -> ReLU -> conv -> BN in training mode on rank r's half of a fixed batch of 8
// (the peer: all 8, plain BN), loss = sum(output * fixed weights). Prints the outputs, the parameters'
// gradients and the BN running statistics as JSON.
import { fromEnv, useSyncBatchNorm } from "../../src/dist/index.js";
import { manualSeed, tensor } from "../../src/engine/index.js";
import { BatchNorm2d, Conv2d, ReLU, Sequential } from "../../src/nn/index.js";
import { Random } from "../../src/util/random.js";

const [N, C, H] = [8, 3, 5];
try {
  const pg = fromEnv({ timeoutMs: 10_000 });
  const rank = pg?.rank ?? 0;
  const worldSize = pg?.worldSize ?? 1;
  manualSeed(4);
  const model = new Sequential(
    new Conv2d(C, 4, 3, { padding: 1 }),
    new BatchNorm2d(4),
    new ReLU(),
    new Conv2d(4, 2, 1),
    new BatchNorm2d(2),
  );
  if (pg) useSyncBatchNorm(model, pg);
  model.train();
  const random = new Random(9);
  // values far from zero mean, so the statistics matter: x ~ U(1, 3), weights of the loss ~ U(-1, 1)
  const xs = Float32Array.from({ length: N * C * H * H }, () => random.uniform(1, 3));
  const gs = Float32Array.from({ length: N * 2 * H * H }, () => random.uniform(-1, 1));
  const per = N / worldSize;
  const slice = (a: Float32Array, c: number) =>
    a.subarray(rank * per * c * H * H, (rank + 1) * per * c * H * H);
  const x = tensor(Float32Array.from(slice(xs, C)), { shape: [per, C, H, H] });
  const g = tensor(Float32Array.from(slice(gs, 2)), { shape: [per, 2, H, H] });
  const y = model.forward(x);
  y.mul(g).sum().backward();
  console.log(
    JSON.stringify({
      y: y.detach().toList(),
      grads: model.namedParameters().map(([name, p]) => [name, p.grad?.flatten().toList()]),
      buffers: model
        .namedBuffers()
        .filter(([name]) => !name.endsWith("num_batches_tracked"))
        .map(([name, b]) => [name, b.toList()]),
    }),
  );
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
