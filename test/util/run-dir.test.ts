// Run directories and option errors: a directory holding a run is refused without resume, with an
// error that names the options (and words them as a front end asks); JSONL files round-trip; a corrupt
// JSON file is named when read back.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { OptionError, option, optionError } from "../../src/util/option-error.js";
import { RunDir } from "../../src/util/run-dir.js";
import { tempDir } from "../helpers.js";

const root = tempDir("lithe-run-dir-");

it("opens a new directory, refuses one that holds a run unless resumed, and then says it resumes", () => {
  const out = join(root, "a", "b");
  const fresh = RunDir.open({ out }, "state.json", "a search");
  assert.equal(fresh.resuming, false);
  fresh.writeJson("state.json", { generation: 2 });
  assert.equal(RunDir.open({ out, resume: true }, "state.json", "a search").resuming, true);
  assert.equal(RunDir.open({ out: join(root, "c"), resume: true }, "state.json", "a search").resuming, false);
  let caught: unknown;
  try {
    RunDir.open({ out }, "state.json", "a search");
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof OptionError);
  assert.equal(
    caught.message,
    `${out} already holds a search; pass option run.resume to continue it or choose another option run.out`,
  );
  const flags: Record<string, string> = { "run.resume": "--resume", "run.out": "--out" };
  assert.equal(
    caught.render((field) => flags[field] as string),
    `${out} already holds a search; pass --resume to continue it or choose another --out`,
  );
});

it("writes JSONL atomically, appends to it, reads it back; names a corrupt JSON file", () => {
  const dir = RunDir.open({ out: join(root, "lines") }, "log.jsonl", "a run");
  assert.deepEqual(dir.readLines("log.jsonl"), []);
  dir.writeLines("log.jsonl", [{ step: 1 }, { step: 2 }]);
  dir.appendLine("log.jsonl", { step: 3 });
  assert.equal(readFileSync(dir.path("log.jsonl"), "utf8"), '{"step":1}\n{"step":2}\n{"step":3}\n');
  assert.deepEqual(dir.readLines("log.jsonl"), [{ step: 1 }, { step: 2 }, { step: 3 }]);
  writeFileSync(dir.path("state.json"), "{ half");
  assert.throws(() => dir.readJson("state.json"), /state\.json: cannot resume from it \(/);
});

it("an option error keeps interpolated values apart from option fields", () => {
  const path = "/runs/{weird}";
  const e = optionError`${path}: ${option("data.source")} is ${3} images`;
  assert.equal(e.message, "/runs/{weird}: option data.source is 3 images");
  assert.equal(
    e.render((f) => `--${f.split(".")[1]}`),
    "/runs/{weird}: --source is 3 images",
  );
});
