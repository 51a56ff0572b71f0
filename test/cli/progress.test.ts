// Progress where stderr is not a terminal: a plain line at most every interval and one at the end,
// with rate and ETA from a clock the test drives; `lithe train` prints its final line to a pipe and
// nothing with --quiet.
import assert from "node:assert/strict";
import { join } from "node:path";
import { it } from "node:test";
import { formatDuration, progressInterval, progressLines } from "../../src/cli/progress.js";
import { tempDir } from "../helpers.js";
import { lithe } from "./run-cli.js";

it("prints a line when the interval has passed and at the end, with the rate and ETA", () => {
  let t = 0;
  const lines: string[] = [];
  const p = progressLines("train", {
    unit: "img",
    per: 64,
    intervalMs: 10_000,
    now: () => t,
    write: (l) => lines.push(l),
  });
  p.update(1, 100, { loss: "2.300" }); // the clock starts here
  t = 5_000;
  p.update(11, 100, { loss: "2.100" });
  assert.deepEqual(lines, [], "nothing before the interval");
  t = 12_000;
  p.update(25, 100, { loss: "1.900" });
  t = 15_000;
  p.update(31, 100, { loss: "1.800" });
  t = 40_000;
  p.update(100, 100, { loss: "1.200" });
  p.update(100, 100, { loss: "1.200" });
  // 24 steps in 12 s: 2 steps/s, 128 img/s, 75 steps left: 38 s; at the end 99 steps in 40 s.
  assert.deepEqual(lines, [
    "train 25/100 25% | loss 1.900 | 128.0 img/s | ETA 38s",
    "train 100/100 100% | loss 1.200 | 158.4 img/s",
  ]);
});

it("formats durations and reads LITHE_PROGRESS_SECONDS", () => {
  assert.equal(formatDuration(42.4), "42s");
  assert.equal(formatDuration(185), "3m 05s");
  assert.equal(formatDuration(3720), "1h 02m");
  assert.equal(progressInterval({}), 10);
  assert.equal(progressInterval({ LITHE_PROGRESS_SECONDS: "2.5" }), 2.5);
  assert.equal(progressInterval({ LITHE_PROGRESS_SECONDS: "soon" }), 10);
  assert.equal(progressInterval({ LITHE_PROGRESS_SECONDS: "" }), 10);
});

it("lithe train writes progress lines to a pipe, and none with --quiet", () => {
  const dir = tempDir("lithe-progress-");
  const args = (out: string) => [
    "train",
    "--data",
    "synthetic:64",
    "--epochs",
    "1",
    "--batch-size",
    "16",
    "--workers",
    "0",
    "--out",
    join(dir, out),
  ];
  const loud = lithe(args("loud"), { LITHE_PROGRESS_SECONDS: "0" });
  assert.equal(loud.code, 0, loud.stderr);
  const lines = loud.stderr.trim().split("\n");
  // The first step starts the clock; with a 0 s interval every later step prints.
  assert.equal(lines.length, 3, `one line per step after the first, got:\n${loud.stderr}`);
  assert.match(
    lines[0] as string,
    /^train 2\/4 50% \| epoch 1 loss \d+\.\d{3} lr 0\.\d{4} \| \d+\.\d img\/s \| ETA (\d+h )?(\d+m )?\d+[sm]$/,
  );
  assert.match(lines[2] as string, /^train 4\/4 100% \| epoch 1 loss \d+\.\d{3} .* img\/s$/);
  const quiet = lithe([...args("quiet"), "--quiet"], { LITHE_PROGRESS_SECONDS: "0" });
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.equal(quiet.stderr, "");
});
