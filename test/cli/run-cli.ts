// Runs the `lithe` command in a child process and returns its exit code and output.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../helpers.js";

export const LITHE = join(ROOT, "bin", "lithe.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `lithe` (or the entry script `entry`, e.g. a copy laid out as the published package). */
export function lithe(args: readonly string[], env: NodeJS.ProcessEnv = {}, entry = LITHE): CliResult {
  const r = spawnSync(process.execPath, [entry, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `lithe` without waiting (for kill tests). */
export function litheAsync(args: readonly string[]) {
  return spawn(process.execPath, [LITHE, ...args], { stdio: "ignore" });
}

/** Asserts a failed run: non-zero exit, a single error line naming `problem`, nothing on stdout. */
export function fails(args: string[], problem: RegExp, entry = LITHE): void {
  const r = lithe(args, {}, entry);
  assert.notEqual(r.code, 0, `exit code for ${args.join(" ")}`);
  const lines = r.stderr
    .trim()
    .split("\n")
    .filter((l) => !l.startsWith("(run with --help"));
  assert.equal(lines.length, 1, `one error line, got:\n${r.stderr}`);
  assert.match(lines[0] as string, problem);
  assert.equal(r.stdout, "");
}
