// The guideline micro-benchmarks are the networks the paper describes: each plan walks, has the FLOPs
// its construction intends (counted by the analytic counter), and every table keeps FLOPs constant
// within a group (G1: within the paper's own 5.4%; G2, G3: 2%; G4: identical, only ReLUs and the
// shortcut differ).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { summarize } from "../../src/arch/cost.js";
import { listOps } from "../../src/arch/walk.js";
import {
  bottleneck,
  fragmentWidth,
  GUIDELINE_REPEATS,
  type GuidelineConfig,
  groupsOf,
  guidelineTables,
} from "../../src/latency/guidelines.js";

const tables = guidelineTables();
/** Largest FLOPs ratio - 1 allowed within a group. */
const SPREAD = { G1: 0.054, G2: 0.02, G3: 0.02, G4: 0 };
/** xs[i], failing the test when it is missing. */
function at<T>(xs: readonly T[] | undefined, i: number): T {
  const x = xs?.[i];
  assert.ok(x !== undefined, `no element ${i}`);
  return x;
}
const opsOf = (c: GuidelineConfig) => listOps(c.plan, c.input).ops;
const count = (c: GuidelineConfig) => summarize(opsOf(c));

describe("ShuffleNet V2 guideline benchmarks", () => {
  it("has the four tables with the paper's configurations", () => {
    assert.deepEqual(
      tables.map((t) => [t.id, t.configs.length]),
      [
        ["G1", 4],
        ["G2", 4],
        ["G3", 15],
        ["G4", 12],
      ],
    );
    assert.deepEqual(
      at(tables, 0).configs.map((c) => c.label),
      ["1:1 (c1=128, c2=128)", "1:2 (c1=90, c2=180)", "1:6 (c1=52, c2=312)", "1:12 (c1=36, c2=432)"],
    );
    assert.deepEqual(
      at(tables, 1).configs.map((c) => c.label),
      ["g=1 (c=128)", "g=2 (c=180)", "g=4 (c=256)", "g=8 (c=360)"],
    );
  });

  for (const t of tables) {
    it(`${t.id}: every plan has the intended FLOPs, constant within each group`, () => {
      for (const [group, configs] of groupsOf(t)) {
        const flops = configs.map((c) => {
          const counted = count(c);
          assert.equal(counted.flops, c.flops, `${t.id} ${group} ${c.label}`);
          const out = listOps(c.plan, c.input).output;
          assert.deepEqual(out, c.input, `${t.id} ${c.label}: the unit keeps its shape, so it stacks`);
          return counted.flops;
        });
        const spread = Math.max(...flops) / Math.min(...flops) - 1;
        assert.ok(spread <= SPREAD[t.id], `${t.id} ${group}: FLOPs spread ${spread}`);
      }
    });
  }

  it("G1: each block is two 1x1 convs, 10 blocks; G2: groups as labelled", () => {
    const convs = opsOf(at(at(tables, 0).configs, 1)).filter((o) => o.op === "conv");
    assert.equal(convs.length, 2 * GUIDELINE_REPEATS);
    assert.deepEqual([convs[0]?.inputs[0]?.c, convs[0]?.output.c, convs[1]?.output.c], [90, 180, 90]);
    const groups = opsOf(at(at(tables, 1).configs, 3)).map((o) => o.attrs.groups);
    assert.deepEqual(new Set(groups), new Set([8]));
  });

  it("G3: fragments in series are a chain, in parallel are summed branches", () => {
    const c128 = groupsOf(at(tables, 2)).find(([g]) => g === "c=128")?.[1];
    const kinds = (i: number, op: string) => opsOf(at(c128, i)).filter((o) => o.op === op).length;
    assert.equal(fragmentWidth(128, 4), 64);
    assert.equal(kinds(2, "conv"), 4 * GUIDELINE_REPEATS);
    assert.equal(kinds(2, "add"), 0);
    assert.equal(kinds(4, "conv"), 4 * GUIDELINE_REPEATS);
    assert.equal(kinds(4, "add"), 3 * GUIDELINE_REPEATS);
    assert.equal(kinds(3, "add"), GUIDELINE_REPEATS);
  });

  it("G4: the variants differ only in ReLUs and the shortcut add", () => {
    const kinds = (relu: boolean, shortcut: boolean) =>
      listOps(bottleneck(16, { relu, shortcut }), { c: 64, h: 8, w: 8 }).ops.map((o) => o.op);
    const full = kinds(true, true);
    assert.deepEqual(full.filter((k) => k === "act").length, 3);
    assert.deepEqual(full.filter((k) => k === "add").length, 1);
    assert.deepEqual(kinds(false, false), ["conv", "bn", "conv", "bn", "conv", "bn"]);
    assert.deepEqual(kinds(true, false).filter((k) => k === "act").length, 3);
    assert.deepEqual(kinds(false, true).filter((k) => k === "add").length, 1);
  });

  it("judges directions as the criteria say", () => {
    const [g1, g2, g3, g4] = [0, 1, 2, 3].map((i) => at(tables, i));
    assert.equal(g1.agrees([1, 2, 3, 4]), true);
    assert.equal(g1.agrees([2, 1, 3, 4]), false);
    assert.equal(g2.agrees([1, 3, 2, 4]), true);
    assert.equal(g2.agrees([1, 3, 5, 4]), false);
    assert.equal(g3.agrees([1, 2, 3, 2, 3]), true);
    assert.equal(g3.agrees([1, 3, 2, 2, 3]), false);
    assert.equal(g4.agrees([4, 3, 3, 2]), true);
    assert.equal(g4.agrees([4, 3, 3, 3.5]), false);
  });
});
