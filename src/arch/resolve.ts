// Turns what a user typed into a validated description: a registered model name, the string form
// ("shufflenet_v2(width=1)"), or the path of a JSON file; overrides (e.g. --input, --classes) apply last.
// Search spaces likewise: a registered space name or the path of a space JSON file.
import { readFileSync } from "node:fs";
import { MODELS } from "./families/index.js";
import type { CommonArch } from "./family.js";
import { parseArch } from "./format.js";
import { type Arch, validateArch } from "./schema.js";
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
  let base: unknown;
  if (Object.hasOwn(MODELS, spec)) base = MODELS[spec];
  else if (/^\s*[A-Za-z0-9_]+\(/.test(spec)) base = parseArch(spec);
  else base = readJson(spec, "a registered model (see `lithe models`)");
  if (base === null || typeof base !== "object" || Array.isArray(base)) {
    return validateArch(base);
  }
  return validateArch({ ...base, ...overrides });
}

/** A registered SPOS space by name, or a user's space from a JSON file (checked against sposSpaceSchema). */
export function resolveSpace(spec: string): SposSpace {
  const registered = SPOS_SPACES[spec];
  if (registered) return registered;
  const json = readJson(spec, `a registered search space (${Object.keys(SPOS_SPACES).join(", ")})`);
  const result = sposSpaceSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0] as { path: PropertyKey[]; message: string };
    const where = issue.path.length ? `field "${issue.path.map(String).join(".")}": ` : "";
    throw new Error(`${spec}: ${where}${issue.message}`);
  }
  return result.data;
}
