// Data-parallel training on loopback, 2 ranks x 1 thread: the ranks hold bit-identical weights after
// every step, and the run equals one process training on the union batch (gradient averaging), to a
// float32 tolerance; DistributedSampler shards are disjoint and cover the epoch.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { shardOrder } from "../../src/data/loader.js";
import { freePort, rankEnv, runRanks } from "./ranks.js";

const WORKER = join(fileURLToPath(new URL(".", import.meta.url)), "data-parallel-worker.js");

describe("data-parallel training (2 ranks on 127.0.0.1)", () => {
  it("keeps the ranks bit-identical after every step and matches one process on the union batch", async () => {
    const port = await freePort();
    const ranks = await runRanks(WORKER, [], [rankEnv(0, 2, port), rankEnv(1, 2, port)], 25_000);
    const [single] = await runRanks(WORKER, [], [{ LITHE_NUM_THREADS: "1" }], 25_000);
    const results = [...ranks, single].map((o, i) => {
      assert.equal(o?.code, 0, `process ${i}: ${o?.stderr}`);
      return JSON.parse(o?.stdout ?? "") as { rank: number; identical: boolean[]; weights: number[] };
    });
    const [r0, r1, one] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
    assert.deepEqual(r0.identical, [true, true, true, true]);
    assert.deepEqual(r1.identical, r0.identical);
    assert.deepEqual(r1.weights, r0.weights);
    assert.equal(one.weights.length, r0.weights.length);
    const maxDiff = Math.max(...one.weights.map((w, i) => Math.abs(w - (r0.weights[i] as number))));
    assert.ok(maxDiff < 1e-5, `max |single - distributed| = ${maxDiff}`);
  });

  it("shards an epoch like DistributedSampler: disjoint shares, padded from the head, covering it", () => {
    const order = Uint32Array.from([5, 3, 8, 1, 0, 9, 2]);
    assert.deepEqual([...shardOrder(order, 0, 2)], [5, 8, 0, 2]);
    assert.deepEqual([...shardOrder(order, 1, 2)], [3, 1, 9, 5]);
    const three = [0, 1, 2].map((r) => [...shardOrder(order, r, 3)]);
    assert.deepEqual(three, [
      [5, 1, 2],
      [3, 0, 5],
      [8, 9, 3],
    ]);
    assert.deepEqual([...shardOrder(order, 0, 1)], [...order]);
  });
});
