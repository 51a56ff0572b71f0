// SPOS from the user's side on a small synthetic set: a supernet run, then searches on it. A search
// killed mid-generation and resumed writes exactly what an uninterrupted one writes; two limits reuse
// one supernet; every logged candidate's FLOPs and params are those of its standalone network, built and
// counted independently of the search (FLOPs by the traced counter, params as the sum of its
// parameters' sizes), and within its limit; the winner, loaded with its inherited weights, counts the
// same; an impossible limit fails before anything is evaluated or written.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { oneshotArchOf } from "../../src/arch/families/oneshot.js";
import type { Genotype } from "../../src/arch/genotype.js";
import { resolveArch } from "../../src/arch/index.js";
import { validateArch } from "../../src/arch/schema.js";
import { randomGenotype } from "../../src/arch/spaces/spos.js";
import { tidy } from "../../src/engine/index.js";
import { runtimeByName } from "../../src/latency/runtimes/index.js";
import { buildModel, tracedCount } from "../../src/models/index.js";
import { buildLatencyTable, latencyProfiler } from "../../src/nas/latency-table.js";
import { saveLatencyTable } from "../../src/nas/latency-table-file.js";
import { runSearch, runSupernetTraining } from "../../src/nas/spos.js";
import type { Module } from "../../src/nn/index.js";
import type { Candidate } from "../../src/search/evolution.js";
import type { SearchOptions } from "../../src/search/search-run.js";
import { loadModel } from "../../src/train/setup.js";
import { Random } from "../../src/util/random.js";
import { tempDir } from "../helpers.js";

const dir = tempDir("lithe-search-");
const supernet = join(dir, "supernet");
const data = { source: "synthetic:160", augment: "none", workers: 0 };

interface Variation extends Pick<SearchOptions, "runtime" | "precision" | "onCandidate"> {
  flops?: number | undefined;
  latency?: number;
  lut?: string;
  resume?: boolean;
}

/** A search of the supernet into `out`: 7M FLOPs unless `more` says otherwise. */
const search = (out: string, more: Variation = {}) => {
  const flops = "flops" in more ? more.flops : 7e6;
  return runSearch({
    net: supernet,
    limits: {
      ...(flops === undefined ? {} : { flops }),
      ...(more.latency === undefined ? {} : { latency: more.latency }),
    },
    ...(more.lut === undefined ? {} : { latencyPredictor: more.lut }),
    ...(more.runtime === undefined ? {} : { runtime: more.runtime }),
    ...(more.precision === undefined ? {} : { precision: more.precision }),
    run: { out: join(dir, out), resume: more.resume ?? false },
    method: "evolution",
    evolution: { population: 4, generations: 3, topK: 2, seed: 5 },
    scoring: { recalibrationImages: 32, batchSize: 32, workers: 0 },
    ...(more.onCandidate ? { onCandidate: more.onCandidate } : {}),
  });
};

const lines = (out: string) => readFileSync(join(dir, out, "search.jsonl"), "utf8");
const candidates = (out: string) =>
  lines(out)
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Candidate);

