// The `lithe bench` subcommands as declared in bench/: --help lists every bench with its flags and
// defaults, every bench takes --quiet (which leaves stderr empty), defaults written as typed are
// parsed like typed values, bad --limits, --seeds and runtime names fail with one line naming the
// flag, and `lithe` laid out as the published package (no dist/bench) runs its other commands and
// answers `lithe bench` with one line and a non-zero exit.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, it, mock } from "node:test";
import { Command } from "commander";
import { addBench, type BenchCommand } from "../../bench/command.js";
import { latencyCommand } from "../../bench/latency.command.js";
import { metaPruningCommand } from "../../bench/metapruning.command.js";
import { sposCommand } from "../../bench/spos.command.js";
import { fails, LITHE, lithe } from "../cli/run-cli.js";
import { ROOT, tempDir } from "../helpers.js";

const BENCHES = [
  "engine",
  "counter",
  "train",
  "latency",
  "guidelines",
  "spos",
  "metapruning",
  "channel-pruning",
  "quant-search",
  "distributed",
];

/** The flags `bench`'s run would get from `args`, parsed by its declaration without running it. */
async function parsedFlags(bench: BenchCommand, args: string[] = []): Promise<object> {
  let seen: object | undefined;
  const group = new Command().exitOverride();
  const run = async (flags: object) => {
    seen = flags;
    return "";
  };
  addBench(group, { ...bench, run });
  const log = mock.method(console, "log", () => {});
  try {
    await group.parseAsync([bench.name, ...args], { from: "user" });
  } finally {
    log.mock.restore();
  }
  assert.ok(seen, `${bench.name} did not run`);
  return seen;
}

