// Supernet and PruningNet training data-parallel on loopback, 2 ranks x 1 thread: every rank samples
// the same path each step (seeded by the step), the ranks hold bit-identical parameters after every
// step, and the choices no step sampled (a supernet's blocks, a PruningNet's per-width BN statistics)
// end bit for bit as they started; BN statistics stay per rank, unless SyncBN makes them one.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { freePort, rankEnv, runRanks } from "./ranks.js";

const WORKER = join(fileURLToPath(new URL(".", import.meta.url)), "one-shot-worker.js");

interface RankRun {
  steps: { step: number; path: Record<string, unknown>; params: string }[];
  final: string;
  buffers: string;
  unsampledEntries: number;
  changed: string[];
}

async function twoRanks(kind: string): Promise<[RankRun, RankRun]> {
  const port = await freePort();
  const env = (rank: number) => ({ ...rankEnv(rank, 2, port), LITHE_DIST_TIMEOUT_MS: "10000" });
  const out = await runRanks(WORKER, [kind], [env(0), env(1)], 60_000);
  return out.map((o, r) => {
    assert.equal(o.code, 0, `rank ${r}: ${o.stderr}`);
    return JSON.parse(o.stdout) as RankRun;
  }) as [RankRun, RankRun];
}

for (const kind of ["supernet", "supernet-sync-bn", "pruning"]) {
  describe(`${kind} training on 2 ranks (127.0.0.1)`, () => {
    it("samples the same path on every rank, keeps the ranks bit-identical and leaves unsampled choices untouched", async () => {
      const [r0, r1] = await twoRanks(kind);
      assert.deepEqual(
        r0.steps.map((s) => s.step),
        [0, 1, 2, 3],
      );
      assert.deepEqual(
        r1.steps.map((s) => s.path),
        r0.steps.map((s) => s.path),
      );
      // the paths do change from step to step (a constant path would make the check above empty)
      assert.ok(new Set(r0.steps.map((s) => JSON.stringify(s.path))).size > 1);
      // parameters before each step are those after the one before; then the final ones
      assert.deepEqual(
        [...r1.steps.map((s) => s.params), r1.final],
        [...r0.steps.map((s) => s.params), r0.final],
      );
      assert.notEqual(r0.final, r0.steps[0]?.params, "training changed the parameters");
      for (const r of [r0, r1]) {
        assert.ok(r.unsampledEntries > 0, "some choice was never sampled");
        assert.deepEqual(r.changed, [], "entries of unsampled choices changed");
      }
      // each rank's BN statistics are of its own shard; with SyncBN, of the union batch
      if (kind === "supernet-sync-bn") assert.equal(r1.buffers, r0.buffers);
      else assert.notEqual(r1.buffers, r0.buffers);
    });
  });
}
