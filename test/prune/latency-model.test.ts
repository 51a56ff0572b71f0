// The pruning latency model: its features on a plan counted by hand, and each op's share of them; non-negative least squares that
// never returns a negative coefficient and meets the optimality (KKT) conditions on random problems;
// on a fake runtime whose latency is a known linear function of the features (TRUTH): the fit
// recovering TRUTH, predictions equal to the true latency and growing with every gene one value up by
// exactly the true growth, and a minimum equal to the true latency of the fastest network (found by
// brute force over a small space); a model built on onnxruntime-node checked only for what holds on
// every CPU (every network timed, finite non-negative predictions, refused for another input or
// runtime); the file round trip and clear refusals (corrupt file, another space, input or runtime, a
// latency limit without a model).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { planOf } from "../../src/arch/count.js";
import type { ArchInput } from "../../src/arch/family.js";
import type { Node } from "../../src/arch/plan.js";
import {
  narrowSpace,
  PRUNING_SPACES,
  type PruningSpace,
  prunedArch,
  uniformGenotype,
} from "../../src/arch/spaces/pruning.js";
import { listOps } from "../../src/arch/walk.js";
import type { SelfTimedRunner } from "../../src/latency/harness.js";
import { nnls } from "../../src/latency/nnls.js";
import { runtimeByName } from "../../src/latency/runtimes/index.js";
import type { Runtime } from "../../src/latency/types.js";
import {
  buildLatencyModel,
  LATENCY_FEATURES,
  type LatencyModel,
  latencyFeatures,
  latencyModelProfiler,
  opLatencyFeatures,
} from "../../src/prune/latency-model.js";
import { loadLatencyModel, saveLatencyModel } from "../../src/prune/latency-model-file.js";
import { runPruneSearch } from "../../src/prune/metapruning.js";
import { pruningGenes } from "../../src/prune/space.js";
import { sampleGenotype } from "../../src/search/genes.js";
import type { Genotype } from "../../src/search/types.js";
import { Random } from "../../src/util/random.js";
import { assertClose, tempDir } from "../helpers.js";

const dir = tempDir("lithe-latency-model-");
const input: ArchInput = { inputSize: 32, inChannels: 3, classes: 10, stem: "small" };
const space: PruningSpace = {
  ...narrowSpace(PRUNING_SPACES.mobilenet_v1, 0.125),
  scales: [0.25, 0.5, 0.75, 1],
};
const smallest = uniformGenotype(space, 0.25);

const dot = (u: readonly number[], v: readonly number[]) => u.reduce((s, x, i) => s + x * v[i], 0);

/** A runtime that runs nothing and reports `truth` . features ms for every network it prepares. */
function linearRuntime(truth: readonly number[]): Runtime {
  return {
    name: "lithe",
    unavailable: async () => null,
    version: async () => "linear fake",
    prepare: async (plan, shape) => {
      const ms = dot(truth, latencyFeatures(plan, shape));
      const runner: SelfTimedRunner = {
        run: async () => {},
        close: async () => {},
        times: async (_warmup, repeats) => new Array<number>(repeats).fill(ms),
      };
      return runner;
    },
  };
}

const fast = { batch: 1, threads: 1, warmup: 0, repeats: 1, seed: 3 };
const TRUTH = [0.05, 0.2, 1.5, 0, 0.03, 0.1, 0.4]; // one coefficient 0: the fit must not make it negative
const fakeModel = () => buildLatencyModel(space, input, linearRuntime(TRUTH), { ...fast, fit: 20, check: 5 });

/** The true latency of an encoding: what linearRuntime(TRUTH) reports for its network. */
const trueMs = (s: PruningSpace, g: Genotype) =>
  dot(
    TRUTH,
    latencyFeatures(planOf(prunedArch(s, g, input)), {
      c: input.inChannels,
      h: input.inputSize,
      w: input.inputSize,
    }),
  );

