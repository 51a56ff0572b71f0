// Latency lookup tables: readable keys with one entry per distinct block shape, a prediction that is
// exactly the constant plus the entries of the path, the exact minimum (checked over every genotype of
// a small space), a table that survives the disk round trip; one built on a fake runtime whose time is
// a known function of a plan's FLOPs (so its entries, constant, accuracy and the prediction of every
// genotype are known exactly from the analytic count of the whole network, and each checked network
// is kept with its FLOPs, predicted and measured time; older tables without them still load), and one built on the
// lithe runtime (every entry timed, positive and finite).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { summarize } from "../../src/arch/cost.js";
import { countArch } from "../../src/arch/count.js";
import { oneshotArchOf } from "../../src/arch/families/oneshot.js";
import type { ArchInput } from "../../src/arch/family.js";
import type { Genotype } from "../../src/arch/genotype.js";
import type { Node, Shape } from "../../src/arch/plan.js";
import { validateArch } from "../../src/arch/schema.js";
import { randomGenotype, SPOS_SMALL, type SposSpace } from "../../src/arch/spaces/spos.js";
import { listOps } from "../../src/arch/walk.js";
import type { SelfTimedRunner } from "../../src/latency/harness.js";
import { runtimeByName } from "../../src/latency/runtimes/index.js";
import type { PrepareOptions, Runtime } from "../../src/latency/types.js";
import {
  buildLatencyTable,
  type LatencyTable,
  latencyParts,
  latencyProfiler,
  tableEntries,
} from "../../src/nas/latency-table.js";
import { loadLatencyTable, saveLatencyTable } from "../../src/nas/latency-table-file.js";
import { sposGenes } from "../../src/nas/spos.js";
import { Random, seedOf } from "../../src/util/random.js";
import { tempDir } from "../helpers.js";

const input: ArchInput = { inputSize: 28, inChannels: 1, classes: 10, stem: "small" };
const dir = tempDir("lithe-lut-");

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
    settings: { batch: 1, threads: 1, warmup: 0, repeats: 1, precision: "fp32" },
    entries,
    constantMs: 0.25,
    accuracy: { architectures: 0, within10: 0, mape: 0, worst: 0 },
  } as unknown as LatencyTable;
}

/** Every genotype of `space` (blocks and mid widths at every position). */
function allGenotypes(space: SposSpace): Genotype[] {
  let all: Genotype[] = [{}];
  for (const gene of sposGenes(space).genes)
    all = all.flatMap((g) => gene.values.map((v) => ({ ...g, [gene.label]: v })));
  return all;
}

const OVERHEAD_MS = 0.5;
/** ms of a plan of `flops` multiply-adds on the fake runtime: binary fractions, so every sum is exact. */
const fakeMs = (flops: number) => OVERHEAD_MS + flops / 2 ** 20;

/** A runtime that runs nothing and times every plan at fakeMs(its FLOPs), recording what it was asked. */
function flopsRuntime() {
  const asked: { prepare: PrepareOptions[]; times: number[][] } = { prepare: [], times: [] };
  const runtime: Runtime = {
    name: "lithe",
    unavailable: async () => null,
    version: async () => "flops fake",
    prepare: async (plan: Node, shape: Shape, o: PrepareOptions) => {
      asked.prepare.push(o);
      const ms = fakeMs(summarize(listOps(plan, shape).ops).flops);
      const runner: SelfTimedRunner = {
        run: async () => {},
        close: async () => {},
        times: async (warmup, repeats) => {
          asked.times.push([warmup, repeats]);
          return new Array<number>(repeats).fill(ms);
        },
      };
      return runner;
    },
  };
  return { runtime, asked };
}

const settings = { batch: 1, threads: 1, warmup: 1, repeats: 2, calibrate: 2, check: 3, seed: 1 };

