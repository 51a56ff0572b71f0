// `lithe search` and `lithe prune search` distributed on loopback, 2 ranks x 1 thread: each rank scores its share of every
// generation and rank 0 alone writes; search.jsonl, search-state.json, best.json and the winner's weights
// are byte for byte those of a single-process search with the same seed (5 candidates a generation,
// so one rank scores one more than the other); --resume on 2 ranks hands rank 0's state to rank 1.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { runSupernetTraining } from "../../src/nas/spos.js";
import { runPruningNetTraining } from "../../src/prune/metapruning.js";
import { LITHE } from "../cli/run-cli.js";
import { fixturePath, tempDir } from "../helpers.js";
import { freePort, rankEnv, runRanks } from "./ranks.js";

const base = tempDir("lithe-dist-search-");
const data = { source: "synthetic:160", augment: "none", workers: 0 };
const recipe = { epochs: 1, steps: 3, batchSize: 32, logEvery: 1, checkpointEvery: 100 };
const oneShot = { data, recipe, stem: "small" as const, holdoutShare: 0.2, threads: 1 };

/** Each command: how its net is trained into `dir`, and its own flags (the net, the limit). */
const COMMANDS = [
  {
    name: "lithe search",
    train: (out: string) => runSupernetTraining({ ...oneShot, space: "spos_small", run: { out } }),
    flags: (net: string) => ["search", "--supernet", net, "--flops", "7M"],
  },
  {
    name: "lithe prune search",
    train: (out: string) =>
      runPruningNetTraining({ ...oneShot, space: fixturePath("prune/tiny-mobilenet-v1.json"), run: { out } }),
    flags: (net: string) => ["prune", "search", "--pruning-net", net, "--flops", "400k"],
  },
];
const SHARED = [
  "--population",
  "5",
  "--generations",
  "3",
  "--top-k",
  "2",
  "--seed",
  "5",
  "--recal-images",
  "32",
  "--batch-size",
  "32",
  "--workers",
  "0",
  "--json",
];
const FILES = ["search.jsonl", "search-state.json", "best.json", "best.safetensors"];

for (const command of COMMANDS)
  describe(`${command.name} on 2 ranks (127.0.0.1)`, () => {
    const dir = join(base, command.name.replace(/ /g, "-"));
    const SEARCH = [...command.flags(join(dir, "net")), ...SHARED];
    before(() => command.train(join(dir, "net")));

    it("writes, on rank 0 only, exactly what a single-process search with the same seed writes", async () => {
      const single = join(dir, "single");
      const [one] = await runRanks(LITHE, [...SEARCH, "--out", single], [{ LITHE_NUM_THREADS: "1" }], 90_000);
      assert.equal(one?.code, 0, one?.stderr);
      const port = await freePort();
      const outs = [join(dir, "rank0"), join(dir, "rank1")];
      const ranks = await runRanks(
        LITHE,
        (rank) => [...SEARCH, "--out", outs[rank] as string],
        [0, 1].map((rank) => ({ ...rankEnv(rank, 2, port), LITHE_DIST_TIMEOUT_MS: "20000" })),
        90_000,
      );
      for (const [rank, r] of ranks.entries()) assert.equal(r.code, 0, `rank ${rank}: ${r.stderr}`);
      for (const f of FILES)
        assert.ok(
          readFileSync(join(outs[0] as string, f)).equals(readFileSync(join(single, f))),
          `${f} differs`,
        );
      assert.equal(existsSync(outs[1] as string), false, "rank 1 wrote files");
      const scores = readFileSync(join(single, "search.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { score: number }).score);
      assert.equal(scores.length, 15);
      // candidates score differently, so scores landing on the wrong candidates would show
      assert.ok(new Set(scores).size > 2, `scores ${scores}`);
      // --resume of the finished search: rank 1 takes rank 0's state (a fresh search on rank 1 alone
      // would wait for scores rank 0 never sends) and the files stay as they were
      const before = FILES.map((f) => readFileSync(join(outs[0] as string, f)));
      const again = await freePort();
      const resumed = await runRanks(
        LITHE,
        (rank) => [...SEARCH, "--out", outs[rank] as string, "--resume"],
        [0, 1].map((rank) => ({ ...rankEnv(rank, 2, again), LITHE_DIST_TIMEOUT_MS: "20000" })),
        90_000,
      );
      for (const [rank, r] of resumed.entries()) assert.equal(r.code, 0, `rank ${rank}: ${r.stderr}`);
      for (const [i, f] of FILES.entries())
        assert.ok(readFileSync(join(outs[0] as string, f)).equals(before[i] as Buffer), `${f} changed`);
    });
  });
