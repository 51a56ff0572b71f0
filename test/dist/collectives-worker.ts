// One rank of the collectives test (test/dist/process-group.test.ts): joins the run from the
// environment and prints what each collective left in its tensors as one JSON line.

import { fromEnv } from "../../src/dist/index.js";
import { tensor } from "../../src/engine/index.js";

// `node --test dist/test/` also runs every file under a test/ folder: without a rank there is nothing to do.
if (process.env.WORLD_SIZE === undefined) process.exit(0);
const mode = process.argv[2];
const config = process.env.TEST_CONFIG
  ? (JSON.parse(process.env.TEST_CONFIG) as Record<string, unknown>)
  : {};
const timeoutMs = Number(process.env.TEST_TIMEOUT_MS ?? 10_000);
try {
  const pg = fromEnv({ config, timeoutMs });
  if (pg === null) throw new Error("WORLD_SIZE is not set");
  const r = pg.rank;
  if (mode === "die") {
    if (r === 1) process.exit(3);
    pg.allreduceMean([tensor([1, 2, 3])]);
  }
  // rank r holds [r + 1, 10 (r + 1), ...]: sums and means are known in closed form
  const a = tensor([r + 1, 10 * (r + 1)]);
  const b = tensor([[r, -r]], { shape: [1, 2] });
  pg.wait(pg.allreduce([a, b], "sum"), "allreduce");
  const mean = tensor([r + 1]);
  pg.allreduceMean([mean]);
  const max = tensor([r]);
  pg.wait(pg.allreduce([max], "max"), "allreduce");
  const bc = tensor([r + 100]);
  pg.wait(pg.broadcast(bc, 1), "broadcast");
  const gathered = pg.wait(pg.allgather(tensor([r, r * r])), "allgather").map((t) => t.toList());
  const work = pg.barrier();
  pg.wait(work, "barrier");
  const numbers = pg.allgatherNumbers([r / 3]);
  console.log(
    JSON.stringify({
      rank: r,
      sum: a.toList(),
      sum2: b.toList(),
      mean: mean.toList(),
      max: max.toList(),
      broadcast: bc.toList(),
      gathered,
      barrierDone: work.done,
      numbers,
    }),
  );
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
