// The model builder: turns a layer plan (src/arch) into nn modules, one module per plan node, with
// the plan's names, so state-dict keys are the plan's dotted paths (torchvision's where it has them).
// Static models use Conv2d/BatchNorm2d/Linear; weight-sharing supernets build the same plans from the
// elastic variants (src/nn/elastic.ts), MetaPruning's PruningNet from generated ones (src/prune).
import type { Act, Named, Node, Shape } from "../arch/plan.js";
import { outputShape } from "../arch/walk.js";
import {
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  Dropout,
  ElasticBatchNorm2d,
  ElasticConv2d,
  ElasticLinear,
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
import { AddUnit, ChannelPick, ChannelShuffle, ConcatUnit, GateUnit, SplitUnit } from "./units.js";

const ACTIVATION_LAYERS: Record<Act, () => Module> = {
  relu: () => new ReLU(),
  relu6: () => new ReLU6(),
  hswish: () => new Hardswish(),
  hsigmoid: () => new Hardsigmoid(),
  sigmoid: () => new Sigmoid(),
};

type ConvNode = Extract<Node, { op: "conv" }>;

/** What conv, BN and linear nodes become, given their input channels. */
export interface LayerKinds {
  conv(inChannels: number, node: ConvNode): Module;
  bn(channels: number, affine: boolean): Module;
  linear(inFeatures: number, out: number, bias: boolean): Module;
}

const convOptions = (node: ConvNode) => ({
  stride: node.stride,
  padding: node.pad,
  groups: node.groups,
  bias: node.bias,
});

export const STATIC_LAYERS: LayerKinds = {
  conv: (c, node) => new Conv2d(c, node.out, node.k, convOptions(node)),
  bn: (c, affine) => new BatchNorm2d(c, { affine }),
  linear: (c, out, bias) => new Linear(c, out, { bias }),
};

/** Weight-sharing supernets: layers that run on leading slices of their widest weights. */
export const ELASTIC_LAYERS: LayerKinds = {
  conv: (c, node) => new ElasticConv2d(c, node.out, node.k, convOptions(node)),
  bn: (c, affine) => new ElasticBatchNorm2d(c, { affine }),
  linear: (c, out, bias) => new ElasticLinear(c, out, { bias }),
};

/** Builds each named node in order, feeding each the previous one's output shape. */
function buildList(layers: readonly Named[], x: Shape, kinds: LayerKinds): [string, Module][] {
  let shape = x;
  return layers.map(([name, node]) => {
    const m = buildNode(node, shape, kinds);
    shape = outputShape(node, shape);
    return [name, m];
  });
}

const buildNamed = ([name, node]: Named, x: Shape, kinds: LayerKinds): [string, Module] => [
  name,
  buildNode(node, x, kinds),
];

/** The module for `node` receiving input of shape `x` ([C, H, W], or [C] when flat). */
export function buildNode(node: Node, x: Shape, kinds: LayerKinds = STATIC_LAYERS): Module {
  switch (node.op) {
    case "conv":
      return kinds.conv(x.c, node);
    case "bn":
      return kinds.bn(x.c, node.affine);
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
      return kinds.linear(x.c, node.out, node.bias);
    case "shuffle":
      return new ChannelShuffle(node.groups);
    case "pick":
      return new ChannelPick(node.channels);
    case "seq":
      return Sequential.named(buildList(node.layers, x, kinds));
    case "add":
      return new AddUnit(
        buildList(node.main, x, kinds),
        node.shortcut && buildNamed(node.shortcut, x, kinds),
        node.after,
      );
    case "concat":
      return new ConcatUnit(
        buildList(node.main, x, kinds),
        buildNamed(node.shortcut, x, kinds),
        node.mainAct,
      );
    case "split-unit": {
      const mainIn = node.proj ? x : { ...x, c: x.c / 2 };
      return new SplitUnit(
        node.style,
        node.proj && buildNamed(node.proj, x, kinds),
        buildNamed(node.main, mainIn, kinds),
      );
    }
    case "gate":
      return new GateUnit(buildNamed(node.body, x, kinds), node.fn);
  }
}
