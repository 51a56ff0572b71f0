// Registry-wide checks (timm style): every registered model builds, runs forward and backward with
// a gradient for every parameter and no NaN, counts the same analytically as traced, and its
// description round-trips through JSON and the string form.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  archOf,
  countArch,
  listOps,
  parseArch,
  planOf,
  printArch,
  validateArch,
} from "../../src/arch/index.js";
import { F, manualSeed, randint, randn, tidy } from "../../src/engine/index.js";
import { buildModel, listModels, tracedOps } from "../../src/models/index.js";

const SIZE = 32;
const CLASSES = 7;
const key = (o: unknown) => JSON.stringify(o);
/**
 * VGG's standard stem is torchvision's 224 px network (a 7x7 map into the classifier), refused below
 * 224 px: at 28-32 px its small stem is checked (test/arch/vgg.test.ts builds the standard one at 224).
 */
const only224 = (name: string) => archOf(name).family === "vgg";

describe("every registered model", () => {
  for (const name of listModels()) {
    it(name, () => {
      const arch = archOf(name, {
        inputSize: SIZE,
        classes: CLASSES,
        ...(only224(name) && { stem: "small" }),
      });
      assert.deepEqual(validateArch(JSON.parse(JSON.stringify(arch))), arch, "JSON round trip");
      assert.deepEqual(parseArch(printArch(arch)), arch, "string round trip");

      manualSeed(1);
      const model = buildModel(arch);
      const analytic = listOps(planOf(arch), { c: arch.inChannels, h: SIZE, w: SIZE }).ops;
      const traced = tracedOps(model, arch.inChannels, SIZE);
      assert.deepEqual(traced.map(key).sort(), analytic.map(key).sort(), "traced ops == analytic ops");
      const params = model.parameters().reduce((s, p) => s + p.numel, 0);
      assert.equal(params, countArch(arch).params, "parameter count");

      tidy(() => {
        const logits = model.forward(randn([2, arch.inChannels, SIZE, SIZE]));
        assert.deepEqual(logits.shape, [2, CLASSES]);
        F.crossEntropy(logits, randint(0, CLASSES, [2])).backward();
        assert.ok(Number.isFinite(logits.sum().item()), "finite logits");
        for (const [pname, p] of model.namedParameters()) {
          const g = p.grad;
          assert.ok(g, `${pname} has no gradient`);
          assert.ok(Number.isFinite(g.abs().sum().item()), `${pname} has a non-finite gradient`);
        }
      });
      for (const t of model.stateDict().values()) t.dispose();
    });
  }
});

describe("every registered model at 28 px, 1 channel, both stems", () => {
  for (const name of listModels()) {
    it(name, () => {
      for (const stem of ["standard", "small"] as const) {
        const overrides = { inputSize: 28, inChannels: 1, classes: 3, stem };
        if (stem === "standard" && only224(name)) {
          assert.throws(() => archOf(name, overrides), /standard stem .* needs 224-255 px inputs, got 28/);
          continue;
        }
        const arch = archOf(name, overrides);
        const { output } = listOps(planOf(arch), { c: 1, h: 28, w: 28 });
        assert.deepEqual(output, { c: 3, h: 0, w: 0 }, `${stem} stem`);
      }
    });
  }
});

describe("architecture descriptions", () => {
  it("reject invalid fields naming the field and the value", () => {
    assert.throws(() => validateArch({ family: "shufflenet_v2", width: 0.7 }), /field "width" is 0\.7/);
    assert.throws(
      () => validateArch({ family: "shufflenet_v2", width: 1, inputSize: 16 }),
      /field "inputSize" is 16/,
    );
    assert.throws(
      () => validateArch({ family: "shufflenet_v2", width: 1, classes: 0 }),
      /field "classes" is 0/,
    );
    assert.throws(
      () => validateArch({ family: "shufflenet_v2", width: 1, stem: "tiny" }),
      /field "stem" is "tiny"/,
    );
    assert.throws(() => validateArch({ family: "shufflenet_v2" }), /field "width" is missing/);
    assert.throws(
      () => validateArch({ family: "shufflenet_v2", width: 1, depth: 3 }),
      /unknown field "depth"/,
    );
    assert.throws(() => validateArch({ family: "alexnet" }), /family "alexnet" is unknown/);
    assert.throws(() => validateArch([1, 2]), /expected a JSON object/);
    assert.throws(() => parseArch("shufflenet_v2 width=1"), /expected "family\(key=value,...\)"/);
    assert.throws(() => parseArch("shufflenet_v2(width)"), /"width" is not key=value/);
  });

  it("the string form leaves common defaults out and keeps what differs", () => {
    assert.equal(printArch(archOf("shufflenet_v2_x1_0")), "shufflenet_v2(width=1)");
    assert.equal(
      printArch(archOf("shufflenet_v2_x0_5", { inputSize: 32, classes: 10, stem: "small" })),
      "shufflenet_v2(width=0.5,inputSize=32,classes=10,stem=small)",
    );
  });
});