describe("lithe bench", () => {
  it("--help lists every bench, and each bench its flags and defaults as before", () => {
    assert.match(lithe(["--help"]).stdout, /\n {2}bench +benchmarks that print ratios/);
    const help = lithe(["bench", "--help"]);
    assert.equal(help.code, 0);
    assert.deepEqual(
      [...help.stdout.matchAll(/^ {2}([\w-]+) \[options\]/gm)].map((m) => m[1]),
      BENCHES,
    );
    const spos = lithe(["bench", "spos", "--help"]).stdout;
    assert.match(
      spos,
      /--limit <flops> +FLOPs limit of the searches and the ranking draw\s+\(default:\s+"6\.5M"\)/,
    );
    assert.match(
      spos,
      /--seeds <list> +seeds of the evolution-vs-random comparison[\s\S]*?\(default:\s+"0,1,2,3,4"\)/,
    );
    const metapruning = lithe(["bench", "metapruning", "--help"]).stdout;
    assert.match(metapruning, /--seeds <list> +seeds of the from-scratch trainings\s+\(default:\s+"1,2,3"\)/);
    assert.match(
      metapruning,
      /--variants <list> +PruningNet trainings compared[\s\S]*?\(default:\s+"plain,inplace"\)/,
    );
    assert.match(metapruning, /--resume /);
    const latency = lithe(["bench", "latency", "--help"]).stdout;
    assert.match(latency, /\(default:\s+\["lithe","ort-node","ort-web"\]\)/);
  });

  it("parses the defaults written as typed, and typed values, like the flags' parsers", async () => {
    const spos = (await parsedFlags(sposCommand)) as { limit: number; minFlops: number; seeds: number[] };
    assert.deepEqual([spos.limit, spos.minFlops, spos.seeds], [6.5e6, 6e6, [0, 1, 2, 3, 4]]);
    const mp = (await parsedFlags(metaPruningCommand)) as {
      limits: number[];
      seeds: number[];
      variants: string[];
      minShare: number;
    };
    assert.deepEqual(
      [mp.limits, mp.seeds, mp.variants, mp.minShare],
      [[1e6, 3e6], [1, 2, 3], ["plain", "inplace"], 0.9],
    );
    const typed = (await parsedFlags(metaPruningCommand, ["--limits", "2.5M,800k", "--seeds", "3"])) as {
      limits: number[];
      seeds: number[];
    };
    assert.deepEqual([typed.limits, typed.seeds], [[2.5e6, 8e5], [3]]);
    const latency = (await parsedFlags(latencyCommand, ["--runtime", "all", "--batch", "1, 16"])) as {
      runtime: string[];
      batch: number[];
    };
    assert.deepEqual(
      [latency.runtime, latency.batch],
      [
        ["lithe", "ort-node", "ort-web"],
        [1, 16],
      ],
    );
  });

  it("every bench takes --quiet: no progress lines on stderr, the result still on stdout", () => {
    for (const bench of BENCHES)
      assert.match(lithe(["bench", bench, "--help"]).stdout, /--quiet +no progress lines/);
    const args = [
      "bench",
      "guidelines",
      "--tables",
      "G2",
      "--warmup",
      "0",
      "--repeats",
      "1",
      "--threads",
      "1",
    ];
    const loud = lithe([...args, "--json"]);
    assert.equal(loud.code, 0, loud.stderr);
    assert.equal(loud.stderr.trim().split("\n").length, 4, "a line per configuration");
    const quiet = lithe([...args, "--json", "--quiet"]);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, "");
    assert.equal(JSON.parse(quiet.stdout).runtimes[0].tables[0].groups[0].rows.length, 4);
  });

  it("refuses bad --limit(s), --seeds, --variants and --min-share with one line naming the flag", () => {
    fails(["bench", "spos", "--limit", "-1"], /--limit.*positive count.*"-1"/);
    fails(["bench", "spos", "--seeds", "0,x"], /--seeds.*non-negative integer, got "x"/);
    fails(
      ["bench", "metapruning", "--variants", "plain,kd"],
      /--variants.*expected plain or inplace, got "kd"/,
    );
    fails(["bench", "metapruning", "--min-share", "1.5"], /--min-share.*from 0 to 1, got "1.5"/);
    fails(["bench", "metapruning", "--limits", "1M,x"], /--limits.*positive count.*"x"/);
    fails(["bench", "metapruning", "--limits", ""], /--limits.*expected 2 comma-separated counts.*, got ""/);
    fails(["bench", "metapruning", "--seeds", "1,x"], /--seeds.*non-negative integer, got "x"/);
  });

  it("refuses unknown runtime names on every flag taking them", () => {
    for (const bench of ["latency", "guidelines"]) {
      fails(["bench", bench, "--runtime", "lithe,tflite"], /--runtime.*unknown runtime "tflite"/);
      fails(["bench", bench, "--runtime", ""], /--runtime.*unknown runtime ""/);
    }
    fails(["latency-table", "--runtime", "tflite"], /--runtime.*tflite.*lithe, ort-node, ort-web/);
    fails(["prune", "latency-model", "--runtime", "tflite"], /--runtime.*tflite.*lithe, ort-node, ort-web/);
  });

  it("without dist/bench (the published package) runs the other commands and refuses bench in one line", () => {
    const pkg = tempDir("lithe-no-bench-");
    mkdirSync(join(pkg, "bin"));
    mkdirSync(join(pkg, "dist"));
    copyFileSync(LITHE, join(pkg, "bin", "lithe.js"));
    symlinkSync(join(ROOT, "dist", "src"), join(pkg, "dist", "src"));
    const entry = join(pkg, "bin", "lithe.js");
    const help = lithe(["--help"], {}, entry);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /\n {2}bench /);
    const count = lithe(["count", "shufflenet_v2_x0_5", "--json"], {}, entry);
    assert.equal(count.code, 0, count.stderr);
    assert.equal(JSON.parse(count.stdout).params, 1366792);
    for (const args of [["bench"], ["bench", "spos"], ["bench", "metapruning", "--limits", "1M,3M"]])
      fails(args, /^lithe: benchmarks ship with the source checkout/, entry);
  });
});
