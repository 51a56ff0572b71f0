// The latency harness: statistics of known run times equal to the hand-computed median, p90 (numpy's
// linear interpolation), mean and min (a fake clock advanced by a fake runner, so nothing depends on
// real timing), warm-up runs run but left out, self-timed runners given the settings, bad options
// refused before anything runs, and the machine as Node's own APIs describe it.
import assert from "node:assert/strict";
import { arch, availableParallelism, cpus, release, type } from "node:os";
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
    const asked: number[][] = [];
    const runner: SelfTimedRunner = {
      async run() {
        throw new Error("not called");
      },
      async times(warmup, repeats) {
        asked.push([warmup, repeats]);
        return [8, 2, 6, 4];
      },
      async close() {},
    };
    const s = await measureLatency(runner, { warmup: 3, repeats: 4 });
    assert.deepEqual(asked, [[3, 4]]);
    // sorted 2, 4, 6, 8: median (4 + 6) / 2; p90 at rank 2.7: 6 + 0.7 * (8 - 6)
    assert.equal(s.medianMs, 5);
    assert.ok(Math.abs(s.p90Ms - 7.4) < 1e-12, `p90 ${s.p90Ms}`);
    assert.equal(s.meanMs, 5);
    assert.equal(s.minMs, 2);
    assert.deepEqual([s.warmup, s.repeats], [3, 4]);
  });

  it("refuses bad warm-up and repeat counts before running anything", async () => {
    const { runner, runs } = fakeRunner([]);
    const refused = (warmup: number, repeats: number, message: RegExp) =>
      assert.rejects(measureLatency(runner, { warmup, repeats, now: () => 0 }), message);
    await refused(-1, 5, /^Error: measureLatency: warmup must be a non-negative integer, got -1$/);
    await refused(1.5, 5, /^Error: measureLatency: warmup must be a non-negative integer, got 1\.5$/);
    await refused(0, 0, /^Error: measureLatency: repeats must be a positive integer, got 0$/);
    await refused(0, 2.5, /^Error: measureLatency: repeats must be a positive integer, got 2\.5$/);
    assert.equal(runs(), 0);
    assert.throws(() => latencyStats([], 0), /^Error: quantile: no samples$/);
  });

  it("describes the machine as Node does", () => {
    const m = machineInfo();
    // on Linux read from /proc/cpuinfo's "model name", which libuv reads for os.cpus() too
    assert.equal(m.cpu, cpus()[0]?.model.trim());
    assert.equal(m.cores, availableParallelism());
    assert.equal(m.os, `${type()} ${release()} ${arch()}`);
    assert.equal(m.node, process.version);
  });
});
