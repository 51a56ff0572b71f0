// The latency harness: statistics of known run times (a fake clock advanced by a fake runner, so
// nothing depends on real timing), warm-up runs left out, self-timed runners, bad options.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  latencyStats,
  machineInfo,
  measureLatency,
  quantile,
  type SelfTimedRunner,
} from "../../src/latency/harness.js";
import type { Runner } from "../../src/latency/types.js";

/** A runner whose i-th run takes delays[i] ms on the returned clock. */
function fakeRunner(delays: readonly number[]): { runner: Runner; now: () => number; runs: () => number } {
  let clock = 1000;
  let i = 0;
  const runner: Runner = {
    async run() {
      clock += delays[i++] as number;
    },
    async close() {},
  };
  return { runner, now: () => clock, runs: () => i };
}

describe("latency harness", () => {
  it("computes median, p90, mean and min of the timed runs, leaving warm-up out", async () => {
    // two slow warm-up runs, then 1..10 ms in shuffled order
    const timed = [7, 3, 10, 1, 5, 9, 2, 8, 4, 6];
    const { runner, now, runs } = fakeRunner([500, 400, ...timed]);
    const s = await measureLatency(runner, { warmup: 2, repeats: 10, now });
    assert.equal(runs(), 12);
    assert.equal(s.medianMs, 5.5);
    assert.ok(Math.abs(s.p90Ms - 9.1) < 1e-12, `p90 ${s.p90Ms}`); // numpy: percentile(1..10, 90) = 9.1
    assert.equal(s.meanMs, 5.5);
    assert.equal(s.minMs, 1);
    assert.deepEqual([s.warmup, s.repeats], [2, 10]);
  });

  it("takes the middle value of an odd count and interpolates quantiles linearly", () => {
    assert.equal(latencyStats([3, 1, 2], 0).medianMs, 2);
    assert.equal(latencyStats([4], 0).p90Ms, 4);
    assert.equal(quantile([0, 10], 0.9), 9);
    assert.equal(quantile([1, 2, 3, 4, 5], 0.9), 4.6);
  });

  it("lets a self-timed runner report its own times", async () => {
    const runner: SelfTimedRunner = {
      async run() {
        throw new Error("not called");
      },
      async times(warmup, repeats) {
        assert.deepEqual([warmup, repeats], [3, 4]);
        return [2, 4, 6, 8];
      },
      async close() {},
    };
    const s = await measureLatency(runner, { warmup: 3, repeats: 4 });
    assert.equal(s.medianMs, 5);
    assert.equal(s.minMs, 2);
  });

  it("refuses bad warm-up and repeat counts", async () => {
    const { runner } = fakeRunner([]);
    await assert.rejects(measureLatency(runner, { warmup: -1, repeats: 5 }), /warmup/);
    await assert.rejects(measureLatency(runner, { warmup: 0, repeats: 0 }), /repeats/);
    assert.throws(() => latencyStats([], 0), /no samples/);
  });

  it("describes the machine", () => {
    const m = machineInfo();
    assert.ok(m.cpu.length > 0);
    assert.ok(m.cores >= 1);
    assert.match(m.node, /^v\d+/);
  });
});
