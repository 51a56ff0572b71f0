// The L1-norm filter pruning baseline (src/prune/l1-filters.ts): each conv keeps exactly the filters a
// direct computation of sum |w| ranks highest, the next conv keeps the matching input columns, BN
// channels follow their filters, and the state loads into the pruned description; in a MobileNetV2
// block the hidden channels kept are the expansion filters of largest sum |w|, cut from the
// depthwise filters, both BNs and the projection's input columns alike.
import assert from "node:assert/strict";
import { it } from "node:test";
import type { MobileNetV2Arch } from "../../src/arch/families/mobilenet-v2.js";
import type { VggArch } from "../../src/arch/families/vgg.js";
import { validateArch } from "../../src/arch/schema.js";
import { manualSeed, noGrad, randn, type Tensor } from "../../src/engine/index.js";
import { buildModel } from "../../src/models/index.js";
import { l1PrunedMobileNetV2, l1PrunedState } from "../../src/prune/l1-filters.js";

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

it("keeps a MobileNetV2 block's expansion filters of largest L1 norm across its depthwise and projection", () => {
  const channels = { stem: 8, stages: [8, 8, 8, 16, 16, 16, 16], hidden: Array(16).fill(12), last: 32 };
  const mobilenet = { family: "mobilenet_v2", stem: "small", inputSize: 32, classes: 10 };
  const arch = validateArch({ ...mobilenet, channels }) as MobileNetV2Arch;
  const hidden = [5, ...Array(15).fill(12)];
  const target = validateArch({ ...mobilenet, channels: { ...channels, hidden } }) as MobileNetV2Arch;
  manualSeed(6);
  const model = buildModel(arch);
  const own = model.stateDict();
  // Distinct BN entries, so cutting the wrong channels shows.
  noGrad(() => {
    for (const key of ["features.2.conv.0.1.weight", "features.2.conv.1.1.running_var"])
      (own.get(key) as Tensor).copy_(randn([12]).abs().add(0.1));
  });
  const state = l1PrunedMobileNetV2(model, target);
  const expansion = filters(own.get("features.2.conv.0.0.weight") as Tensor);
  const norms = expansion.map((f) => f.reduce((s, v) => s + Math.abs(v), 0));
  const kept = [...norms.keys()]
    .sort((a, b) => (norms[b] as number) - (norms[a] as number))
    .slice(0, 5)
    .sort((a, b) => a - b);
  for (const key of ["conv.0.0.weight", "conv.1.0.weight", "conv.0.1.weight", "conv.1.1.running_var"]) {
    const all = filters(own.get(`features.2.${key}`) as Tensor);
    assert.deepEqual(
      filters(state.get(`features.2.${key}`) as Tensor),
      kept.map((o) => all[o]),
      key,
    );
  }
  // The projection [oup, hidden, 1, 1] keeps the matching input columns.
  const project = filters(own.get("features.2.conv.2.weight") as Tensor);
  assert.deepEqual(
    filters(state.get("features.2.conv.2.weight") as Tensor),
    project.map((f) => kept.map((o) => f[o])),
  );
  assert.deepEqual(
    (state.get("features.3.conv.0.0.weight") as Tensor).toList(),
    (own.get("features.3.conv.0.0.weight") as Tensor).toList(),
    "an unpruned block is unchanged",
  );
  buildModel(target).loadStateDict(state);
});
