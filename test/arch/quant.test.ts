// Bit widths in descriptions and BitOps: the short form, the first and last layers at the edge width,
// per-layer widths, bad widths refused, and BitOps against the counter's own per-layer FLOPs.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { archLayerBits, countBitOps } from "../../src/arch/count.js";
import { archOf, countArch } from "../../src/arch/index.js";
import { parseQuant } from "../../src/arch/quant.js";

const resnet = (quant?: object) =>
  archOf("resnet18", { inputSize: 32, classes: 10, stem: "small", ...(quant ? { quant } : {}) } as object);

describe("quantization widths", () => {
  test("w4a4 sets every layer to 4 bits but the first conv and the last linear (8)", () => {
    const bits = archLayerBits(resnet(parseQuant("w4a4")));
    assert.ok(bits);
    assert.deepEqual(bits.get("conv1"), { weights: 8, activations: 8 });
    assert.deepEqual(bits.get("fc"), { weights: 8, activations: 8 });
    assert.deepEqual(bits.get("layer2.0.downsample.0"), { weights: 4, activations: 4 });
    const convsAndLinears = countArch(resnet()).layers.filter((l) => l.op === "conv" || l.op === "linear");
    assert.equal(bits.size, convsAndLinears.length);
  });

  test("per-layer widths override the uniform ones", () => {
    const bits = archLayerBits(
      resnet({ weights: 4, activations: 4, layers: { "layer1.0.conv1": { weights: 2, activations: 3 } } }),
    );
    assert.deepEqual(bits?.get("layer1.0.conv1"), { weights: 2, activations: 3 });
  });

  test("refuses widths outside 1..8, a bad short form and unknown layers", () => {
    assert.throws(() => parseQuant("w9a4"), /bits must be integers from 1 to 8, got "w9a4"/);
    assert.throws(() => parseQuant("4bit"), /expected the form w<bits>a<bits>/);
    assert.throws(() => resnet({ weights: 0, activations: 4 }), /quant\.weights/);
    assert.throws(
      () =>
        archLayerBits(
          resnet({ weights: 4, activations: 4, layers: { "layer9.conv": { weights: 2, activations: 2 } } }),
        ),
      /layers\."layer9\.conv" is not a conv or linear layer/,
    );
  });
});

describe("BitOps: FLOPs x weight bits x input bits per conv and linear layer", () => {
  const flopsOf = (name: string) =>
    countArch(resnet()).layers.find((l) => l.name === name)?.flops ?? Number.NaN;
  const flops = countArch(resnet()).flops;

  test("a float network counts 32 x 32 per multiply-add; uniform widths scale FLOPs exactly", () => {
    assert.equal(countBitOps(resnet()), flops * 1024);
    assert.equal(countBitOps(resnet({ weights: 4, activations: 4, edges: 4 })), flops * 16);
  });

  test("edges and per-layer widths weight their own layer's FLOPs", () => {
    const edgeFlops = flopsOf("conv1") + flopsOf("fc");
    assert.equal(countBitOps(resnet(parseQuant("w2a3"))), (flops - edgeFlops) * 6 + edgeFlops * 64);
    const one = flopsOf("layer3.1.conv2");
    const mixed = resnet({
      weights: 4,
      activations: 4,
      edges: 4,
      layers: { "layer3.1.conv2": { weights: 1, activations: 2 } },
    });
    assert.equal(countBitOps(mixed), (flops - one) * 16 + one * 2);
  });
});
