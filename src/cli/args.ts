// Flag parsers for commander that reject bad values with a one-line message naming the flag.
import { InvalidArgumentError } from "commander";
import { isRuntimeName, RUNTIME_NAMES, type RuntimeName } from "../latency/types.js";

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  }
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  }
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  }
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`expected a non-negative number, got "${value}"`);
  }
  return n;
}

const SI_SUFFIX: Record<string, number> = { "": 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, g: 1e9, G: 1e9 };

/** A positive count with an optional SI suffix: "30M", "1.5G", "850k", "300000". */
export function siCount(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)\s*$/.exec(value);
  const n = m ? Number(m[1]) * (SI_SUFFIX[m[2] as string] as number) : Number.NaN;
  if (!(n > 0))
    throw new InvalidArgumentError(`expected a positive count like 30M, 1.5G or 300000, got "${value}"`);
  return n;
}

/** Exactly `count` comma-separated counts with optional SI suffixes, e.g. "5M,6.5M" for two limits. */
export function siCountList(count: number): (value: string) => number[] {
  return (value) => {
    const parts = value.split(",");
    if (parts.length !== count)
      throw new InvalidArgumentError(
        `expected ${count} comma-separated counts like 5M or 1.5G, got "${value}"`,
      );
    return parts.map((part) => siCount(part));
  };
}

/** A comma list of values each read by `parse`, e.g. commaList(positiveInt) takes "1,16". */
export function commaList<T>(parse: (value: string) => T): (value: string) => T[] {
  return (value) => value.split(",").map((part) => parse(part.trim()));
}

/** "ort-node", "lithe,ort-web" or "all" -> runtime names (in the order given). */
export function runtimeList(value: string): RuntimeName[] {
  if (value === "all") return [...RUNTIME_NAMES];
  const names = value.split(",").map((s) => s.trim());
  const bad = names.find((n) => !isRuntimeName(n));
  if (bad !== undefined)
    throw new InvalidArgumentError(`unknown runtime "${bad}" (use ${RUNTIME_NAMES.join(", ")} or all)`);
  return names as RuntimeName[];
}

/** A number in [0, 1]. */
export function probability(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError(`expected a number from 0 to 1, got "${value}"`);
  }
  return n;
}

/** Milliseconds: "8ms", "0.75ms" or a plain positive number. */
export function milliseconds(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms)?\s*$/.exec(value);
  const n = m ? Number(m[1]) : Number.NaN;
  if (!(n > 0))
    throw new InvalidArgumentError(`expected a time in milliseconds like 8ms or 0.5, got "${value}"`);
  return n;
}

/** A flag parser from a library parser whose Error messages say what is wrong with the value. */
export const parsedBy =
  <T>(parse: (value: string) => T) =>
  (value: string): T => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
