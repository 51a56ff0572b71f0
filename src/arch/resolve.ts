// Turns what a user typed into a validated description: a registered model name, the string form
// ("shufflenet_v2(width=1)"), or the path of a JSON file; overrides (e.g. --input, --classes) apply last.
// Search spaces likewise: a registered space name or the path of a space JSON file.
import { existsSync, readFileSync } from "node:fs";
import type { z } from "zod";
import { checkSchema } from "../util/checked-json.js";
import type { CommonArch } from "./family.js";
import { parseArch } from "./format.js";
import { type Arch, archOf, listModels, validateArch } from "./schema.js";
import {
  baseArch,
  PRUNING_SPACES,
  type PruningSpace,
  pruningSpaceSchema,
  slotWidths,
} from "./spaces/pruning.js";
import { QUANT_SPACES, type QuantSpace, quantSpaceSchema } from "./spaces/quant.js";
import { SPOS_SPACES, type SposSpace, sposSpaceSchema } from "./spaces/spos.js";

/** `what` names the registry the spec was not found in, e.g. "a registered model (see `lithe models`)". */
function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`"${path}" is neither ${what} nor a file`);
    throw new Error(`${path}: cannot read (${code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: invalid JSON (${(error as Error).message})`);
  }
}

export function resolveArch(spec: string, overrides: Partial<CommonArch> = {}): Arch {
  if (listModels().includes(spec)) return archOf(spec, overrides);
  const base = /^\s*[A-Za-z0-9_]+\(/.test(spec)
    ? parseArch(spec)
    : readJson(spec, "a registered model (see `lithe models`)");
  if (base === null || typeof base !== "object" || Array.isArray(base)) {
    return validateArch(base);
  }
  return validateArch({ ...base, ...overrides });
}

/** A registered space by name, or a user's space from a JSON file checked against the schema. */
function resolveSpaceOf<S>(spec: string, registry: Record<string, S>, schema: z.ZodType<S>, what: string): S {
  const registered = registry[spec];
  if (registered) return registered;
  const json = readJson(spec, `a registered ${what} (${Object.keys(registry).join(", ")})`);
  return checkSchema(schema, json, spec);
}

/** A registered SPOS space (see SPOS_SPACES) or a SPOS space JSON file. */
export const resolveSpace = (spec: string): SposSpace =>
  resolveSpaceOf(spec, SPOS_SPACES, sposSpaceSchema as z.ZodType<SposSpace>, "search space");

/** Whether `spec` names a quantization space: a registered one, or a JSON file of kind "quantization". */
export function isQuantSpace(spec: string): boolean {
  if (QUANT_SPACES[spec]) return true;
  if (SPOS_SPACES[spec] || !existsSync(spec)) return false;
  const json = readJson(spec, "a registered search space");
  return typeof json === "object" && json !== null && (json as { kind?: unknown }).kind === "quantization";
}

/** A registered quantization space (see QUANT_SPACES) or a quantization space JSON file. */
export const resolveQuantSpace = (spec: string): QuantSpace =>
  resolveSpaceOf(spec, QUANT_SPACES, quantSpaceSchema as z.ZodType<QuantSpace>, "quantization space");

/** A registered pruning space (see PRUNING_SPACES) or a pruning space JSON file; every slot must exist. */
export function resolvePruningSpace(spec: string): PruningSpace {
  const space = resolveSpaceOf(
    spec,
    PRUNING_SPACES,
    pruningSpaceSchema as unknown as z.ZodType<PruningSpace>,
    "pruning space",
  );
  try {
    slotWidths(space);
    baseArch(space, {});
  } catch (error) {
    throw new Error(`${spec}: ${(error as Error).message}`);
  }
  return space;
}
