// Values checked against a zod schema with a one-line error naming the first offending field and the
// value found there ('architecture: field "width" is 0.7: ...'), and JSON files read and checked the
// same way. Every description, space, run record and table read from a user goes through here.
import type { z } from "zod";
import { readBytes } from "./files.js";

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === "unrecognized_keys") {
    const at = issue.path.map((p) => `${String(p)}.`).join("");
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${at}${k}"`).join(", ")}`;
  }
  if (issue.path.length === 0) return issue.message;
  let value: unknown = input;
  for (const key of issue.path)
    value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  const shown = value === undefined ? "missing" : JSON.stringify(value);
  return `field "${issue.path.map(String).join(".")}" is ${shown}: ${issue.message}`;
}

/** `input` as `schema` parses it; else an Error "<what>: field "a.b" is <value>: <message>". */
export function checkSchema<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (!result.success)
    throw new Error(`${what}: ${describeIssue(result.error.issues[0] as z.core.$ZodIssue, input)}`);
  return result.data;
}

/** The JSON file at `path`, unparsed; errors are one line naming the file. */
export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(readBytes(path)));
  } catch (error) {
    throw new Error(
      error instanceof SyntaxError ? `${path}: invalid JSON (${error.message})` : (error as Error).message,
    );
  }
}

/** The JSON file at `path` checked against `schema`: errors are "<path>: not <what>: field ...". */
export const loadCheckedJson = <T>(path: string, schema: z.ZodType<T>, what: string): T =>
  checkSchema(schema, readJsonFile(path), `${path}: not ${what}`);