describe("lithe search on a trained supernet", () => {
  before(async () => {
    await runSupernetTraining({
      data,
      recipe: { epochs: 1, steps: 3, batchSize: 32, logEvery: 1, checkpointEvery: 100 },
      space: "spos_small",
      stem: "small",
      holdoutShare: 0.2,
      run: { out: supernet },
    });
  });

  it("resumes a search killed mid-generation to the same log and winner as an uninterrupted one, its time counted whole", async () => {
    const whole = await search("whole");
    assert.equal(whole.evaluated, 12);
    let seen = 0;
    await assert.rejects(
      search("killed", {
        onCandidate: () => {
          if (++seen === 6) throw new Error("killed");
        },
      }),
      /killed/,
    );
    assert.equal(candidates("killed").length, 6, "the log up to the kill");
    const [spent] = readFileSync(join(dir, "killed", "search-time.jsonl"), "utf8")
      .trim()
      .split("\n");
    const before = JSON.parse(spent as string).seconds as number;
    assert.ok(before > 0, "the time spent before the kill is kept");
    const started = performance.now();
    const resumed = await search("killed", { resume: true });
    const call = (performance.now() - started) / 1000;
    // the resumed search's time is the earlier call's plus its own
    assert.ok(resumed.seconds > before && resumed.seconds - before <= call, `${resumed.seconds} s`);
    assert.equal(lines("killed"), lines("whole"));
    assert.deepEqual(resumed.best, whole.best);
    assert.equal(
      readFileSync(join(dir, "killed", "best.json"), "utf8"),
      readFileSync(join(dir, "whole", "best.json"), "utf8"),
    );
  });

  it("reuses the supernet for another limit; every logged candidate counts, built, within its limit", async () => {
    const run = JSON.parse(readFileSync(join(supernet, "run.json"), "utf8"));
    const { space, family: _family, ...input } = run.arch;
    /** FLOPs as the traced counter counts a forward pass of `model`; params as the sum of its parameters' sizes. */
    const counted = (model: Module) => ({
      flops: tracedCount(model, input.inChannels, input.inputSize).flops,
      params: model.parameters().reduce((s, p) => s + p.numel, 0),
    });
    const standalone = (g: Genotype) =>
      tidy(() => counted(buildModel(validateArch(oneshotArchOf(space, input, g)))));
    for (const [out, flops] of [
      ["loose", 8e6],
      ["tight", 5.5e6],
    ] as const) {
      const r = await search(out, { flops });
      const logged = candidates(out);
      assert.equal(logged.length, 12);
      for (const c of logged) {
        const built = standalone(c.genotype);
        assert.deepEqual(c.costs, built, JSON.stringify(c.genotype));
        assert.ok(built.flops <= flops, `${built.flops} > ${flops}`);
      }
      // the winner as the zoo builds it from best.json, with the weights it inherited from the supernet
      const winner = resolveArch(join(dir, out, "best.json"));
      assert.deepEqual(
        tidy(() => counted(loadModel(winner, join(dir, out, "best.safetensors")))),
        r.best.costs,
        "the winner counts, traced, the FLOPs and params the search promised",
      );
    }
  });

  it("searches under a latency limit predicted by a table of the supernet's space, refusing another's", async () => {
    const run = JSON.parse(readFileSync(join(supernet, "run.json"), "utf8"));
    const { space, family: _family, ...input } = run.arch;
    const settings = { batch: 1, threads: 1, warmup: 0, repeats: 1, calibrate: 1, check: 1, seed: 0 };
    const table = await buildLatencyTable(space, input, runtimeByName("lithe"), settings);
    const lut = join(dir, "lut.json");
    saveLatencyTable(lut, table);
    const predict = latencyProfiler(table);
    const limit = predict.measure(randomGenotype(space, new Random(3)));
    await search("latency", { flops: undefined, latency: limit, lut });
    const logged = candidates("latency");
    assert.ok(logged.length > 0);
    for (const c of logged) assert.ok((c.costs.latency as number) <= limit, `${c.costs.latency} > ${limit}`);
    assert.deepEqual(
      logged.map((c) => c.costs.latency),
      logged.map((c) => predict.measure(c.genotype)),
    );
    const other = join(dir, "lut-other.json");
    saveLatencyTable(other, { ...table, input: { ...table.input, classes: 3 } });
    await assert.rejects(
      search("latency-other", { latency: limit, lut: other }),
      /built for classes 3, the supernet has 10/,
    );
    await assert.rejects(
      search("latency-runtime", { latency: limit, lut, runtime: "ort-node" }),
      /measured on lithe, not ort-node/,
    );
    await assert.rejects(
      search("latency-int8", { latency: limit, lut, precision: "int8" }),
      /lut\.json: timed in fp32, not int8/,
    );
    await assert.rejects(
      search("latency-nolut", { latency: limit }),
      /needs a latency predictor \(option latencyPredictor\) of the supernet's space and input, from `lithe latency-table`/,
    );
  });

  it("lets timers run between candidates (a search does not starve the event loop)", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const seen: number[] = [];
    try {
      await search("event-loop", { onCandidate: () => seen.push(ticks) });
    } finally {
      clearInterval(timer);
    }
    assert.equal(seen.length, 12);
    for (let i = 1; i < seen.length; i++)
      assert.ok((seen[i] as number) > (seen[i - 1] as number), `no timer ran between candidates: ${seen}`);
  });

  it("refuses an impossible limit before evaluating or writing anything", async () => {
    await assert.rejects(
      search("impossible", { flops: 1e6 }),
      /flops <= 1M is impossible in spos_small: its smallest architecture has 2\.\d+M/,
    );
    assert.equal(existsSync(join(dir, "impossible")), false);
  });

  it("refuses to overwrite a finished search without resume, and a corrupt checkpoint", async () => {
    await assert.rejects(
      search("whole"),
      /already holds a search; pass option run\.resume to continue it or choose another option run\.out/,
    );
    writeFileSync(join(dir, "killed", "search-state.json"), "{ half");
    await assert.rejects(search("killed", { resume: true }), /search-state\.json: cannot resume from it/);
  });
});
