// c10d process groups on loopback, 2 ranks x 1 thread: every collective's result in closed form, and
// the one-line errors (world size mismatch, run configuration mismatch, unreachable MASTER_ADDR, a
// dead peer) arriving within their timeouts.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { firstDifference, ProcessGroup } from "../../src/dist/index.js";
import { freePort, rankEnv, runRanks } from "./ranks.js";

const WORKER = join(fileURLToPath(new URL(".", import.meta.url)), "collectives-worker.js");
const oneLine = (s: string) => s.trim().split("\n");

describe("c10d process group (2 ranks on 127.0.0.1)", () => {
  it("allreduce (sum, max, mean), broadcast, allgather and barrier give every rank the same, known values", async () => {
    const port = await freePort();
    const out = await runRanks(WORKER, ["ok"], [rankEnv(0, 2, port), rankEnv(1, 2, port)], 25_000);
    const results = out.map((o, r) => {
      assert.equal(o.code, 0, `rank ${r}: ${o.stderr}`);
      return JSON.parse(o.stdout);
    });
    for (const [r, v] of results.entries()) {
      assert.equal(v.rank, r);
      assert.deepEqual(v.sum, [3, 30]);
      assert.deepEqual(v.sum2, [1, -1]);
      assert.deepEqual(v.mean, [1.5]);
      assert.deepEqual(v.max, [1]);
      assert.deepEqual(v.broadcast, [101]);
      assert.deepEqual(v.gathered, [
        [0, 0],
        [1, 1],
      ]);
      assert.equal(v.barrierDone, true);
      assert.deepEqual(v.numbers, [[0], [1 / 3]]);
    }
  });

  it("refuses a rank whose WORLD_SIZE differs, in one line", async () => {
    const port = await freePort();
    const out = await runRanks(WORKER, ["ok"], [rankEnv(0, 2, port), rankEnv(1, 3, port)], 25_000);
    for (const o of out) {
      assert.notEqual(o.code, 0);
      assert.equal(oneLine(o.stderr).length, 1, o.stderr);
    }
    assert.match(out[1]?.stderr ?? "", /rank 1: WORLD_SIZE 3 does not match rank 0's WORLD_SIZE 2/);
  });

  it("refuses a rank started with a different run configuration, naming the field", async () => {
    const port = await freePort();
    const config = (lr: number) => JSON.stringify({ recipe: { lr, epochs: 1 }, model: "m" });
    const out = await runRanks(
      WORKER,
      ["ok"],
      [
        { ...rankEnv(0, 2, port), TEST_CONFIG: config(0.1) },
        { ...rankEnv(1, 2, port), TEST_CONFIG: config(0.2) },
      ],
      25_000,
    );
    for (const [r, o] of out.entries()) {
      assert.notEqual(o.code, 0);
      assert.equal(oneLine(o.stderr).length, 1, o.stderr);
      assert.match(
        o.stderr,
        new RegExp(`rank ${r}: its run configuration differs from rank ${1 - r}'s in recipe\\.lr`),
      );
    }
  });

  it("fails in one line when MASTER_ADDR:MASTER_PORT does not answer within the timeout", async () => {
    const port = await freePort();
    const [o] = await runRanks(WORKER, ["ok"], [{ ...rankEnv(1, 2, port), TEST_TIMEOUT_MS: "1500" }], 20_000);
    assert.notEqual(o?.code, 0);
    assert.equal(oneLine(o?.stderr ?? "").length, 1, o?.stderr);
    assert.match(
      o?.stderr ?? "",
      new RegExp(
        `rank 1: cannot reach the rendezvous at MASTER_ADDR:MASTER_PORT 127\\.0\\.0\\.1:${port} within 1\\.5 s`,
      ),
    );
  });

  it("a rank whose peer died fails in one line instead of hanging", async () => {
    const port = await freePort();
    const out = await runRanks(
      WORKER,
      ["die"],
      [
        { ...rankEnv(0, 2, port), TEST_TIMEOUT_MS: "5000" },
        { ...rankEnv(1, 2, port), TEST_TIMEOUT_MS: "5000" },
      ],
      25_000,
    );
    assert.equal(out[1]?.code, 3);
    assert.notEqual(out[0]?.code, 0);
    assert.equal(oneLine(out[0]?.stderr ?? "").length, 1, out[0]?.stderr);
    assert.match(out[0]?.stderr ?? "", /rank 0: allreduce failed: a peer died or did not answer within 5 s/);
  });

  it("says plainly that this libtorch has no NCCL", () => {
    assert.throws(
      () =>
        ProcessGroup.init({
          rank: 0,
          worldSize: 1,
          localRank: 0,
          masterAddr: "127.0.0.1",
          masterPort: 1,
          backend: "nccl",
        }),
      /built without NCCL; use the gloo backend/,
    );
  });

  it("names the first field where two configurations differ", () => {
    assert.equal(firstDifference({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3] } }), "b.c");
    assert.equal(firstDifference({ a: 1 }, { a: 1, z: 0 }), "z");
    assert.equal(firstDifference({ a: { b: 1 } }, { a: { b: 1 } }), null);
  });
});
