// SPOS latency tables on disk: JSON written atomically, read back with every field checked (a table
// from another space, input or runtime is refused where it is used, by the search comparing the fields).
import { z } from "zod";
import { sposSpaceSchema } from "../arch/spaces/spos.js";
import { accuracySchema, provenanceFields } from "../latency/measure.js";
import { loadCheckedJson } from "../util/checked-json.js";
import { writeFileAtomic } from "../util/files.js";
import type { LatencyTable } from "./latency-table.js";

const ms = z.number().finite();

const checksSchema = z.array(
  z.object({ flops: z.number().finite().nonnegative(), predictedMs: ms, measuredMs: ms.positive() }).strict(),
);

const tableSchema = z
  .object({
    version: z.literal(1),
    space: sposSpaceSchema,
    ...provenanceFields,
    entries: z.record(z.string(), ms.nonnegative()),
    constantMs: ms,
    accuracy: accuracySchema,
    // Tables written before the checked architectures were kept have only the accuracy.
    checks: checksSchema.optional(),
  })
  .strict();

export function saveLatencyTable(path: string, table: LatencyTable): void {
  writeFileAtomic(path, `${JSON.stringify(table, null, 2)}\n`);
}

export const loadLatencyTable = (path: string): LatencyTable =>
  loadCheckedJson(path, tableSchema, "a latency table") as LatencyTable;
