// Pruning latency models on disk (as src/nas/latency-table-file.ts does for SPOS tables): JSON written
// atomically, read back with every field checked, the errors one line naming the file and the field.
// A model of another space, input or runtime is refused where it is used (src/search/search-run.ts).
import { z } from "zod";
import { pruningSpaceSchema } from "../arch/spaces/pruning.js";
import { accuracySchema, provenanceFields } from "../latency/measure.js";
import { loadCheckedJson } from "../util/checked-json.js";
import { writeFileAtomic } from "../util/files.js";
import { LATENCY_FEATURES, type LatencyModel } from "./latency-model.js";

const measuredSchema = z.array(
  z.object({ encoding: z.record(z.string(), z.number()), ms: z.number().finite().positive() }).strict(),
);

const modelSchema = z
  .object({
    version: z.literal(1),
    space: pruningSpaceSchema,
    ...provenanceFields,
    features: z
      .array(z.string())
      .refine((f) => f.join() === LATENCY_FEATURES.join(), `expected ${JSON.stringify(LATENCY_FEATURES)}`),
    coefficients: z.array(z.number().finite().nonnegative()).length(LATENCY_FEATURES.length),
    accuracy: z.object({ fit: accuracySchema, check: accuracySchema }).strict(),
    measured: z.object({ fit: measuredSchema, check: measuredSchema }).strict(),
  })
  .strict();

export function saveLatencyModel(path: string, model: LatencyModel): void {
  writeFileAtomic(path, `${JSON.stringify(model, null, 2)}\n`);
}

export const loadLatencyModel = (path: string): LatencyModel =>
  loadCheckedJson(path, modelSchema, "a latency model") as LatencyModel;
