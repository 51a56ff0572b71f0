// `lithe train --nproc 2 --sync-bn` on loopback (2 ranks x batch 16) steps as one process on batch 32
// does: the ranks' shards interleave into the single process's batch, every image is augmented as the
// single process augments it, BN sees the union batch and gradients are averaged; the logged loss is
// the union batch's. Compared after one step: ShuffleNet at init amplifies float32 rounding (a 3e-7
// relative change of its input moves its gradients by ~0.7%), so longer trajectories drift apart even
// when every step is right. Plain BN (each rank its half's statistics) lands 200x farther.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadSafetensors } from "../../src/engine/index.js";
import { lithe } from "../cli/run-cli.js";
import { tempDir } from "../helpers.js";

const base = tempDir("lithe-dist-sync-bn-");
const RUN = [
  "train",
  "--data",
  "synthetic:128",
  "--epochs",
  "1",
  "--steps",
  "1",
  "--lr",
  "0.05",
  "--seed",
  "3",
];
const TIMEOUT = { LITHE_DIST_TIMEOUT_MS: "8000", LITHE_NUM_THREADS: "1" };

/** The largest elementwise |a - b| over every entry of two weight files (names must match). */
function maxDifference(a: string, b: string): number {
  const [x, y] = [loadSafetensors(a).tensors, loadSafetensors(b).tensors];
  assert.deepEqual([...x.keys()].sort(), [...y.keys()].sort());
  let worst = 0;
  for (const [name, t] of x) {
    const u = (y.get(name) as typeof t).toTypedArray();
    t.toTypedArray().forEach((v, i) => {
      worst = Math.max(worst, Math.abs(Number(v) - Number(u[i])));
    });
  }
  return worst;
}

const stepLoss = (dir: string) =>
  (
    readFileSync(join(dir, "log.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.includes('"type":"step"'))
      .map((l) => JSON.parse(l) as { loss: number })[0] as { loss: number }
  ).loss;

describe("lithe train --sync-bn on 2 ranks (127.0.0.1)", () => {
  it("takes one process's step on the union batch, and logs its loss; plain BN does not", () => {
    const [synced, plain, single] = ["synced", "plain", "single"].map((d) => join(base, d));
    const run = (out: string, more: string[]) =>
      lithe([...RUN, "--out", out, "--log-every", "1", ...more], TIMEOUT);
    for (const r of [
      run(synced, ["--batch-size", "16", "--nproc", "2", "--sync-bn"]),
      run(plain, ["--batch-size", "16", "--nproc", "2"]),
      run(single, ["--batch-size", "32"]),
    ])
      assert.equal(r.code, 0, r.stderr);
    const file = (dir: string) => join(dir, "model.safetensors");
    const [near, far] = [maxDifference(file(synced), file(single)), maxDifference(file(plain), file(single))];
    assert.ok(near < 5e-3, `max |synced - single| = ${near}`);
    assert.ok(far > 2e-2, `max |plain - single| = ${far}`);
    assert.ok(
      Math.abs(stepLoss(synced) - stepLoss(single)) < 1e-5,
      `${stepLoss(synced)} vs ${stepLoss(single)}`,
    );
    assert.ok(Math.abs(stepLoss(plain) - stepLoss(single)) > 1e-3);
    assert.equal(JSON.parse(readFileSync(join(synced, "run.json"), "utf8")).syncBn, true);
  });
});
