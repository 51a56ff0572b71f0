// SyncBN on loopback, 2 ranks x 1 thread, against one process with plain BN (libtorch's batch_norm) on
// the union batch: the outputs of both halves, the parameters' gradients summed over the ranks and the
// running statistics are the single process's to float32 tolerance, through two BN layers (so two
// backward allreduces run in the same order on both ranks).
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { assertClose } from "../helpers.js";
import { freePort, rankEnv, runRanks } from "./ranks.js";

const WORKER = join(fileURLToPath(new URL(".", import.meta.url)), "sync-bn-worker.js");

interface Out {
  y: number[][][][];
  grads: [string, number[]][];
  buffers: [string, number[]][];
}

describe("SyncBN (2 ranks on 127.0.0.1)", () => {
  it("gives the outputs, gradients and running statistics of one process on the union batch", async () => {
    const port = await freePort();
    const ranks = await runRanks(WORKER, [], [rankEnv(0, 2, port), rankEnv(1, 2, port)], 25_000);
    const [single] = await runRanks(WORKER, [], [{ LITHE_NUM_THREADS: "1" }], 25_000);
    const [r0, r1, one] = [...ranks, single].map((o, i) => {
      assert.equal(o?.code, 0, `process ${i}: ${o?.stderr}`);
      return JSON.parse(o?.stdout ?? "") as Out;
    }) as [Out, Out, Out];
    const tol = { rtol: 1e-4, atol: 1e-4 };
    assertClose([...r0.y, ...r1.y].flat(3), one.y.flat(3), { ...tol, what: "outputs" });
    const gradOf = (o: Out, i: number) => (o.grads[i] as [string, number[]])[1];
    one.grads.forEach(([name, g], i) => {
      const sum = gradOf(r0, i).map((v, j) => v + (gradOf(r1, i)[j] as number));
      assertClose(sum, g, { ...tol, what: `gradient of ${name}` });
    });
    one.buffers.forEach(([name, b], i) => {
      for (const r of [r0, r1]) assertClose(r.buffers[i]?.[1] as number[], b, { ...tol, what: name });
    });
  });
});
