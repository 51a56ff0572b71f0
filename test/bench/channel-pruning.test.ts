// `lithe bench channel-pruning` dry run on synthetic data at the tiniest settings: the JSON (and
// stdout) hold the base net and, per reduction, the channel-pruned net at the FLOPs and params its
// best.json counts to and below the base's FLOPs / speedup, the L1 baseline at the very same widths,
// every top-1 the runs logged (fine-tunings and the from-scratch run, which trains the base's plus the
// fine-tuning's epochs), the uniform-width net (every width of the base times one factor) within the
// same FLOPs target trained for as long, MetaPruning's searched widths (its search's best.json)
// trained for as long, the per-layer errors of layers.jsonl, latencies, for ResNet-18
// and MobileNetV2; --resume keeps every finished run without training again; a network the bench does
// not know and a widths rule it does not have are refused by their flags. The run uses --widths paper.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { mobilenetV2Channels } from "../../src/arch/families/mobilenet-v2.js";
import { resnetChannels } from "../../src/arch/families/resnet.js";
import { countArch, validateArch } from "../../src/arch/index.js";
import { fails, lithe } from "../cli/run-cli.js";
import { tempDir } from "../helpers.js";
import { loggedTestTop1, logLines, readJson, readJsonl } from "./bench-files.js";

const dir = tempDir("lithe-bench-chanprune-");
const out = join(dir, "bench");
const flags = [
  ...["--out", out, "--data", "synthetic:256", "--models", "resnet18,mobilenet_v2", "--width", "0.125"],
  ...["--speedups", "2", "--epochs", "1", "--fine-tune-epochs", "1", "--images", "32"],
  ...["--latency-repeats", "3", "--threads", "1"],
  ...["--pruning-net-epochs", "1", "--population", "2", "--generations", "1", "--widths", "paper"],
];

interface Row {
  speedup: number;
  flops: number;
  params: number;
  flops_ratio: number;
  latency_ms: number;
  layers: { layer: string }[];
  channel_pruning: { before_fine_tuning: number; after_fine_tuning: number };
  l1: { before_fine_tuning: number; after_fine_tuning: number };
  scratch: { epochs: number; top1: number };
  uniform: { epochs: number; top1: number; flops: number; params: number; latency_ms: number };
  metapruning: { epochs: number; top1: number; flops: number; params: number; holdout_top1: number };
}
type Model = { base: { top1: number; flops: number }; speedups: Row[] };
type Result = { models: { resnet18: Model; mobilenet_v2: Model } };

