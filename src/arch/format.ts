// The compact string form of an architecture description, e.g.
//   shufflenet_v2(width=1,inputSize=32,classes=10,stem=small)
//   oneshot(space=spos_imagenet,genotype.block_1=shuffle3x3,genotype.mid_1=0.8,...)
// Common fields at their defaults are left out; nested objects use dotted keys; lists are written
// [a;b;c] (nested lists too, [[0;2];null]); null is written null. parse(print(a)) equals a for every valid description a.
import { type Arch, validateArch } from "./schema.js";

const COMMON_DEFAULTS: Record<string, unknown> = {
  inputSize: 224,
  inChannels: 3,
  classes: 1000,
  stem: "standard",
};
const TOKEN = /^[A-Za-z0-9_.+-]+$/;

type Value = number | string | boolean | null | Value[] | { [key: string]: Value };

function printValue(v: Value, key: string): string {
  if (Array.isArray(v)) return `[${v.map((x) => printValue(x, key)).join(";")}]`;
  const text = String(v);
  if (!TOKEN.test(text))
    throw new Error(
      `architecture string: value of "${key}" (${JSON.stringify(v)}) has characters the string form cannot hold`,
    );
  return text;
}

function entries(obj: Record<string, Value>, prefix: string): string[] {
  return Object.entries(obj).flatMap(([k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) return entries(v, key);
    return [`${key}=${printValue(v, key)}`];
  });
}

/** The string form of a validated description. */
export function printArch(arch: Arch): string {
  const { family, ...rest } = arch as Arch & Record<string, Value>;
  const shown = Object.fromEntries(
    Object.entries(rest).filter(([k, v]) => COMMON_DEFAULTS[k] !== v),
  ) as Record<string, Value>;
  return `${family}(${entries(shown, "").join(",")})`;
}

/** `text` split at the separators outside brackets: "[0;1];2" -> ["[0;1]", "2"]. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "[") depth++;
    else if (text[i] === "]") depth--;
    else if (text[i] === ";" && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function parseValue(text: string): Value {
  if (text.startsWith("[") && text.endsWith("]")) {
    const inner = text.slice(1, -1);
    return inner === "" ? [] : splitTop(inner).map(parseValue);
  }
  if (text === "null") return null;
  if (text === "true" || text === "false") return text === "true";
  if (/^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(text)) return Number(text);
  return text;
}

/** Parses and validates the string form; errors name the problem. */
export function parseArch(text: string): Arch {
  const match = /^\s*([A-Za-z0-9_]+)\((.*)\)\s*$/s.exec(text);
  if (!match)
    throw new Error(`architecture string: expected "family(key=value,...)", got ${JSON.stringify(text)}`);
  const out: Record<string, unknown> = { family: match[1] };
  const body = (match[2] as string).trim();
  for (const part of body === "" ? [] : body.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new Error(`architecture string: "${part}" is not key=value`);
    const path = part.slice(0, eq).trim().split(".");
    let target = out;
    for (const key of path.slice(0, -1)) {
      target[key] ??= {};
      target = target[key] as Record<string, unknown>;
    }
    target[path.at(-1) as string] = parseValue(part.slice(eq + 1).trim());
  }
  return validateArch(out);
}
