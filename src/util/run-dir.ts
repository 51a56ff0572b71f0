// A run directory (a training run's or a search's): refused when it already holds a run unless the
// caller resumes it, JSON and JSONL files written atomically or appended line by line, and JSON
// read back with errors naming the file. `lithe train`, the one-shot trainings and every search use it.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./files.js";
import { option, optionError } from "./option-error.js";

export class RunDir {
  private constructor(
    readonly dir: string,
    /** The run's marker file exists and the caller asked to continue it. */
    readonly resuming: boolean,
  ) {}

  /**
   * Opens `o.out` (created if missing). A run is there when its `marker` file is; then it is continued
   * with `o.resume`, else refused naming the run options, e.g. "runs/x already holds a search; ...".
   */
  static open(o: { out: string; resume?: boolean }, marker: string, what: string): RunDir {
    const holds = existsSync(join(o.out, marker));
    if (holds && !o.resume)
      throw optionError`${o.out} already holds ${what}; pass ${option("run.resume")} to continue it or choose another ${option("run.out")}`;
    mkdirSync(o.out, { recursive: true });
    return new RunDir(o.out, holds);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  writeJson(name: string, value: unknown): void {
    writeFileAtomic(this.path(name), `${JSON.stringify(value, null, 2)}\n`);
  }

  /** The JSON in `name`; errors say which file could not be read back. */
  readJson<T>(name: string): T {
    const path = this.path(name);
    try {
      return JSON.parse(readFileSync(path, "utf8")) as T;
    } catch (error) {
      throw new Error(`${path}: cannot resume from it (${(error as Error).message})`);
    }
  }

  /** Replaces JSONL file `name` with exactly these entries, atomically. */
  writeLines(name: string, entries: readonly unknown[]): void {
    writeFileAtomic(this.path(name), entries.map((e) => `${JSON.stringify(e)}\n`).join(""));
  }

  /** The entries of JSONL file `name` (none when it is missing). */
  readLines<T>(name: string): T[] {
    const path = this.path(name);
    if (!existsSync(path)) return [];
    return readFileSync(path, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as T);
  }

  appendLine(name: string, entry: unknown): void {
    appendFileSync(this.path(name), `${JSON.stringify(entry)}\n`);
  }
}
