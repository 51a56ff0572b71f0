// torchvision state dicts (scripts/gen-model-golden.py) load into lithe by name, giving torchvision's logits.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  loadSafetensors,
  noGrad,
  saveSafetensors,
  type Tensor,
  tidy,
  zeros,
} from "../../src/engine/index.js";
import { archOf, buildModel } from "../../src/models/index.js";
import type { Module } from "../../src/nn/index.js";
import { assertClose, fixturePath, tempDir } from "../helpers.js";

const MODELS = ["shufflenet_v2_x0_5", "mobilenet_v2_x0_35"];

const dir = tempDir("lithe-torchvision-weights-");
after(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (t: Tensor) => {
  const d = t.toTypedArray();
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
};

const regExpLiteral = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The fixture's state dict (every tensor but `input` and `logits`), input and torchvision's logits. */
function fixture(name: string): { state: Map<string, Tensor>; input: Tensor; logits: Tensor } {
  const file = `${name}-torchvision.safetensors`;
  const { tensors } = loadSafetensors(fixturePath(file));
  const take = (key: string) => {
    const t = tensors.get(key);
    if (!t) throw new Error(`${file} has no tensor "${key}"`);
    tensors.delete(key);
    return t;
  };
  return { input: take("input"), logits: take("logits"), state: tensors };
}

const fresh = (name: string): Module => buildModel(archOf(name, { classes: 10, inputSize: 64 }));

/** Asserts both maps hold the same names, dtypes, shapes and bytes. */
function assertIdentical(actual: ReadonlyMap<string, Tensor>, expected: ReadonlyMap<string, Tensor>): void {
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), "names");
  for (const [key, e] of expected) {
    const a = actual.get(key) as Tensor;
    assert.equal(a.dtype, e.dtype, `${key} dtype`);
    assert.deepEqual(a.shape, e.shape, `${key} shape`);
    assert.ok(bytesOf(a).equals(bytesOf(e)), `${key} bytes are identical`);
  }
}

for (const name of MODELS) {
  describe(`${name} with torchvision's weights`, () => {
    const { state, input, logits } = fixture(name);

    it("loads torchvision's state dict strictly: same names, shapes and values", () => {
      const model = fresh(name);
      model.loadStateDict(state);
      assertIdentical(model.stateDict(), state);
    });

    it("reproduces torchvision's eval-mode logits", (t) => {
      const model = fresh(name);
      model.loadStateDict(state);
      model.eval();
      const actual = tidy(() => noGrad(() => model.forward(input).toList()));
      const expected = logits.toList();
      const maxAbsDiff = actual.reduce((m, a, i) => Math.max(m, Math.abs(a - (expected[i] as number))), 0);
      t.diagnostic(`max |lithe - torchvision| = ${maxAbsDiff.toExponential(3)}`);
      assertClose(actual, expected, { rtol: 1e-4, atol: 1e-5, what: `${name} logits` });
    });

    it("saves a state dict that reloads bit for bit", () => {
      const model = fresh(name);
      model.loadStateDict(state);
      const path = join(dir, `${name}.safetensors`);
      saveSafetensors(path, model.stateDict());
      const reloaded = loadSafetensors(path).tensors;
      assertIdentical(reloaded, model.stateDict());
      assertIdentical(reloaded, state);
    });

    it("refuses a state dict with one tensor's shape altered, naming that tensor", () => {
      const weights = [...state.keys()].filter((k) => k.endsWith(".weight"));
      const victim = weights[Math.floor(weights.length / 2)] as string;
      const [first, ...rest] = (state.get(victim) as Tensor).shape as [number, ...number[]];
      const altered = new Map(state).set(victim, zeros([first + 1, ...rest]));
      assert.throws(
        () => fresh(name).loadStateDict(altered),
        new RegExp(`^Error: loadStateDict: "${regExpLiteral(victim)}" has shape \\[${first + 1}, `),
      );
    });
  });
}
