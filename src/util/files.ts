// File helpers with the project's error conventions: reads that fail with "<path>: cannot read
// (<code>)", and writes that readers see either whole or not at all (a temporary file beside the
// target, flushed, then renamed over it).
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export function writeFileAtomic(
  path: string,
  chunks: Uint8Array | string | readonly (Uint8Array | string)[],
): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, "w");
  try {
    for (const chunk of Array.isArray(chunks) ? chunks : [chunks]) writeSync(fd, chunk);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** The file's bytes, or an Error "<path>: cannot read (ENOENT)". */
export function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(
      `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}
