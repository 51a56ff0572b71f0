// Latency tables on disk: JSON written atomically, read back with every field checked (a table from
// another space, input or runtime is refused where it is used, by the caller comparing the fields).
import { z } from "zod";
import { commonFields } from "../arch/family.js";
import { sposSpaceSchema } from "../arch/spaces/spos.js";
import { readBytes, writeFileAtomic } from "../util/files.js";
import type { LatencyTable } from "./lut.js";
import { RUNTIME_NAMES } from "./types.js";

const ms = z.number().finite();

const tableSchema = z
  .object({
    version: z.literal(1),
    space: sposSpaceSchema,
    input: z.object(commonFields).strict(),
    runtime: z.enum(RUNTIME_NAMES as [string, ...string[]]),
    runtimeVersion: z.string(),
    machine: z.record(z.string(), z.unknown()),
    settings: z.object({ batch: z.number(), threads: z.number(), warmup: z.number(), repeats: z.number() }),
    entries: z.record(z.string(), ms.nonnegative()),
    constantMs: ms,
    accuracy: z.object({
      architectures: z.number(),
      within10: z.number(),
      mape: z.number(),
      worst: z.number(),
    }),
  })
  .strict();

export function saveLatencyTable(path: string, table: LatencyTable): void {
  writeFileAtomic(path, `${JSON.stringify(table, null, 2)}\n`);
}

export function loadLatencyTable(path: string): LatencyTable {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(readBytes(path)));
  } catch (error) {
    throw new Error(
      error instanceof SyntaxError ? `${path}: invalid JSON (${error.message})` : (error as Error).message,
    );
  }
  const result = tableSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0] as { path: PropertyKey[]; message: string };
    throw new Error(
      `${path}: not a latency table: field "${issue.path.map(String).join(".")}": ${issue.message}`,
    );
  }
  return result.data as unknown as LatencyTable;
}
