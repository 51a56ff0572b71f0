// Turns what a user typed into a validated description: a registered model name, the string form
// ("shufflenet_v2(width=1)"), or the path of a JSON file; overrides (e.g. --input, --classes) apply last.
import { readFileSync } from "node:fs";
import { MODELS } from "./families/index.js";
import type { CommonArch } from "./family.js";
import { parseArch } from "./format.js";
import { type Arch, validateArch } from "./schema.js";

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      throw new Error(`"${path}" is neither a registered model (see \`lithe models\`) nor a file`);
    throw new Error(`${path}: cannot read (${code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: invalid JSON (${(error as Error).message})`);
  }
}

export function resolveArch(spec: string, overrides: Partial<CommonArch> = {}): Arch {
  let base: unknown;
  if (Object.hasOwn(MODELS, spec)) base = MODELS[spec];
  else if (/^\s*[A-Za-z0-9_]+\(/.test(spec)) base = parseArch(spec);
  else base = readJson(spec);
  if (base === null || typeof base !== "object" || Array.isArray(base)) {
    return validateArch(base);
  }
  return validateArch({ ...base, ...overrides });
}
