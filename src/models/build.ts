// The model builder: turns a layer plan (src/arch) into nn modules, one module per plan node, with
// the plan's names, so state-dict keys are the plan's dotted paths (torchvision's where it has them).
import type { Act, Named, Node, Shape } from "../arch/plan.js";
import { outputShape } from "../arch/walk.js";
import {
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  Dropout,
  Flatten,
  GlobalAvgPool,
  Hardsigmoid,
  Hardswish,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  ReLU6,
  Sequential,
  Sigmoid,
} from "../nn/index.js";
import { AddUnit, ChannelShuffle, ConcatUnit, GateUnit, SplitUnit } from "./units.js";

const ACTIVATION_LAYERS: Record<Act, () => Module> = {
  relu: () => new ReLU(),
  relu6: () => new ReLU6(),
  hswish: () => new Hardswish(),
  hsigmoid: () => new Hardsigmoid(),
  sigmoid: () => new Sigmoid(),
};

/** Builds each named node in order, feeding each the previous one's output shape. */
function buildList(layers: readonly Named[], x: Shape): [string, Module][] {
  let shape = x;
  return layers.map(([name, node]) => {
    const m = buildNode(node, shape);
    shape = outputShape(node, shape);
    return [name, m];
  });
}

const buildNamed = ([name, node]: Named, x: Shape): [string, Module] => [name, buildNode(node, x)];

/** The module for `node` receiving input of shape `x` ([C, H, W], or [C] when flat). */
export function buildNode(node: Node, x: Shape): Module {
  switch (node.op) {
    case "conv":
      return new Conv2d(x.c, node.out, node.k, {
        stride: node.stride,
        padding: node.pad,
        groups: node.groups,
        bias: node.bias,
      });
    case "bn":
      return new BatchNorm2d(x.c, { affine: node.affine });
    case "act":
      return ACTIVATION_LAYERS[node.fn]();
    case "maxpool":
      return new MaxPool2d(node.k, node.stride, node.pad);
    case "avgpool":
      return new AvgPool2d(node.k, node.stride, node.pad);
    case "gap":
      return new GlobalAvgPool(node.keepdim);
    case "dropout":
      return new Dropout(node.p);
    case "flatten":
      return new Flatten();
    case "linear":
      return new Linear(x.c, node.out, { bias: node.bias });
    case "shuffle":
      return new ChannelShuffle(node.groups);
    case "seq":
      return Sequential.named(buildList(node.layers, x));
    case "add":
      return new AddUnit(buildList(node.main, x), node.shortcut && buildNamed(node.shortcut, x), node.after);
    case "concat":
      return new ConcatUnit(buildList(node.main, x), buildNamed(node.shortcut, x), node.mainAct);
    case "split-unit": {
      const mainIn = node.proj ? x : { ...x, c: x.c / 2 };
      return new SplitUnit(node.style, node.proj && buildNamed(node.proj, x), buildNamed(node.main, mainIn));
    }
    case "gate":
      return new GateUnit(buildNamed(node.body, x), node.fn);
  }
}