describe("lithe bench channel-pruning (dry run)", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes every figure of the base, the channel-pruned, L1 and from-scratch nets", () => {
    const r = lithe(["bench", "channel-pruning", ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const result = readJson<Result>(join(out, "bench-channel-pruning.json"));
    assert.deepEqual(JSON.parse(r.stdout), result);
    for (const name of ["resnet18", "mobilenet_v2"] as const) checkModel(result, name);
    // stderr is a pipe: a line per pruned layer, and each training's plain progress lines ending at 100%
    const lines = r.stderr.trim().split("\n");
    for (const name of ["resnet18", "mobilenet_v2"] as const) {
      const layers = lines.filter((l) =>
        new RegExp(`^${name} 2x \\S+: \\d+/\\d+ input channels kept`).test(l),
      );
      assert.equal(layers.length, result.models[name].speedups[0]?.layers.length);
    }
    const ended = lines.filter((l) => /^\S+ (\d+)\/\1 100% /.test(l)).map((l) => l.split(" ")[0]);
    for (const run of [
      "base",
      "channels-2x/fine-tuned",
      "l1-2x/fine-tuned",
      "scratch-2x",
      "uniform-2x",
      "metapruning-2x",
    ])
      assert.ok(ended.includes(`resnet18/${run}`), `no 100% line for resnet18/${run} in ${ended}`);
  });

  function checkModel(result: Result, name: "resnet18" | "mobilenet_v2"): void {
    const model = join(out, name);
    const { base, speedups } = result.models[name];
    assert.equal(base.top1, loggedTestTop1(join(model, "base")));
    const [row] = speedups;
    assert.ok(row);
    const best = validateArch(readJson(join(model, "channels-2x", "best.json")));
    // --widths paper reached the pruning: its single-layer analysis is there.
    assert.ok(existsSync(join(model, "channels-2x", "sensitivity.json")));
    assert.equal(row.flops, countArch(best).flops);
    assert.equal(row.params, countArch(best).params);
    assert.ok(row.flops <= base.flops / 2 && row.flops_ratio >= 2);
    assert.equal(countArch(validateArch(readJson(join(model, "l1-2x", "best.json")))).flops, row.flops);
    assert.deepEqual(row.layers, readJsonl(join(model, "channels-2x", "layers.jsonl")));
    assert.equal(
      row.channel_pruning.after_fine_tuning,
      loggedTestTop1(join(model, "channels-2x", "fine-tuned")),
    );
    assert.equal(row.l1.after_fine_tuning, loggedTestTop1(join(model, "l1-2x", "fine-tuned")));
    assert.equal(row.scratch.top1, loggedTestTop1(join(model, "scratch-2x")));
    assert.equal(logLines(join(model, "scratch-2x"), "epoch").length, 2);
    for (const v of [row.channel_pruning.before_fine_tuning, row.l1.before_fine_tuning])
      assert.ok(v >= 0 && v <= 1);
    assert.ok(row.latency_ms > 0);
    // The uniform-width net: every base width times one factor, within the target.
    const uniform = validateArch(readJson(join(model, "uniform-2x.json")));
    const baseArch = validateArch(readJson(join(model, "base.json")));
    assert.equal(row.uniform.flops, countArch(uniform).flops);
    assert.ok(row.uniform.flops <= base.flops / 2 && row.uniform.flops > base.flops / 4);
    assert.equal(row.uniform.top1, loggedTestTop1(join(model, "uniform-2x")));
    assert.equal(logLines(join(model, "uniform-2x"), "epoch").length, row.uniform.epochs);
    assert.ok(row.uniform.latency_ms > 0);
    // MetaPruning's searched widths: the search's best.json, within the target, trained as long.
    const searched = validateArch(readJson(join(model, "search-2x", "best.json")));
    assert.deepEqual(validateArch(readJson(join(model, "metapruning-2x.json"))), searched);
    assert.equal(row.metapruning.flops, countArch(searched).flops);
    assert.ok(row.metapruning.flops <= base.flops / 2);
    assert.equal(row.metapruning.top1, loggedTestTop1(join(model, "metapruning-2x")));
    assert.equal(logLines(join(model, "metapruning-2x"), "epoch").length, row.metapruning.epochs);
    assert.ok(row.metapruning.holdout_top1 >= 0 && row.metapruning.holdout_top1 <= 1);
    // Within rounding, every width is the base's times the widest layer's factor.
    const widths = (a: unknown) => JSON.stringify(a).match(/\d+/g)?.map(Number) ?? [];
    const channels = name === "resnet18" ? resnetChannels : mobilenetV2Channels;
    const before = widths(channels(baseArch as never));
    const now = widths(channels(uniform as never));
    assert.equal(before.length, now.length);
    const widest = before.indexOf(Math.max(...before));
    const s = (now[widest] as number) / (before[widest] as number);
    for (const [i, c] of before.entries())
      assert.ok(Math.abs((now[i] as number) - Math.max(1, c * s)) <= 1, `${now} vs ${before} x ${s}`);
  }

  it("--resume keeps the finished runs and their figures", () => {
    const weights = join(out, "resnet18", "channels-2x", "model.safetensors");
    const before = statSync(weights).mtimeMs;
    const first = readJson<Result>(join(out, "bench-channel-pruning.json"));
    const r = lithe(["bench", "channel-pruning", ...flags, "--resume", "--quiet"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "", "--quiet: no phase or progress lines");
    assert.equal(statSync(weights).mtimeMs, before);
    const again = readJson<Result>(join(out, "bench-channel-pruning.json"));
    const topOnes = (x: Result) =>
      x.models.resnet18.speedups.map((s) => [s.channel_pruning, s.l1, s.scratch, s.uniform.top1, s.flops]);
    assert.deepEqual(topOnes(again), topOnes(first));
    assert.ok(readFileSync(join(out, "bench-channel-pruning.json"), "utf8").endsWith("\n"));
  });

  it("refuses a network it does not know", () => {
    fails(
      ["bench", "channel-pruning", "--models", "alexnet", "--out", join(dir, "bad")],
      /--models.*alexnet/,
    );
    fails(
      ["bench", "channel-pruning", "--widths", "official", "--out", join(dir, "bad")],
      /--widths.*official/,
    );
  });
});
