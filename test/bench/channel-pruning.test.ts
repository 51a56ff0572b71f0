// `lithe bench channel-pruning` dry run on synthetic data at the tiniest settings: the JSON (and
// stdout) hold the base net and, per reduction, the channel-pruned net at the FLOPs and params its
// best.json counts to and below the base's FLOPs / speedup, the L1 baseline at the very same widths,
// every top-1 the runs logged (fine-tunings and the from-scratch run, which trains the base's plus the
// fine-tuning's epochs), the per-layer errors of layers.jsonl, latencies; with stderr a pipe, a line per
// phase and per pruned layer and each training's plain progress lines ending at 100%; --resume keeps
// every finished run without training again (and --quiet prints nothing on stderr); a network the
// bench does not know is refused by its flag.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { countArch, validateArch } from "../../src/arch/index.js";
import { fails, lithe } from "../cli/run-cli.js";
import { loggedTestTop1, logLines, readJson, readJsonl } from "./bench-files.js";

const dir = mkdtempSync(join(tmpdir(), "lithe-bench-chanprune-"));
const out = join(dir, "bench");
const flags = [
  ...["--out", out, "--data", "synthetic:256", "--models", "resnet18", "--width", "0.125"],
  ...["--speedups", "2", "--epochs", "1", "--fine-tune-epochs", "1", "--images", "32"],
  ...["--latency-repeats", "3", "--threads", "1"],
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
}
type Result = { models: { resnet18: { base: { top1: number; flops: number }; speedups: Row[] } } };

describe("lithe bench channel-pruning (dry run)", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));
  const model = join(out, "resnet18");

  it("writes every figure of the base, the channel-pruned, L1 and from-scratch nets", () => {
    const r = lithe(["bench", "channel-pruning", ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const result = readJson<Result>(join(out, "bench-channel-pruning.json"));
    assert.deepEqual(JSON.parse(r.stdout), result);
    const { base, speedups } = result.models.resnet18;
    assert.equal(base.top1, loggedTestTop1(join(model, "base")));
    const [row] = speedups;
    assert.ok(row);
    const best = validateArch(readJson(join(model, "channels-2x", "best.json")));
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
    // stderr is a pipe: a line per phase and per pruned layer, and each training's plain progress lines
    const lines = r.stderr.trim().split("\n");
    const known = [
      /^\[bench channel-pruning \d\d:\d\d:\d\d\] resnet18/,
      /^resnet18 2x \S+: \d+\/\d+ input channels kept, relative error \d\.\d{4}$/,
      /^resnet18\/\S+ \d+\/\d+ \d+% \| epoch \d loss \d+\.\d{3} lr \d\.\d{4} \| \d+\.\d step\/s/,
    ];
    assert.deepEqual(
      lines.filter((l) => !known.some((k) => k.test(l))),
      [],
      "lines other than phases, layers and progress",
    );
    assert.equal(lines.filter((l) => l.startsWith("resnet18 2x ")).length, row.layers.length);
    // the base, both fine-tunings and the from-scratch run each end on a 100% line
    assert.deepEqual(
      lines.filter((l) => /^\S+ (\d+)\/\1 100% /.test(l)).map((l) => l.split(" ")[0]),
      [
        "resnet18/base",
        "resnet18/channels-2x/fine-tuned",
        "resnet18/l1-2x/fine-tuned",
        "resnet18/scratch-2x",
      ],
    );
  });

  it("--resume keeps the finished runs and their figures", () => {
    const weights = join(model, "channels-2x", "model.safetensors");
    const before = statSync(weights).mtimeMs;
    const first = readJson<Result>(join(out, "bench-channel-pruning.json"));
    const r = lithe(["bench", "channel-pruning", ...flags, "--resume", "--quiet"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "", "--quiet: no phase or progress lines");
    assert.equal(statSync(weights).mtimeMs, before);
    const again = readJson<Result>(join(out, "bench-channel-pruning.json"));
    const topOnes = (x: Result) =>
      x.models.resnet18.speedups.map((s) => [s.channel_pruning, s.l1, s.scratch, s.flops]);
    assert.deepEqual(topOnes(again), topOnes(first));
    assert.ok(readFileSync(join(out, "bench-channel-pruning.json"), "utf8").endsWith("\n"));
  });

  it("refuses a network it does not know", () => {
    fails(
      ["bench", "channel-pruning", "--models", "alexnet", "--out", join(dir, "bad")],
      /--models.*alexnet/,
    );
  });
});
