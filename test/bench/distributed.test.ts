// `lithe bench distributed` run tiny (1 step, 1 allreduce per size): the JSON holds both runs, the
// allreduce sizes (one element, then fractions and multiples of the model's gradients), the link and a
// projection that follows the ring-allreduce formula; the ring model's fit recovers what it was fitted
// on; an odd global batch is refused in one line. No figure is checked against a speed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fitRing, ringAllreduceSeconds } from "../../bench/distributed.js";
import { resolveArch } from "../../src/arch/index.js";
import { buildModel } from "../../src/models/index.js";
import { fails, lithe } from "../cli/run-cli.js";

describe("lithe bench distributed", () => {
  it("runs tiny and prints the runs, the allreduce sizes, the link and the projection as JSON", () => {
    const args = [
      "bench",
      "distributed",
      "--steps",
      "1",
      "--warmup",
      "1",
      "--reps",
      "1",
      "--batch-size",
      "8",
    ];
    const r = lithe([...args, "--machines", "8,64", "--json"], { LITHE_NUM_THREADS: "1" });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const params = buildModel(
      resolveArch("shufflenet_v2_x0_5", { classes: 10, inChannels: 1, inputSize: 28, stem: "small" }),
    )
      .parameters()
      .reduce((n, p) => n + p.numel, 0);
    assert.equal(j.gradient_bytes, 4 * params);
    assert.equal(j.global_batch, 8);
    for (const run of [j.single, j.ranks]) {
      assert.ok(run.step_ms > 0);
      assert.ok(Math.abs(run.imgs_per_s - (1000 * 8) / run.step_ms) < 1e-6 * run.imgs_per_s);
    }
    assert.ok(j.ranks.allreduce_ms > 0 && j.ranks.allreduce_ms < j.ranks.step_ms);
    assert.ok(Math.abs(j.ranks_vs_single - j.ranks.imgs_per_s / j.single.imgs_per_s) < 1e-9);
    assert.ok(Math.abs(j.ranks.compute_ms + j.ranks.allreduce_ms - j.ranks.step_ms) < 1e-9);
    assert.deepEqual(
      j.allreduce.map((a: { bytes: number }) => a.bytes),
      [4, ...[1 / 16, 1 / 4, 1, 4].map((f) => 4 * Math.round(f * params))],
    );
    assert.equal(j.allreduce[0].bandwidth_bytes_per_s, null);
    assert.equal(j.link.source, "loopback");
    assert.deepEqual(
      j.projection.map((p: { machines: number; per_rank_batch: number }) => [p.machines, p.per_rank_batch]),
      [
        [8, 4],
        [64, 4],
      ],
    );
    for (const p of j.projection) {
      const n = p.machines;
      const seconds =
        ((2 * (n - 1)) / n) * (j.gradient_bytes / j.link.bandwidth) + 2 * (n - 1) * j.link.latency;
      assert.ok(Math.abs(p.allreduce_ms - 1000 * seconds) < 1e-9 * p.allreduce_ms);
      assert.ok(Math.abs(p.step_ms - (j.ranks.compute_ms + p.allreduce_ms)) < 1e-9 * p.step_ms);
      assert.ok(Math.abs(p.imgs_per_s - (1000 * n * 4) / p.step_ms) < 1e-9 * p.imgs_per_s);
    }
    // a given link replaces the measured one in the projection
    const given = lithe([...args, "--machines", "16", "--bandwidth", "10", "--latency", "50", "--json"], {
      LITHE_NUM_THREADS: "1",
    });
    assert.equal(given.code, 0, given.stderr);
    const g = JSON.parse(given.stdout);
    assert.deepEqual([g.link.source, g.link.bandwidth, g.link.latency], ["given", 1.25e9, 5e-5]);
    const expected = 1000 * ((30 / 16) * (g.gradient_bytes / 1.25e9) + 30 * 5e-5);
    assert.ok(Math.abs(g.projection[0].allreduce_ms - expected) < 1e-9 * expected);
  });

  it("fits the ring model to what it predicts, and follows the formula by hand", () => {
    // p = 8, 1 MB, 1 GB/s, 10 us: 2 * 7/8 * 1 ms + 14 * 10 us
    assert.ok(Math.abs(ringAllreduceSeconds(8, 1e6, { bandwidth: 1e9, latency: 1e-5 }) - 1.89e-3) < 1e-15);
    assert.equal(ringAllreduceSeconds(1, 1e6, { bandwidth: 1e9, latency: 1e-5 }), 0);
    const link = { bandwidth: 3e8, latency: 2e-5 };
    const fit = fitRing(2, ringAllreduceSeconds(2, 0, link), 5e6, ringAllreduceSeconds(2, 5e6, link));
    assert.ok(Math.abs(fit.latency - link.latency) < 1e-15);
    assert.ok(Math.abs(fit.bandwidth - link.bandwidth) < 1e-3);
  });

  it("refuses an odd global batch in one line", () => {
    fails(["bench", "distributed", "--batch-size", "7"], /batch size 7 must be even/);
  });
});
