// Costs of executed ops, and their sums. Conventions (see ../shared/reference.md):
// - flops: the papers' "FLOPs" = multiply-adds of conv and fully connected layers only (1 MAdd = 1).
// - ops ("full count"): flops plus every other arithmetic op at inference: bias adds 1 per output
//   element, BN 2 (scale, shift), ReLU/ReLU6 1, h-sigmoid 3 (add, clamp, divide), h-swish 4,
//   sigmoid 4, element-wise add and mul 1, max/avg pool k*k per output element, global pool 1 per
//   input element. Concat, split, shuffle, the channel sampler (pick), dropout and flatten do no arithmetic.
// - mac: memory access cost of ShuffleNet V2's guideline G1 generalised to every op: elements read
//   (inputs and parameters) plus elements written; views (torchvision's chunk, flatten) cost nothing.
// - activations: elements written to new feature maps (what a forward pass must hold for backward).
// - params: learnable parameters (conv and linear weights and biases, BN affine weight and bias).
import { elements, type LayerOp } from "./plan.js";

export interface Cost {
  flops: number;
  ops: number;
  params: number;
  mac: number;
  activations: number;
}

const ACT_OPS: Record<string, number> = { relu: 1, relu6: 1, hsigmoid: 3, hswish: 4, sigmoid: 4 };

export function opCost(o: LayerOp): Cost {
  const input = o.inputs.reduce((s, x) => s + elements(x), 0);
  const output = elements(o.output);
  const moved = input + output + o.params;
  const zero = { flops: 0, ops: 0, params: o.params, mac: 0, activations: 0 };
  switch (o.op) {
    case "conv":
    case "linear": {
      // multiply-adds: each output element sums (input channels / groups) * k * k products (k = 1, groups = 1 for FC)
      const perOutput =
        o.op === "conv"
          ? ((o.inputs[0]?.c ?? 0) / (o.attrs.groups as number)) * (o.attrs.k as number) ** 2
          : input;
      const flops = output * perOutput;
      return {
        flops,
        ops: flops + (o.attrs.bias ? output : 0),
        params: o.params,
        mac: moved,
        activations: output,
      };
    }
    case "bn":
      return { ...zero, ops: 2 * output, mac: moved, activations: output };
    case "act":
      return { ...zero, ops: (ACT_OPS[o.attrs.fn as string] ?? 1) * output, mac: moved, activations: output };
    case "maxpool":
    case "avgpool":
      return { ...zero, ops: output * (o.attrs.k as number) ** 2, mac: moved, activations: output };
    case "gap":
      return { ...zero, ops: input, mac: moved, activations: output };
    case "add":
    case "mul":
      return { ...zero, ops: output, mac: moved, activations: output };
    case "concat":
    case "shuffle":
    case "pick":
      return { ...zero, mac: moved, activations: output };
    case "split":
      return o.attrs.copy ? { ...zero, mac: moved, activations: output } : zero;
    case "dropout":
    case "flatten":
      return zero;
  }
}

export interface LayerCount extends Cost {
  name: string;
  op: LayerOp["op"];
  input: string;
  output: string;
}

export interface CountResult extends Cost {
  layers: LayerCount[];
}

const showDims = (o: LayerOp, i: number) => {
  const s = i < 0 ? o.output : o.inputs[i];
  if (!s) return "";
  return s.h === 0 ? `${s.c}` : `${s.c}x${s.h}x${s.w}`;
};

/** Totals and per-op rows of a list of executed ops. */
export function summarize(ops: readonly LayerOp[]): CountResult {
  const total: Cost = { flops: 0, ops: 0, params: 0, mac: 0, activations: 0 };
  const layers: LayerCount[] = [];
  for (const o of ops) {
    const c = opCost(o);
    total.flops += c.flops;
    total.ops += c.ops;
    total.params += c.params;
    total.mac += c.mac;
    total.activations += c.activations;
    layers.push({
      name: o.name,
      op: o.op,
      input: o.inputs.map((_, i) => showDims(o, i)).join("+"),
      output: showDims(o, -1),
      ...c,
    });
  }
  return { ...total, layers };
}
