// Deterministic memory ownership. Every tensor created inside tidy(fn) is freed when fn returns,
// except the tensors fn returns (they move to the enclosing scope) and those passed to keep().
// Outside any scope a tensor lives until dispose() or until V8 collects its handle. Only tensors
// created outside scopes are reported to V8 as external memory (see Wrap in native/tensor.cc).
import { native } from "./native.js";

/** Anything a scope can free. */
export interface Owned {
  dispose(): void;
}

const scopes: Set<Owned>[] = [];

/** Registers a new object with the innermost scope, if there is one. */
export function track(value: Owned): void {
  scopes[scopes.length - 1]?.add(value);
}

/** Exempts `value` from every open scope: it lives until dispose() or garbage collection. */
export function keep<T extends Owned>(value: T): T {
  for (const scope of scopes) scope.delete(value);
  return value;
}

/**
 * Tensor handles alive now (not disposed, not yet collected), views and parameters included. A loop
 * that frees all it makes leaves this unchanged, on any machine: a leak check, unlike resident memory.
 */
export function liveTensors(): number {
  return native.liveHandles();
}

/** Depth of open scopes (0 outside tidy). */
export function scopeDepth(): number {
  return scopes.length;
}

// Finds the scope's objects reachable from fn's result through arrays, plain objects and Maps.
function collectReturned(value: unknown, scope: Set<Owned>, out: Set<Owned>, depth: number): void {
  if (value === null || typeof value !== "object" || depth > 8) return;
  if (scope.has(value as Owned)) {
    out.add(value as Owned);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectReturned(v, scope, out, depth + 1);
  } else if (value instanceof Map) {
    for (const v of value.values()) collectReturned(v, scope, out, depth + 1);
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      for (const v of Object.values(value)) collectReturned(v, scope, out, depth + 1);
    }
  }
}

function closeScope(): void {
  scopes.pop();
  if (scopes.length === 0) native.setReportExternalMemory(true);
}

/**
 * Runs fn and frees every tensor it created except those it returns (directly or inside arrays,
 * plain objects or Maps). If fn throws, everything it created is freed. fn must be synchronous.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Owned>();
  if (scopes.push(scope) === 1) native.setReportExternalMemory(false);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    closeScope();
    for (const t of scope) t.dispose();
    throw error;
  }
  closeScope();
  if (result instanceof Promise) {
    for (const t of scope) t.dispose();
    throw new Error("tidy(fn): fn returned a Promise; tidy scopes must be synchronous");
  }
  const returned = new Set<Owned>();
  collectReturned(result, scope, returned, 0);
  for (const t of scope) if (!returned.has(t)) t.dispose();
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of returned) parent.add(t);
  return result;
}
