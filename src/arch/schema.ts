// Validates architecture descriptions: any JSON value in, a complete description (defaults filled)
// out, or an Error naming the offending field and value.
import type { z } from "zod";
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

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === "unrecognized_keys") {
    const at = issue.path.map((p) => `${String(p)}.`).join("");
    return `architecture: unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${at}${k}"`).join(", ")}`;
  }
  const path = issue.path.map(String).join(".");
  let value: unknown = input;
  for (const key of issue.path)
    value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  const shown = value === undefined ? "missing" : JSON.stringify(value);
  return `architecture: field "${path}" is ${shown}: ${issue.message}`;
}

/** Checks `input` against its family's schema; unknown fields are errors too. */
export function validateArch(input: unknown): Arch {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new Error(`architecture: expected a JSON object, got ${JSON.stringify(input)}`);
  }
  const family = familyOf((input as { family?: unknown }).family);
  const result = (family.schema as unknown as z.ZodObject).strict().safeParse(input);
  if (!result.success) throw new Error(describeIssue(result.error.issues[0] as z.core.$ZodIssue, input));
  return result.data as Arch;
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