/** The keys of `tiny`, written out: 3 block positions x 4 choices x 2 mid widths, the stem and the head. */
const TINY_KEYS = [
  "stem-in:1-hw:28",
  ...[
    [16, 24, 28, 2],
    [24, 32, 14, 2],
    [32, 32, 7, 1],
  ].flatMap(([inp, out, hw, stride]) =>
    ["shuffle3x3", "shuffle5x5", "shuffle7x7", "xception"].flatMap((choice) =>
      [0.5, 1].map(
        (s) => `${choice}-in:${inp}-out:${out}-mid:${((out as number) / 2) * s}-hw:${hw}-stride:${stride}`,
      ),
    ),
  ),
  "head-in:32-hw:7-classes:10",
];

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

  it("predict the constant plus the entries of the path (named part by part), with the exact minimum", () => {
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
    // part by part (the report's model card), named by position
    const parts = latencyParts(table)(g);
    assert.deepEqual(
      parts.map((p) => p.part),
      ["stem", "block_1", "block_2", "block_3", "head"],
    );
    assert.equal(parts[1]?.ms, table.entries["xception-in:16-out:24-mid:6-hw:28-stride:2"]);
    assert.ok(Math.abs(parts.reduce((s, p) => s + p.ms, 0) + 0.25 - expected) < 1e-12);
    let minimum = Number.POSITIVE_INFINITY;
    const genes = sposGenes(tiny).genes;
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
    const checks = [{ flops: 1e6, predictedMs: 1.25, measuredMs: 1.5 }];
    saveLatencyTable(path, { ...table, checks });
    assert.deepEqual(loadLatencyTable(path).checks, checks);
    writeFileSync(bad, JSON.stringify({ ...table, checks: [{ ...checks[0], measuredMs: -1 }] }));
    assert.throws(
      () => loadLatencyTable(bad),
      /bad\.json: not a latency table: field "checks\.0\.measuredMs"/,
    );
    writeFileSync(bad, JSON.stringify({ ...table, checks: [{ ...checks[0], genotype: {} }] }));
    assert.throws(
      () => loadLatencyTable(bad),
      /bad\.json: not a latency table: unknown field "checks\.0\.genotype"/,
    );
  });

  it("built on a runtime of known times: entries, constant, accuracy and every prediction exact", async () => {
    const { runtime, asked } = flopsRuntime();
    const table = await buildLatencyTable(tiny, input, runtime, settings);
    assert.deepEqual(Object.keys(table.entries).sort(), [...TINY_KEYS].sort());
    const timed = TINY_KEYS.length + settings.calibrate + settings.check;
    assert.deepEqual(asked.prepare, new Array(timed).fill({ batch: 1, threads: 1, int8: false }));
    assert.deepEqual(asked.times, new Array(timed).fill([1, 2]));
    assert.equal(table.runtimeVersion, "flops fake");
    assert.deepEqual(table.settings, { batch: 1, threads: 1, warmup: 1, repeats: 2, precision: "fp32" });
    // a whole network's FLOPs are its 5 parts' (stem, 3 blocks, head), its overhead is paid once
    assert.equal(table.constantMs, OVERHEAD_MS - 5 * OVERHEAD_MS);
    assert.deepEqual(table.accuracy, { architectures: 3, within10: 1, mape: 0, worst: 0 });
    // each checked network kept: timed at fakeMs of its FLOPs, and predicted exactly that
    assert.equal(table.checks?.length, settings.check);
    for (const c of table.checks ?? []) {
      assert.equal(c.measuredMs, fakeMs(c.flops));
      assert.equal(c.predictedMs, c.measuredMs);
    }
    // every genotype priced at exactly what the runtime times its whole network at
    const profiler = latencyProfiler(table);
    const truth = allGenotypes(tiny).map((g) => {
      const whole = fakeMs(countArch(validateArch(oneshotArchOf(tiny, input, g))).flops);
      assert.equal(profiler.measure(g), whole, JSON.stringify(g));
      return whole;
    });
    assert.equal(truth.length, 512);
    assert.equal(profiler.minimum?.(), Math.min(...truth));
  });

  it("in int8: every entry and whole network timed in QDQ form, recorded so, and read back", async () => {
    const { runtime, asked } = flopsRuntime();
    const table = await buildLatencyTable(tiny, input, runtime, { ...settings, precision: "int8" });
    assert.equal(asked.prepare.length, TINY_KEYS.length + settings.calibrate + settings.check);
    assert.ok(asked.prepare.every((o) => o.int8 === true));
    assert.equal(table.settings.precision, "int8");
    const path = join(dir, "lut-int8.json");
    saveLatencyTable(path, table);
    assert.equal(loadLatencyTable(path).settings.precision, "int8");
    const { precision: _fp32, ...older } = table.settings; // a table written before int8 tables existed
    writeFileSync(path, JSON.stringify({ ...table, settings: older }));
    assert.equal(loadLatencyTable(path).settings.precision, "fp32");
  });

  it("in int8 on onnxruntime-node: QDQ blocks priced for any genotype", async () => {
    const table = await buildLatencyTable(tiny, input, runtimeByName("ort-node"), {
      ...settings,
      precision: "int8",
    });
    assert.deepEqual(Object.keys(table.entries).sort(), [...TINY_KEYS].sort());
    for (const [key, ms] of Object.entries(table.entries))
      assert.ok(ms > 0 && Number.isFinite(ms), `${key}: ${ms} ms`);
    const predicted = latencyProfiler(table).measure(randomGenotype(tiny, new Random(4)));
    assert.ok(predicted > 0 && Number.isFinite(predicted), `${predicted}`);
  });

  it("can be built on the lithe runtime and priced for any genotype", async () => {
    const table = await buildLatencyTable(tiny, input, runtimeByName("lithe"), settings);
    assert.equal(table.runtime, "lithe");
    assert.match(table.runtimeVersion, /^libtorch \d+\.\d+/);
    assert.deepEqual(Object.keys(table.entries).sort(), [...TINY_KEYS].sort());
    for (const [key, ms] of Object.entries(table.entries))
      assert.ok(ms > 0 && Number.isFinite(ms), `${key}: ${ms} ms`);
    assert.ok(Number.isFinite(table.constantMs), `constant ${table.constantMs}`);
    assert.equal(table.accuracy.architectures, 3);
    assert.ok(Number.isFinite(table.accuracy.mape) && table.accuracy.mape >= 0, `${table.accuracy.mape}`);
    const predicted = latencyProfiler(table).measure(randomGenotype(tiny, new Random(4)));
    assert.ok(predicted > 0 && Number.isFinite(predicted), `${predicted}`);
  });
});
