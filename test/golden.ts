// Reading a golden fixture written by a scripts/gen-*-golden.py generator: its tensors by name, fresh
// leaves that record gradients, each case's options from the metadata, and a comparison with the
// fixture's tensor that names it on failure.
import assert from "node:assert/strict";
import { loadSafetensors, type Tensor } from "../src/engine/index.js";
import { assertClose, fixturePath } from "./helpers.js";

export function goldenFixture(file: string) {
  const { tensors, metadata } = loadSafetensors(fixturePath(file));
  const get = (name: string): Tensor => {
    const t = tensors.get(name);
    if (!t) throw new Error(`${file} has no tensor "${name}"`);
    return t;
  };
  return {
    tensors,
    get,
    /** A fresh copy of a fixture tensor that records gradients. */
    leaf: (name: string) => get(name).clone().requiresGrad_(),
    options<T>(name: string): T {
      const json = metadata[`${name}.options`];
      if (json === undefined) throw new Error(`${file} has no options for case "${name}"`);
      return JSON.parse(json) as T;
    },
    /** The names of the cases that have options, sorted. */
    cases: () =>
      Object.keys(metadata)
        .filter((k) => k.endsWith(".options"))
        .map((k) => k.slice(0, -".options".length))
        .sort(),
    /** Compares shape and values with the fixture tensor `name` (rtol 1e-5, atol 1e-6 unless given). */
    expectClose(actual: Tensor | null, name: string, tol: { rtol?: number; atol?: number } = {}): void {
      assert.ok(actual, `${name}: got null (no gradient?)`);
      const expected = get(name);
      assert.deepEqual(actual.shape, expected.shape, `${name}: shape`);
      assertClose(actual.toList(), expected.toList(), { ...tol, what: name });
    },
  };
}
