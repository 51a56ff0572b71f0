// Validates architecture descriptions: any JSON value in, a complete description (defaults filled)
// out, or an Error naming the offending field and value.
import type { z } from "zod";
import { checkSchema } from "../util/checked-json.js";
import { FAMILIES, MODELS } from "./families/index.js";
import type { CommonArch, FamilyDef } from "./family.js";

/** A validated architecture description: a family, common fields and the family's own fields. */
export type Arch = CommonArch & Record<string, unknown>;

function familyOf(name: unknown): FamilyDef<CommonArch> {
  const family = FAMILIES.find((f) => f.family === name);
  if (!family) {
    throw new Error(
      `architecture: family ${JSON.stringify(name)} is unknown (expected one of ${FAMILIES.map((f) => f.family).join(", ")})`,
    );
  }
  return family;
}

/** Checks `input` against its family's schema; unknown fields are errors too. */
export function validateArch(input: unknown): Arch {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new Error(`architecture: expected a JSON object, got ${JSON.stringify(input)}`);
  }
  const family = familyOf((input as { family?: unknown }).family);
  return checkSchema((family.schema as unknown as z.ZodObject).strict(), input, "architecture") as Arch;
}

export function familyDef(arch: Arch): FamilyDef<CommonArch> {
  return familyOf(arch.family);
}

export function modelNames(): string[] {
  return Object.keys(MODELS);
}

/** The registered model's description, with overrides (e.g. inputSize, classes) applied. */
export function archOf(name: string, overrides: Partial<CommonArch> = {}): Arch {
  const base = MODELS[name];
  if (!base) throw new Error(`unknown model "${name}" (run \`lithe models\` for the list)`);
  return validateArch({ ...base, ...overrides });
}