/** A PruningNet run of `space` on `netInput` as far as the search reads before loading weights: its run.json. */
function pruningNet(name: string, netInput: ArchInput): string {
  const net = join(dir, name);
  mkdirSync(net, { recursive: true });
  const data = { source: "synthetic:64", augment: "none", holdout: 16, seed: 0 };
  writeFileSync(
    join(net, "run.json"),
    JSON.stringify({ arch: { family: "metapruning-net", space, ...netInput }, data }),
  );
  return net;
}

type SearchLimits = { latency?: number; latencyModel?: string; runtime?: string };

const pruneSearch = (net: string, out: string, o: SearchLimits) =>
  runPruneSearch({
    net,
    limits: o.latency === undefined ? {} : { latency: o.latency },
    ...(o.latencyModel === undefined ? {} : { latencyPredictor: o.latencyModel }),
    ...(o.runtime === undefined ? {} : { runtime: o.runtime }),
    run: { out: join(dir, out) },
    method: "random",
    evolution: { population: 2, generations: 1 },
    scoring: { batchSize: 8, workers: 0 },
  });

describe("pruning latency model", () => {
  it("features of a small plan, counted by hand", () => {
    const conv = (out: number, k: number, groups: number): Node => ({
      op: "conv",
      out,
      k,
      stride: 1,
      pad: (k - 1) / 2,
      groups,
      bias: false,
    });
    const plan: Node = {
      op: "seq",
      layers: [
        ["stem", conv(8, 3, 1)], // 3x8x8 -> 8x8x8
        ["bn", { op: "bn", affine: true }],
        ["relu", { op: "act", fn: "relu" }],
        ["pw", conv(16, 1, 1)], // -> 16x8x8
        ["dw", conv(16, 3, 16)],
        ["pool", { op: "gap", keepdim: false }], // -> [16]
        ["fc", { op: "linear", out: 10, bias: true }],
      ],
    };
    const expected = [
      1,
      1024 * 8, // pointwise: 16x8x8 outputs, 8 products each
      1024 * 9, // depthwise: 16x8x8 outputs, 9 products each
      512 * 27 + 160, // stem: 8x8x8 outputs, 3x3x3 products each; fc 16 x 10
      // read + written + weights: stem, bn, relu, pw, dw, pool, fc
      192 +
        512 +
        216 +
        (512 + 512 + 16) +
        1024 +
        (512 + 1024 + 128) +
        (1024 + 1024 + 144) +
        (1024 + 16) +
        (16 + 10 + 170),
      512 + 512 + 16, // written by bn, relu, pool
    ].map((v, i) => (i === 0 ? v : v / 1e6));
    expected.push(16 / 1e3); // depthwise channels
    assertClose(latencyFeatures(plan, { c: 3, h: 8, w: 8 }), expected, { rtol: 1e-12, what: "features" });
    // each op's share (the report's per-op latency): the stem's and the depthwise conv's by hand, all summing to the whole
    const ops = listOps(plan, { c: 3, h: 8, w: 8 }).ops;
    const share = ops.map(opLatencyFeatures);
    assertClose(share[0] as number[], [0, 0, 0, (512 * 27) / 1e6, (192 + 512 + 216) / 1e6, 0, 0], {
      rtol: 1e-12,
      what: "stem",
    });
    assertClose(share[4] as number[], [0, 0, (1024 * 9) / 1e6, 0, (1024 + 1024 + 144) / 1e6, 0, 16 / 1e3], {
      rtol: 1e-12,
      what: "depthwise",
    });
    const summed = share.reduce((s, f) => s.map((v, i) => v + (f[i] as number)), [1, 0, 0, 0, 0, 0, 0]);
    assertClose(summed, expected, { rtol: 1e-12, what: "summed shares" });
  });

  it("NNLS never returns a negative coefficient and meets the optimality conditions", () => {
    const random = new Random(11);
    for (let trial = 0; trial < 300; trial++) {
      const m = 1 + random.int(30);
      const n = 1 + random.int(7);
      const scales = Array.from({ length: n }, () => 10 ** random.uniform(-3, 6));
      const rows = Array.from({ length: m }, () => scales.map((s) => s * random.uniform(-1, 1)));
      if (n > 2 && random.next() < 0.3) for (const r of rows) r[n - 1] = 2 * r[0] + r[1]; // collinear
      if (n > 1 && random.next() < 0.2) for (const r of rows) r[1] = 0; // a feature that never varies
      const b = rows.map(() => random.uniform(-5, 10));
      const x = nnls(rows, b);
      assert.equal(x.length, n);
      assert.ok(
        x.every((v) => v >= 0 && Number.isFinite(v)),
        `trial ${trial}: ${x}`,
      );
      // KKT: w = A'(b - A x) is 0 where x > 0 and <= 0 where x = 0 (relative to each column's size)
      const residual = b.map((bi, i) => bi - dot(rows[i], x));
      for (let j = 0; j < n; j++) {
        const column = rows.map((r) => r[j]);
        const w = dot(column, residual) / (Math.hypot(...column) * Math.hypot(...b) || 1);
        if (x[j] > 0) assert.ok(Math.abs(w) < 1e-6, `trial ${trial}: w[${j}] = ${w} at x = ${x[j]}`);
        else assert.ok(w < 1e-6, `trial ${trial}: w[${j}] = ${w} > 0 at x = 0`);
      }
    }
  });

  it("recovers the coefficients of a runtime whose latency is linear in the features", async () => {
    const model = await fakeModel();
    assert.deepEqual(model.features, [...LATENCY_FEATURES]);
    assert.ok(model.coefficients.every((c) => c >= 0));
    assertClose(model.coefficients, TRUTH, { rtol: 1e-6, atol: 1e-9, what: "coefficients" });
    assert.equal(model.measured.fit.length, 20);
    assert.equal(model.measured.check.length, 5);
    assert.deepEqual(model.measured.fit[0]?.encoding, smallest, "the smallest network is fitted on");
    assert.deepEqual(model.measured.fit[1]?.encoding, uniformGenotype(space, 1), "and the largest");
    for (const a of [model.accuracy.fit, model.accuracy.check]) {
      assert.equal(a.within10, 1);
      assert.ok(a.worst < 1e-9, `worst ${a.worst}`);
    }
  });

  it("refuses to fit fewer networks than features", async () => {
    await assert.rejects(
      buildLatencyModel(space, input, linearRuntime(TRUTH), { ...fast, fit: 3, check: 0 }),
      /fit: a latency model is fitted on at least 7 networks \(one per feature\), got 3/,
    );
  });

  it("predicts the fake runtime's latency, growing strictly with every gene one value up", async () => {
    const profiler = latencyModelProfiler(await fakeModel());
    const genes = pruningGenes(space).genes;
    const random = new Random(5);
    // from the smallest network to the largest, one gene one value up at a time, in random orders:
    // every step widens a layer, so the true latency grows by TRUTH . (its features' growth) > 0
    for (let walk = 0; walk < 3; walk++) {
      let g: Genotype = { ...smallest };
      for (;;) {
        const open = genes.filter((gene) => g[gene.label] !== gene.values.at(-1));
        if (open.length === 0) break;
        const gene = random.pick(open);
        const up = { ...g, [gene.label]: gene.values[gene.values.indexOf(g[gene.label] as number) + 1] };
        const truth = [trueMs(space, g), trueMs(space, up)];
        const predicted = [profiler.measure(g), profiler.measure(up)];
        assertClose(predicted, truth, { rtol: 1e-9, atol: 0, what: `${gene.label} up` });
        const rise = (truth[1] as number) - (truth[0] as number);
        assert.ok(rise > 0, `true latency does not grow with ${gene.label}: ${truth}`);
        assertClose([(predicted[1] as number) - (predicted[0] as number)], [rise], {
          rtol: 1e-6,
          atol: 0,
          what: `predicted growth with ${gene.label}`,
        });
        g = up;
      }
      assert.deepEqual(g, uniformGenotype(space, 1));
    }
  });

  it("has its minimum at the fastest network (the truth at the smallest; brute force over a 5-gene space)", async () => {
    const minimum = latencyModelProfiler(await fakeModel()).minimum?.() as number;
    assertClose([minimum], [trueMs(space, smallest)], { rtol: 1e-9, atol: 0, what: "minimum" });
    // out_0, out_3, ..., out_12: 4^5 = 1024 encodings; the other layers keep their base widths
    const few: PruningSpace = { ...space, name: "few", genes: space.genes.filter((_, i) => i % 3 === 0) };
    const model = await buildLatencyModel(few, input, linearRuntime(TRUTH), { ...fast, fit: 12, check: 0 });
    const profiler = latencyModelProfiler(model);
    let encodings: Genotype[] = [{}];
    for (const gene of pruningGenes(few).genes)
      encodings = encodings.flatMap((g) => gene.values.map((v) => ({ ...g, [gene.label]: v })));
    assert.equal(encodings.length, 1024);
    const truth = encodings.map((g) => trueMs(few, g));
    const fastest = truth.indexOf(Math.min(...truth));
    assert.deepEqual(encodings[fastest], uniformGenotype(few, 0.25), "the fastest network");
    assert.equal(profiler.minimum?.(), Math.min(...encodings.map((g) => profiler.measure(g))));
    assertClose([profiler.minimum?.() as number], [truth[fastest] as number], {
      rtol: 1e-9,
      atol: 0,
      what: "minimum",
    });
  });

  it("built on onnxruntime-node: every network timed, predictions finite and non-negative", async () => {
    const steps: string[] = [];
    const model = await buildLatencyModel(space, input, runtimeByName("ort-node"), {
      ...fast,
      warmup: 2,
      repeats: 5,
      fit: 8,
      check: 3,
      onProgress: (done, total, what) => steps.push(`${done}/${total} ${what}`),
    });
    // which coefficients a fit keeps depends on the CPU's kernels (AVX2 or AVX-512), so only what
    // holds on every machine is checked here; the fit itself is checked on the fake runtime above
    assert.deepEqual(steps, [
      ...Array.from({ length: 8 }, (_, i) => `${i + 1}/11 fit`),
      ...Array.from({ length: 3 }, (_, i) => `${i + 9}/11 check`),
    ]);
    assert.equal(model.runtime, "ort-node");
    assert.match(model.runtimeVersion, /^onnxruntime-node \d+\.\d+/);
    assert.deepEqual(model.settings, { batch: 1, threads: 1, warmup: 2, repeats: 5, precision: "fp32" });
    assert.deepEqual([model.measured.fit.length, model.measured.check.length], [8, 3]);
    assert.deepEqual([model.accuracy.fit.architectures, model.accuracy.check.architectures], [8, 3]);
    for (const m of [...model.measured.fit, ...model.measured.check])
      assert.ok(m.ms > 0 && Number.isFinite(m.ms), `measured ${m.ms} ms`);
    assert.equal(model.coefficients.length, LATENCY_FEATURES.length);
    assert.ok(
      model.coefficients.every((c) => c >= 0 && Number.isFinite(c)),
      `${model.coefficients}`,
    );
    const profiler = latencyModelProfiler(model);
    const random = new Random(5);
    const encodings = [
      ...space.scales.map((s) => uniformGenotype(space, s)),
      ...Array.from({ length: 20 }, () => sampleGenotype(pruningGenes(space), random)),
    ];
    for (const ms of [profiler.minimum?.() as number, ...encodings.map((g) => profiler.measure(g))])
      assert.ok(ms >= 0 && Number.isFinite(ms), `predicted ${ms} ms`);
    // and a search refuses it for a PruningNet of another input, or when asked for another runtime
    const path = join(dir, "ort-node.json");
    saveLatencyModel(path, model);
    assert.deepEqual(loadLatencyModel(path), model);
    await assert.rejects(
      pruneSearch(pruningNet("net-28", { ...input, inputSize: 28 }), "ort-28", {
        latency: 1,
        latencyModel: path,
      }),
      /ort-node\.json: built for inputSize 32, the PruningNet has 28/,
    );
    await assert.rejects(
      pruneSearch(pruningNet("net-32", input), "ort-lithe", {
        latency: 1,
        latencyModel: path,
        runtime: "lithe",
      }),
      /ort-node\.json: measured on ort-node, not lithe/,
    );
    for (const out of ["ort-28", "ort-lithe"]) assert.ok(!existsSync(join(dir, out)), `${out} written`);
  });

  it("survives the disk round trip and refuses a file that is not a latency model", async () => {
    const model = await fakeModel();
    const path = join(dir, "model.json");
    saveLatencyModel(path, model);
    assert.deepEqual(loadLatencyModel(path), model);
    const bad = join(dir, "bad.json");
    const refused = (broken: unknown, message: RegExp) => {
      writeFileSync(bad, typeof broken === "string" ? broken : JSON.stringify(broken));
      assert.throws(() => loadLatencyModel(bad), message);
    };
    refused("{", /bad\.json: invalid JSON/);
    const coefficients = [...model.coefficients];
    coefficients[2] = -1;
    refused({ ...model, coefficients }, /bad\.json: not a latency model: field "coefficients\.2"/);
    refused(
      { ...model, features: ["constant", "flops"] },
      /bad\.json: not a latency model: field "features"/,
    );
    refused({ ...model, runtime: "tpu" }, /bad\.json: not a latency model: field "runtime"/);
    const { measured: _measured, ...partial } = model;
    refused(partial, /bad\.json: not a latency model: field "measured"/);
    assert.throws(() => loadLatencyModel(join(dir, "missing.json")), /missing\.json: cannot read \(ENOENT\)/);
  });

  it("a search with a latency limit needs a model of its PruningNet's space, input and runtime", async () => {
    const model = await fakeModel();
    const net = pruningNet("net", input);
    const search = (out: string, o: SearchLimits) => pruneSearch(net, out, o);
    const save = (name: string, m: LatencyModel) => {
      saveLatencyModel(join(dir, name), m);
      return join(dir, name);
    };
    const good = save("good.json", model);
    const minimum = latencyModelProfiler(model).minimum?.() as number;
    await assert.rejects(
      search("nomodel", { latency: 1 }),
      /a latency limit \(option limits\.latency\) needs a latency predictor \(option latencyPredictor\) .*`lithe prune latency-model`/,
    );
    await assert.rejects(
      search("space", {
        latency: 1,
        latencyModel: save("space.json", { ...model, space: { ...space, name: "mine" } }),
      }),
      /space\.json: built for space "mine", not this PruningNet's "mobilenet_v1_x0\.125"/,
    );
    await assert.rejects(
      search("scales", {
        latency: 1,
        latencyModel: save("scales.json", { ...model, space: { ...space, scales: [1] } }),
      }),
      /scales\.json: built for space "mobilenet_v1_x0\.125", not this PruningNet's/,
    );
    await assert.rejects(
      search("input", {
        latency: 1,
        latencyModel: save("input.json", { ...model, input: { ...input, inputSize: 28 } }),
      }),
      /input\.json: built for inputSize 28, the PruningNet has 32/,
    );
    await assert.rejects(
      search("runtime", { latency: 1, latencyModel: good, runtime: "ort-node" }),
      /good\.json: measured on lithe, not ort-node/,
    );
    await assert.rejects(
      search("impossible", { latency: minimum / 2, latencyModel: good }),
      /latency <= [\d.]+ms is impossible in mobilenet_v1_x0\.125: its smallest architecture has [\d.]+ms/,
    );
    for (const out of ["nomodel", "space", "impossible"])
      assert.ok(!existsSync(join(dir, out)), `${out} written`);
  });
});
