// Latency lookup tables: readable keys with one entry per distinct block shape, a prediction that is
// exactly the constant plus the entries of the path, the exact minimum (checked over every genotype of
// a small space), a table that survives the disk round trip, and one built on the lithe runtime.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { randomGenotype, SPOS_SMALL, type SposSpace } from "../../src/arch/spaces/spos.js";
import {
  buildLatencyTable,
  type Input,
  type LatencyTable,
  latencyProfiler,
  tableEntries,
} from "../../src/latency/lut.js";
import { loadLatencyTable, saveLatencyTable } from "../../src/latency/lut-file.js";
import { runtimeByName } from "../../src/latency/runtimes/index.js";
import { geneSpaceOf } from "../../src/nas/spos-space.js";
import { Random, seedOf } from "../../src/util/random.js";

const input: Input = { inputSize: 28, inChannels: 1, classes: 10, stem: "small" };
const dir = mkdtempSync(join(tmpdir(), "lithe-lut-"));

const tiny: SposSpace = {
  ...SPOS_SMALL,
  name: "tiny",
  stages: [
    { repeats: 1, out: 24, stride: 2 },
    { repeats: 2, out: 32, stride: 2 },
  ],
  last: 64,
  scales: [0.5, 1],
};

/** A table whose entries are arbitrary but fixed numbers (no timing involved). */
function fakeTable(space: SposSpace): LatencyTable {
  const entries = Object.fromEntries(
    tableEntries(space, input).map((e) => [e.key, (seedOf(e.key) % 1000) / 100]),
  );
  return {
    version: 1,
    space,
    input,
    runtime: "lithe",
    runtimeVersion: "test",
    machine: {},
    settings: { batch: 1, threads: 1, warmup: 0, repeats: 1 },
    entries,
    constantMs: 0.25,
    accuracy: { architectures: 0, within10: 0, mape: 0, worst: 0 },
  } as unknown as LatencyTable;
}

describe("latency lookup tables", () => {
  it("key every distinct block shape once, readably", () => {
    const keys = tableEntries(SPOS_SMALL, input).map((e) => e.key);
    // 8 distinct (in, out, size, stride) positions x 4 choices x 8 mid widths, plus the stem and the head
    assert.equal(keys.length, 8 * 4 * 8 + 2);
    assert.equal(new Set(keys).size, keys.length);
    assert.ok(keys.includes("shuffle5x5-in:48-out:96-mid:48-hw:14-stride:2"), "a block key");
    assert.ok(keys.includes("stem-in:1-hw:28"));
    assert.ok(keys.includes("head-in:384-hw:2-classes:10"));
  });

  it("predict the constant plus the entries of the path, with the exact minimum", () => {
    const table = fakeTable(tiny);
    const profiler = latencyProfiler(table);
    const g = {
      block_1: "xception",
      mid_1: 0.5,
      block_2: "shuffle7x7",
      mid_2: 1,
      block_3: "shuffle3x3",
      mid_3: 0.5,
    };
    const expected =
      0.25 +
      [
        "stem-in:1-hw:28",
        "xception-in:16-out:24-mid:6-hw:28-stride:2",
        "shuffle7x7-in:24-out:32-mid:16-hw:14-stride:2",
        "shuffle3x3-in:32-out:32-mid:8-hw:7-stride:1",
        "head-in:32-hw:7-classes:10",
      ].reduce((s, k) => s + (table.entries[k] as number), 0);
    assert.ok(Math.abs(profiler.measure(g) - expected) < 1e-12);
    let minimum = Number.POSITIVE_INFINITY;
    const genes = geneSpaceOf(tiny).genes;
    const visit = (i: number, partial: Record<string, string | number>) => {
      if (i === genes.length) {
        minimum = Math.min(minimum, profiler.measure(partial));
        return;
      }
      const gene = genes[i] as (typeof genes)[0];
      for (const v of gene.values) visit(i + 1, { ...partial, [gene.label]: v });
    };
    visit(0, {}); // (4 x 2)^3 = 512 genotypes
    assert.ok(Math.abs((profiler.minimum?.() as number) - minimum) < 1e-12);
  });

  it("survive the disk round trip and refuse a file that is not a table", () => {
    const table = fakeTable(tiny);
    const path = join(dir, "lut.json");
    saveLatencyTable(path, table);
    assert.deepEqual(loadLatencyTable(path), table);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...table, constantMs: "fast" }));
    assert.throws(() => loadLatencyTable(bad), /bad\.json: not a latency table: field "constantMs"/);
    writeFileSync(bad, "{");
    assert.throws(() => loadLatencyTable(bad), /bad\.json: invalid JSON/);
  });

  it("can be built on the lithe runtime and priced for any genotype", async () => {
    const table = await buildLatencyTable(tiny, input, runtimeByName("lithe"), {
      batch: 1,
      threads: 1,
      warmup: 1,
      repeats: 2,
      calibrate: 2,
      check: 3,
      seed: 1,
    });
    assert.equal(Object.keys(table.entries).length, tableEntries(tiny, input).length);
    assert.ok(Object.values(table.entries).every((ms) => ms > 0));
    assert.equal(table.accuracy.architectures, 3);
    assert.ok(Number.isFinite(table.accuracy.mape));
    const predicted = latencyProfiler(table).measure(randomGenotype(tiny, new Random(4)));
    assert.ok(predicted > 0);
  });
});
