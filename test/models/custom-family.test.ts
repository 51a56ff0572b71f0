// A user's own family and model through the registry: a two-conv net registered with registerFamily and
// registerModel is created, counted (against counts worked out by hand) and run like a built-in one;
// duplicate names, invalid definitions and invalid descriptions are refused with the name in the message.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import {
  blocks,
  commonFields,
  countArch,
  type FamilyDef,
  printArch,
  registerFamily,
  registerModel,
  resolveArch,
} from "../../src/arch/index.js";
import { randn, tidy } from "../../src/engine/index.js";
import { createModel, listModels } from "../../src/models/index.js";

const twoConvSchema = z.strictObject({
  family: z.literal("two_conv"),
  width: z.number().int().min(1).default(8),
  ...commonFields,
});
type TwoConvArch = z.output<typeof twoConvSchema>;

const { bn, conv, gap, linear, named, relu, seq } = blocks;
const twoConv: FamilyDef<TwoConvArch> = {
  family: "two_conv",
  schema: twoConvSchema,
  decode: (a) =>
    named([
      ["conv1", seq(conv(a.width, 3, { stride: 2 }), bn(), relu)],
      ["conv2", seq(conv(2 * a.width, 3, { stride: 2 }), bn(), relu)],
      ["pool", gap()],
      ["fc", linear(a.classes)],
    ]),
  init: "kaiming-fan-out",
};

registerFamily(twoConv);
registerModel<TwoConvArch>("two_conv_4", { family: "two_conv", width: 4, inputSize: 28, inChannels: 1 });

describe("a user's family and model", () => {
  it("is listed, created, counted and run", () => {
    assert.ok(listModels().includes("two_conv_4"));
    const { arch, model } = createModel("two_conv_4", { classes: 5 });
    assert.equal(printArch(arch), "two_conv(width=4,inputSize=28,inChannels=1,classes=5)");
    assert.deepEqual(resolveArch("two_conv(width=4,inputSize=28,inChannels=1,classes=5)"), arch);
    // 28 -> 14 -> 7 px; conv 3x3 without bias, BN weight + bias, FC with bias.
    const [w, c, k] = [4, 1, 5];
    const counted = countArch(arch);
    assert.equal(counted.flops, 14 * 14 * w * c * 9 + 7 * 7 * 2 * w * w * 9 + 2 * w * k);
    assert.equal(counted.params, w * c * 9 + 2 * w + 2 * w * w * 9 + 2 * 2 * w + 2 * w * k + k);
    assert.equal(
      model.parameters().reduce((s, p) => s + p.numel, 0),
      counted.params,
    );
    tidy(() => assert.deepEqual(model.eval().forward(randn([3, 1, 28, 28])).shape, [3, k]));
  });

  it("refuses a second family or model of the same name", () => {
    assert.throws(() => registerFamily(twoConv), /registerFamily: family "two_conv" is already registered/);
    const renamed: FamilyDef = { ...twoConv, family: "shufflenet_v2" };
    assert.throws(() => registerFamily(renamed), /family "shufflenet_v2" is already registered/);
    assert.throws(
      () => registerModel("two_conv_4", { family: "two_conv" }),
      /registerModel: model "two_conv_4" is already registered/,
    );
    assert.throws(
      () => registerModel("resnet18", { family: "two_conv" }),
      /model "resnet18" is already registered/,
    );
  });

  it("refuses an invalid description, naming the model and the field", () => {
    assert.throws(
      () => registerModel("two_conv_0", { family: "two_conv", width: 0 }),
      /registerModel: model "two_conv_0": architecture: field "width" is 0/,
    );
    assert.throws(
      () => registerModel("two_conv_x", { family: "two_conv", depth: 3 }),
      /model "two_conv_x": architecture: unknown field "depth"/,
    );
    assert.throws(() => registerModel("nothing", { family: "three_conv" }), /family "three_conv" is unknown/);
    assert.throws(() => registerModel("two conv", { family: "two_conv" }), /a model name is letters/);
    assert.ok(!listModels().includes("two_conv_0"));
  });

  it("refuses a family whose definition cannot work", () => {
    // As a JavaScript caller could pass them: the type checker would refuse most of these.
    const refuses = (def: object, pattern: RegExp) =>
      assert.throws(() => registerFamily(def as FamilyDef), pattern);
    const { family: _family, ...fields } = twoConvSchema.shape;
    const other = (schema: z.ZodObject) => ({ ...twoConv, family: "other", schema });
    refuses({ ...twoConv, family: "bad name" }, /family "bad name": a family name is letters/);
    refuses(
      other(z.object({ family: z.literal("other"), ...fields })),
      /family "other": its schema must be a z.strictObject/,
    );
    refuses(other(z.strictObject({ ...fields })), /its schema's "family" field must be z.literal\("other"\)/);
    refuses(other(twoConvSchema), /its schema's "family" field must be z.literal\("other"\)/);
    refuses(
      other(z.strictObject({ family: z.literal("other"), width: fields.width, classes: fields.classes })),
      /its schema lacks the common fields inputSize, inChannels, stem, quant \(spread commonFields into it\)/,
    );
    const valid = other(z.strictObject({ family: z.literal("other"), ...fields }));
    refuses({ ...valid, decode: "conv" }, /decode must be a function/);
    refuses(
      { ...valid, init: "xavier" },
      /init must be one of megvii, torchvision-shufflenet, kaiming-fan-out, torchvision-resnet/,
    );
    assert.throws(() => createModel("other"), /unknown model "other"/);
  });
});
