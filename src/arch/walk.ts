// Walks a layer plan from an input shape: infers every node's input and output shape and lists the
// executed operations (LayerOp) with dotted names. The counter sums these; the builder asks for the
// shapes; a traced run of the built model must produce the very same list.
import {
  elements,
  flat,
  type LayerOp,
  type Named,
  type Node,
  outSize,
  type Shape,
  showShape,
} from "./plan.js";

/** The dotted name of child `name` under `prefix` (PyTorch's state-dict names: "features.0.branch2"). */
export const planPath = (prefix: string, name: string): string => (prefix ? `${prefix}.${name}` : name);
const same = (a: Shape, b: Shape) => a.c === b.c && a.h === b.h && a.w === b.w;

function planError(name: string, problem: string): never {
  throw new Error(`plan: ${name || "<root>"}: ${problem}`);
}

function spatial(name: string, x: Shape, k: number, stride: number, pad: number): Shape {
  if (x.h === 0) planError(name, `needs a feature map, got the flat vector ${showShape(x)}`);
  const h = outSize(x.h, k, stride, pad);
  const w = outSize(x.w, k, stride, pad);
  if (h < 1 || w < 1)
    planError(name, `a ${k}x${k} window with stride ${stride} does not fit ${showShape(x)}`);
  return { c: x.c, h, w };
}

function walkList(layers: readonly Named[], prefix: string, x: Shape, out: LayerOp[]): Shape {
  let y = x;
  for (const [name, node] of layers) y = walk(node, planPath(prefix, name), y, out);
  return y;
}

/** Appends the ops `node` executes on input `x` to `out` and returns its output shape. */
export function walk(node: Node, name: string, x: Shape, out: LayerOp[]): Shape {
  const push = (
    op: LayerOp["op"],
    inputs: Shape[],
    output: Shape,
    attrs: LayerOp["attrs"] = {},
    params = 0,
  ) => {
    out.push({ name, op, inputs, output, attrs, params });
    return output;
  };
  const pushAs = (
    suffix: string,
    op: LayerOp["op"],
    inputs: Shape[],
    output: Shape,
    attrs: LayerOp["attrs"] = {},
  ) => {
    out.push({ name: planPath(name, suffix), op, inputs, output, attrs, params: 0 });
    return output;
  };
  switch (node.op) {
    case "conv": {
      if (x.c % node.groups !== 0 || node.out % node.groups !== 0) {
        planError(name, `${x.c} -> ${node.out} channels do not divide into ${node.groups} groups`);
      }
      const y = { ...spatial(name, x, node.k, node.stride, node.pad), c: node.out };
      const params = node.out * (x.c / node.groups) * node.k * node.k + (node.bias ? node.out : 0);
      const { k, stride, pad, groups, bias } = node;
      return push("conv", [x], y, { k, stride, pad, groups, bias }, params);
    }
    case "bn":
      return push("bn", [x], x, { affine: node.affine }, node.affine ? 2 * x.c : 0);
    case "act":
      return push("act", [x], x, { fn: node.fn });
    case "maxpool":
    case "avgpool": {
      const { k, stride, pad } = node;
      return push(node.op, [x], spatial(name, x, k, stride, pad), { k, stride, pad });
    }
    case "gap":
      if (x.h === 0) planError(name, `global pooling needs a feature map, got ${showShape(x)}`);
      return push("gap", [x], node.keepdim ? { c: x.c, h: 1, w: 1 } : flat(x.c), { keepdim: node.keepdim });
    case "dropout":
      return push("dropout", [x], x, { p: node.p });
    case "flatten":
      if (x.h === 0) planError(name, `flatten needs a feature map, got ${showShape(x)}`);
      return push("flatten", [x], flat(elements(x)));
    case "linear":
      if (x.h !== 0) planError(name, `a linear layer needs a flat input, got ${showShape(x)}`);
      return push(
        "linear",
        [x],
        flat(node.out),
        { bias: node.bias },
        x.c * node.out + (node.bias ? node.out : 0),
      );
    case "shuffle":
      if (x.c % node.groups !== 0) planError(name, `${x.c} channels do not shuffle in ${node.groups} groups`);
      return push("shuffle", [x], x, { groups: node.groups });
    case "pick": {
      const bad = node.channels.find((c, i) => c >= x.c || (i > 0 && c <= (node.channels[i - 1] as number)));
      if (node.channels.length === 0 || bad !== undefined)
        planError(
          name,
          `picks channels ${node.channels.join(",")} of ${x.c}: need distinct ascending indices below ${x.c}`,
        );
      return push("pick", [x], { ...x, c: node.channels.length });
    }
    case "seq":
      return walkList(node.layers, name, x, out);
    case "add": {
      const main = walkList(node.main, name, x, out);
      const short = node.shortcut ? walk(node.shortcut[1], planPath(name, node.shortcut[0]), x, out) : x;
      if (!same(main, short)) planError(name, `adds ${showShape(main)} to ${showShape(short)}`);
      pushAs("add", "add", [main, short], main);
      return node.after ? pushAs("act", "act", [main], main, { fn: node.after }) : main;
    }
    case "concat": {
      let main = walkList(node.main, name, x, out);
      if (node.mainAct) main = pushAs("act", "act", [main], main, { fn: node.mainAct });
      const short = walk(node.shortcut[1], planPath(name, node.shortcut[0]), x, out);
      if (main.h !== short.h || main.w !== short.w)
        planError(name, `concatenates ${showShape(short)} and ${showShape(main)}`);
      return pushAs("concat", "concat", [short, main], { ...main, c: short.c + main.c });
    }
    case "split-unit": {
      let passed: Shape;
      let mainIn: Shape;
      if (node.proj) {
        passed = walk(node.proj[1], planPath(name, node.proj[0]), x, out);
        mainIn = x;
      } else {
        if (x.c % 2 !== 0) planError(name, `cannot split ${x.c} channels in halves`);
        passed = { ...x, c: x.c / 2 };
        mainIn = passed;
        pushAs("split", "split", [x], passed, { copy: node.style === "megvii" });
      }
      const main = walk(node.main[1], planPath(name, node.main[0]), mainIn, out);
      if (main.h !== passed.h || main.w !== passed.w)
        planError(name, `concatenates ${showShape(passed)} and ${showShape(main)}`);
      const y = pushAs("concat", "concat", [passed, main], { ...main, c: passed.c + main.c });
      return node.style === "torchvision" ? pushAs("shuffle", "shuffle", [y], y, { groups: 2 }) : y;
    }
    case "gate": {
      const g = walk(node.body[1], planPath(name, node.body[0]), x, out);
      if (g.c !== x.c || g.h !== 1 || g.w !== 1)
        planError(name, `gate ${showShape(g)} does not fit ${showShape(x)}`);
      pushAs("act", "act", [g], g, { fn: node.fn });
      return pushAs("mul", "mul", [x, g], x);
    }
  }
}

/** Every op the plan executes on an input of `input`, in execution order, and the output shape. */
export function listOps(root: Node, input: Shape): { ops: LayerOp[]; output: Shape } {
  const ops: LayerOp[] = [];
  const output = walk(root, "", input, ops);
  return { ops, output };
}

/** The output shape of `node` on input `x` (what the builder needs to size the next layer). */
export function outputShape(node: Node, x: Shape): Shape {
  return walk(node, "", x, []);
}
