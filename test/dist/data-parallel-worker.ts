// One rank of the data-parallel test (test/dist/data-parallel.test.ts), or the single-process peer
// when WORLD_SIZE is unset: a small MLP, seeded per rank so that only rank 0's broadcast makes the
// ranks agree, trained on synthetic data in DistributedSampler shards of a seeded order with bucketed
// gradient averaging. Prints, as JSON, whether all ranks held identical weights after every step and
// the final weights.

import { shardOrder } from "../../src/data/loader.js";
import { allreduceGradients, broadcastFromRank0, fromEnv } from "../../src/dist/index.js";
import { cat, F, manualSeed, noGrad, randn, tensor, tidy } from "../../src/engine/index.js";
import { Linear, ReLU, Sequential } from "../../src/nn/index.js";
import { SGD } from "../../src/train/sgd.js";
import { Random } from "../../src/util/random.js";

const STEPS = 4;
const SAMPLES = 64;
const GLOBAL_BATCH = 16;
const [FEATURES, CLASSES] = [8, 4];

try {
  const pg = fromEnv({ timeoutMs: 10_000 });
  const rank = pg?.rank ?? 0;
  const worldSize = pg?.worldSize ?? 1;
  manualSeed(100 + rank);
  const model = new Sequential(new Linear(FEATURES, 16), new ReLU(), new Linear(16, CLASSES));
  noGrad(() => {
    for (const p of model.parameters()) p.copy_(randn(p.shape).mul(0.5));
  });
  if (pg) broadcastFromRank0(pg, model.parameters());
  const data = new Random(7);
  const xs = Float32Array.from({ length: SAMPLES * FEATURES }, () => data.uniform(-1, 1));
  const ys = BigInt64Array.from({ length: SAMPLES }, () => BigInt(data.int(CLASSES)));
  const order = shardOrder(new Random(11).permutation(SAMPLES), rank, worldSize);
  const batch = GLOBAL_BATCH / worldSize;
  // tiny bucket size so that the gradients travel in several buckets
  const bucketBytes = 256;
  const optimizer = new SGD(model.parameters(), {
    lr: 0.1,
    momentum: 0.9,
    nesterov: false,
    weightDecay: 1e-4,
  });
  const identical: boolean[] = [];
  for (let step = 0; step < STEPS; step++) {
    const idx = order.slice(step * batch, (step + 1) * batch);
    tidy(() => {
      const x = tensor(
        Float32Array.from([...idx].flatMap((i) => [...xs.subarray(i * FEATURES, (i + 1) * FEATURES)])),
        {
          shape: [batch, FEATURES],
        },
      );
      const y = tensor(
        BigInt64Array.from(idx, (i) => ys[i] as bigint),
        { shape: [batch] },
      );
      optimizer.zeroGrad();
      F.crossEntropy(model.forward(x), y).backward();
      if (pg) allreduceGradients(pg, model.parameters(), bucketBytes);
      optimizer.step();
      if (pg) {
        const flat = noGrad(() => cat(model.parameters().map((p) => p.flatten())));
        const all = pg.wait(pg.allgather(flat), "allgather").map((t) => t.toList());
        identical.push(all.every((w) => w.every((v, i) => Object.is(v, all[0]?.[i]))));
      }
    });
  }
  const weights = model.parameters().flatMap((p) => p.toList());
  console.log(JSON.stringify({ rank, identical, weights }));
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
