// The uniform-width net (src/prune/channel-widths.ts, uniformWidths): for a VGG, a ResNet and a
// MobileNetV2 whose every width is 16, every width of the result is one count n, and n is the largest
// meeting the FLOPs target (all widths at n + 1 exceed it, counted by the analytic counter); a target
// below one channel per layer is refused naming the flag.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countArch } from "../../src/arch/count.js";
import { validateArch } from "../../src/arch/schema.js";
import { type PrunableArch, uniformWidths } from "../../src/prune/channel-widths.js";

const io = { stem: "small", inputSize: 32, classes: 10 };
/** Each family at every width n. */
const NETS: Record<string, (n: number) => PrunableArch> = {
  vgg: (n) => validateArch({ family: "vgg", depth: 11, ...io, channels: Array(8).fill(n) }) as PrunableArch,
  resnet: (n) =>
    validateArch({
      family: "resnet",
      depth: 18,
      ...io,
      channels: { stem: n, stages: Array(4).fill(n), mid: Array(8).fill(n) },
    }) as PrunableArch,
  mobilenet_v2: (n) =>
    validateArch({
      family: "mobilenet_v2",
      ...io,
      channels: { stem: n, stages: Array(7).fill(n), hidden: Array(16).fill(n), last: n },
    }) as PrunableArch,
};

describe("uniform widths", () => {
  for (const [family, at] of Object.entries(NETS))
    it(`${family}: one width everywhere, the largest meeting the target`, () => {
      const max = countArch(at(16)).flops / 3;
      const widths = JSON.stringify(uniformWidths(at(16), max, "speedup").channels)
        .match(/\d+/g)
        ?.map(Number) as number[];
      const n = widths[0] as number;
      assert.ok(
        widths.every((c) => c === n),
        widths.join(" "),
      );
      assert.ok(countArch(at(n)).flops <= max && countArch(at(n + 1)).flops > max, `${n}`);
    });

  it("refuses a target below one channel per layer", () => {
    assert.throws(
      () => uniformWidths(NETS.vgg?.(16) as PrunableArch, 10, "speedup"),
      /speedup: even one channel per layer/,
    );
  });
});
