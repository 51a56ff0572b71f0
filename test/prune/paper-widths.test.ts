// The paper's widths rule (src/prune/paper-widths.ts): the single-layer analysis of a VGG whose conv1
// reads duplicated channels (4..7 copy 0..3) finds that layer free to prune to half or more (its
// reconstruction is exact there) and not below, and a ResNet's and a MobileNetV2's layers lose more
// at a quarter of their channels than at three quarters; with every layer equally sensitive the rule gives
// the uniform widths (to rounding); a sensitive layer keeps more of its channels than the uniform
// rule gives and the others fewer, the first stage never below the uniform ratio, the FLOPs target
// always met; an impossible target is refused naming the flag.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countArch } from "../../src/arch/count.js";
import { type VggArch, vggChannels } from "../../src/arch/families/vgg.js";
import { validateArch } from "../../src/arch/schema.js";
import { manualSeed, noGrad, randn } from "../../src/engine/index.js";
import { buildModel } from "../../src/models/index.js";
import type { Conv2d } from "../../src/nn/index.js";
import { type PrunableArch, prunableStages, widthsFor } from "../../src/prune/channel-widths.js";
import { PROBE_RATIOS, paperWidths, sensitivities } from "../../src/prune/paper-widths.js";

const ARCH = validateArch({
  family: "vgg",
  depth: 11,
  stem: "small",
  inputSize: 32,
  classes: 10,
  channels: [8, 16, 16, 16, 32, 32, 32, 32],
}) as VggArch;
const LAYERS = prunableStages(ARCH).length;

describe("paper widths", () => {
  it("the single-layer analysis finds duplicated channels free to prune down to the originals", () => {
    manualSeed(3);
    const model = buildModel(ARCH).eval();
    const modules = new Map(model.namedModules());
    const conv0 = modules.get("features.0") as Conv2d;
    const conv1 = modules.get("features.3") as Conv2d;
    noGrad(() => {
      conv0.weight.narrow(0, 4, 4).copy_(conv0.weight.narrow(0, 0, 4));
      conv0.bias?.narrow(0, 4, 4).copy_(conv0.bias.narrow(0, 0, 4));
      conv1.weight.narrow(1, 4, 4).copy_(conv1.weight.narrow(1, 0, 4).mul(0.5));
    });
    const x = randn([32, 3, 32, 32]);
    const errors = sensitivities(ARCH, model, x, { points: 10, lassoRows: 400, seed: 0 });
    assert.equal(errors.length, LAYERS);
    const [quarter, half, threeQuarters] = errors[0] as number[];
    assert.ok((quarter as number) > 1e-3, `2 of 8 channels: ${quarter}`);
    assert.ok((half as number) < 1e-8 && (threeQuarters as number) < 1e-8, `${half} ${threeQuarters}`);
    for (const e of errors.slice(1)) assert.ok((e[0] as number) > (e[2] as number), e.join(" "));
  });

  it("analyses every prunable layer of a ResNet and a MobileNetV2 too", () => {
    const nets = [
      {
        family: "resnet",
        depth: 18,
        stem: "small",
        inputSize: 28,
        classes: 10,
        channels: { stem: 8, stages: [8, 16, 16, 16], mid: [8, 8, 16, 16, 16, 16, 16, 16] },
      },
      {
        family: "mobilenet_v2",
        stem: "small",
        inputSize: 28,
        classes: 10,
        channels: { stem: 8, stages: [8, 8, 8, 16, 16, 16, 16], hidden: Array(16).fill(24), last: 32 },
      },
    ].map((a) => validateArch(a) as PrunableArch);
    for (const arch of nets) {
      manualSeed(4);
      const model = buildModel(arch).eval();
      const x = randn([16, 3, 28, 28]);
      const errors = sensitivities(arch, model, x, { points: 10, lassoRows: 400, seed: 0 });
      assert.equal(errors.length, prunableStages(arch).length);
      // Keeping a quarter of a layer's channels loses more than keeping three quarters.
      for (const e of errors)
        assert.ok((e[0] as number) > (e[2] as number), `${arch.family}: ${e.join(" ")}`);
      const paper = paperWidths(arch, countArch(arch).flops / 2, "speedup", errors);
      assert.ok(countArch(paper).flops <= countArch(arch).flops / 2);
    }
  });

  it("equally sensitive layers get the uniform widths", () => {
    const max = countArch(ARCH).flops / 3;
    const flat = Array.from({ length: LAYERS }, () => [0.5, 0.3, 0.1]);
    const paper = vggChannels(paperWidths(ARCH, max, "speedup", flat) as VggArch);
    const uniform = vggChannels(widthsFor(ARCH, max, "speedup") as VggArch);
    assert.ok(countArch(validateArch({ ...ARCH, channels: paper })).flops <= max);
    for (const [i, c] of paper.entries())
      assert.ok(Math.abs(c - (uniform[i] as number)) <= 1, `${paper} vs ${uniform}`);
  });

  it("keeps a sensitive layer wider and the first stage at least at the uniform ratio", () => {
    const max = countArch(ARCH).flops / 3;
    const errors = Array.from({ length: LAYERS }, (_, i) => (i === 3 ? [0.9, 0.8, 0.7] : [0.3, 0.1, 0.03]));
    const paper = vggChannels(paperWidths(ARCH, max, "speedup", errors) as VggArch);
    const uniform = vggChannels(widthsFor(ARCH, max, "speedup") as VggArch);
    assert.ok(countArch(validateArch({ ...ARCH, channels: paper })).flops <= max);
    assert.ok((paper[3] as number) > (uniform[3] as number), `${paper} vs ${uniform}`);
    assert.ok((paper[0] as number) >= (uniform[0] as number), `${paper} vs ${uniform}`);
    for (const i of [2, 4, 5, 6])
      assert.ok((paper[i] as number) < (uniform[i] as number), `${paper} vs ${uniform}`);
    assert.equal(paper[7], 32, "the last conv is not pruned");
  });

  it("refuses a target one channel per layer cannot meet", () => {
    const errors = Array.from({ length: LAYERS }, () => PROBE_RATIOS.map(() => 0.5));
    assert.throws(
      () => paperWidths(ARCH, 1000, "speedup", errors),
      /speedup: even one channel per prunable layer/,
    );
  });
});
