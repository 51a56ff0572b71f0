// The L1-norm filter pruning baseline (src/prune/l1-filters.ts): each conv keeps exactly the filters a
// direct computation of sum |w| ranks highest, the next conv keeps the matching input columns, BN
// channels follow their filters, and the state loads into the pruned description.
import assert from "node:assert/strict";
import { it } from "node:test";
import type { VggArch } from "../../src/arch/families/vgg.js";
import { validateArch } from "../../src/arch/schema.js";
import { manualSeed, type Tensor } from "../../src/engine/index.js";
import { buildModel } from "../../src/models/index.js";
import { l1PrunedState } from "../../src/prune/l1-filters.js";

const ARCH = { family: "vgg", depth: 11, bn: true, stem: "small", inputSize: 32, classes: 10 };
const WIDTHS = [8, 8, 16, 16, 16, 16, 16, 16];
const TARGET = [3, 5, 16, 9, 16, 16, 7, 16];

/** Filter i of a [n, C, k, k] weight as a flat list. */
function filters(t: Tensor): number[][] {
  const values = t.toList();
  const n = t.shape[0] as number;
  const per = values.length / n;
  return Array.from({ length: n }, (_, i) => values.slice(i * per, (i + 1) * per));
}

it("keeps the filters of largest L1 norm and the matching input channels of the next conv", () => {
  const arch = validateArch({ ...ARCH, channels: WIDTHS }) as VggArch;
  const target = validateArch({ ...ARCH, channels: TARGET }) as VggArch;
  manualSeed(5);
  const model = buildModel(arch);
  const own = model.stateDict();
  const state = l1PrunedState(arch, model, target);
  const convs = [
    "features.0",
    "features.4",
    "features.8",
    "features.11",
    "features.15",
    "features.18",
    "features.22",
    "features.25",
  ];
  let previous: number[] | null = null;
  convs.forEach((name, i) => {
    const original = filters(own.get(`${name}.weight`) as Tensor);
    const norms = original.map((f) => f.reduce((s, v) => s + Math.abs(v), 0));
    const kept = [...norms.keys()]
      .sort((a, b) => (norms[b] as number) - (norms[a] as number))
      .slice(0, TARGET[i])
      .sort((a, b) => a - b);
    const inputs = previous ?? [...Array((original[0]?.length ?? 0) / 9).keys()];
    const expected = kept.map((o) =>
      inputs.flatMap((c) => (original[o] as number[]).slice(c * 9, c * 9 + 9)),
    );
    const got = filters(state.get(`${name}.weight`) as Tensor);
    assert.deepEqual(got, expected, `${name}: kept filters and input channels`);
    const bn = `features.${Number(name.split(".")[1]) + 1}`;
    for (const key of [`${name}.bias`, `${bn}.weight`, `${bn}.running_mean`]) {
      const all = (own.get(key) as Tensor).toList();
      assert.deepEqual(
        (state.get(key) as Tensor).toList(),
        kept.map((o) => all[o]),
        key,
      );
    }
    previous = kept;
  });
  const pruned = buildModel(target);
  pruned.loadStateDict(state);
});
