// Plan rewriting: apply a function to every node of a layer plan, children first. Used to derive
// supernet plans (BN without affine parameters, as the official SPOS supernet and MetaPruning's
// PruningNet have) from the plans of the static networks.
import type { Named, Node } from "./plan.js";

/** The plan with `f` applied to every node, children before their parent. */
export function mapPlan(node: Node, f: (n: Node) => Node): Node {
  const named = ([name, n]: Named): Named => [name, mapPlan(n, f)];
  switch (node.op) {
    case "seq":
      return f({ ...node, layers: node.layers.map(named) });
    case "add":
      return f({ ...node, main: node.main.map(named), shortcut: node.shortcut && named(node.shortcut) });
    case "concat":
      return f({ ...node, main: node.main.map(named), shortcut: named(node.shortcut) });
    case "split-unit":
      return f({ ...node, proj: node.proj && named(node.proj), main: named(node.main) });
    case "gate":
      return f({ ...node, body: named(node.body) });
    default:
      return f(node);
  }
}

/** Every BN of the plan without learnable scale and shift (affine=False). */
export const nonAffine = (node: Node): Node =>
  mapPlan(node, (n) => (n.op === "bn" ? { ...n, affine: false } : n));
