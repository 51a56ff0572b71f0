// Latency tables on disk: JSON written atomically, read back with every field checked (a table from
// another space, input or runtime is refused where it is used, by the caller comparing the fields).
// The checked read and the accuracy record serve the pruning latency model's file too.
import { z } from "zod";
import { commonFields } from "../arch/family.js";
import { sposSpaceSchema } from "../arch/spaces/spos.js";
import { readBytes, writeFileAtomic } from "../util/files.js";
import type { LatencyTable } from "./lut.js";
import { RUNTIME_NAMES } from "./types.js";

const ms = z.number().finite();

/** How the runtime was set up and each network timed (MeasureSettings). */
export const settingsSchema = z.object({
  batch: z.number(),
  threads: z.number(),
  warmup: z.number(),
  repeats: z.number(),
});

/** A prediction's accuracy as recorded (see predictionAccuracy). */
export const accuracySchema = z.object({
  architectures: z.number(),
  within10: z.number(),
  mape: z.number(),
  worst: z.number(),
});

const tableSchema = z
  .object({
    version: z.literal(1),
    space: sposSpaceSchema,
    input: z.object(commonFields).strict(),
    runtime: z.enum(RUNTIME_NAMES as [string, ...string[]]),
    runtimeVersion: z.string(),
    machine: z.record(z.string(), z.unknown()),
    settings: settingsSchema,
    entries: z.record(z.string(), ms.nonnegative()),
    constantMs: ms,
    accuracy: accuracySchema,
  })
  .strict();

export function saveLatencyTable(path: string, table: LatencyTable): void {
  writeFileAtomic(path, `${JSON.stringify(table, null, 2)}\n`);
}

/** The JSON file at `path` checked against `schema`; errors are one line naming the file and field. */
export function loadCheckedJson<T>(path: string, schema: z.ZodType<T>, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(readBytes(path)));
  } catch (error) {
    throw new Error(
      error instanceof SyntaxError ? `${path}: invalid JSON (${error.message})` : (error as Error).message,
    );
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0] as { path: PropertyKey[]; message: string };
    throw new Error(`${path}: not ${what}: field "${issue.path.map(String).join(".")}": ${issue.message}`);
  }
  return result.data;
}

export const loadLatencyTable = (path: string): LatencyTable =>
  loadCheckedJson(path, tableSchema, "a latency table") as unknown as LatencyTable;
