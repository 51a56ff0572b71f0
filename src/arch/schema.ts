// The registry of model families and named models, and validation against it: any JSON value in, a
// complete description (defaults filled) out, or an Error naming the offending field and value. The
// built-in families and models are registered when this module loads; registerFamily and
// registerModel add a user's own.
import { z } from "zod";
import { checkSchema } from "../util/checked-json.js";
import { BUILTIN_FAMILIES, BUILTIN_MODELS, type BuiltinArch } from "./families/index.js";
import { type CommonArch, commonFields, type FamilyDef, INIT_RECIPES, type ModelSpec } from "./family.js";

/** A description of a family added with registerFamily: the common fields, and its own the type system does not know. */
export type CustomArch = CommonArch & Record<string, unknown>;

/** A validated architecture description: a built-in family's (typed by `family`, see isFamily) or a registered one's. */
export type Arch = BuiltinArch | CustomArch;

const families = new Map<string, FamilyDef>();
const models = new Map<string, object>();

/** Letters, digits and "_": a family name opens the string form, name(key=value,...). */
const FAMILY_NAME = /^[A-Za-z0-9_]+$/;
/** Letters, digits, "_" and "-": never an architecture string nor a file name with an extension. */
const MODEL_NAME = /^[A-Za-z0-9_-]+$/;

function familyOf(name: unknown): FamilyDef {
  const family = typeof name === "string" ? families.get(name) : undefined;
  if (!family) {
    throw new Error(
      `architecture: family ${JSON.stringify(name)} is unknown (expected one of ${[...families.keys()].join(", ")})`,
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
  return checkSchema(family.schema, input, "architecture");
}

export function familyDef(arch: Arch): FamilyDef {
  return familyOf(arch.family);
}

/** Whether `arch` is of the built-in family `family`, narrowing it to that family's description type. */
export function isFamily<F extends BuiltinArch["family"]>(
  arch: Arch,
  family: F,
): arch is Extract<BuiltinArch, { family: F }> {
  return arch.family === family;
}

/** What is wrong with a family definition, or null. */
function familyProblem(def: FamilyDef): string | null {
  const { schema } = def;
  if (!(schema instanceof z.ZodObject) || !(schema.def.catchall instanceof z.ZodNever))
    return "its schema must be a z.strictObject (unknown fields are errors)";
  const family = schema.shape.family;
  if (!(family instanceof z.ZodLiteral) || family.values.size !== 1 || !family.values.has(def.family))
    return `its schema's "family" field must be z.literal(${JSON.stringify(def.family)})`;
  const missing = Object.keys(commonFields).filter((key) => !(key in schema.shape));
  if (missing.length > 0)
    return `its schema lacks the common field${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (spread commonFields into it)`;
  if (typeof def.decode !== "function") return "decode must be a function (description -> layer plan)";
  if (!INIT_RECIPES.includes(def.init)) return `init must be one of ${INIT_RECIPES.join(", ")}`;
  return null;
}

/** Adds a model family; its name must be new and its schema strict, with the family literal and commonFields. */
export function registerFamily<A extends CommonArch>(def: FamilyDef<A>): void {
  const what = `registerFamily: family ${JSON.stringify(def.family)}`;
  if (typeof def.family !== "string" || !FAMILY_NAME.test(def.family))
    throw new Error(`${what}: a family name is letters, digits and "_"`);
  if (families.has(def.family)) throw new Error(`${what} is already registered`);
  const problem = familyProblem(def);
  if (problem) throw new Error(`${what}: ${problem}`);
  families.set(def.family, def);
}

/** Adds a named model (createModel(name), `lithe train --model name`); the description is validated now. */
export function registerModel<A extends CommonArch = Arch>(
  name: string,
  description: NoInfer<ModelSpec<A>>,
): void {
  const what = `registerModel: model ${JSON.stringify(name)}`;
  if (typeof name !== "string" || !MODEL_NAME.test(name))
    throw new Error(`${what}: a model name is letters, digits, "_" and "-"`);
  if (models.has(name)) throw new Error(`${what} is already registered`);
  try {
    validateArch(description);
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`);
  }
  models.set(name, structuredClone(description));
}

/** Every registered model name, built-in ones first. */
export function listModels(): string[] {
  return [...models.keys()];
}

/** The registered model's description, with overrides (e.g. inputSize, classes) applied. */
export function archOf(name: string, overrides: Partial<CommonArch> = {}): Arch {
  const base = models.get(name);
  if (!base) throw new Error(`unknown model "${name}" (see listModels() or \`lithe models\`)`);
  return validateArch({ ...base, ...overrides });
}

for (const def of BUILTIN_FAMILIES) registerFamily(def);
for (const [name, description] of Object.entries(BUILTIN_MODELS)) registerModel(name, description);
