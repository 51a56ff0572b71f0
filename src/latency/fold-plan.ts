// BN folding for inference in lithe itself, done on the plan rather than on modules: foldPlan
// rewrites the plan so that every conv directly followed by a BN in a layer list (the same rule the
// ONNX exporter applies, src/export/onnx-graph.ts) becomes a conv with a bias and the BN disappears;
// foldState computes that variant's weights from the original state dict with the exporter's own
// arithmetic (foldConvBn, float64 then float32). The folded plan then builds with the ordinary
// builder, so lithe runs the same graph ONNX Runtime gets. Names are kept: `features.0.0.weight` is
// the folded conv, `features.0.1.*` (the BN) is gone.
import type { Named, Node } from "../arch/plan.js";
import { planPath } from "../arch/walk.js";
import { type Tensor, tensor } from "../engine/index.js";
import { foldConvBn } from "../export/fold-bn.js";
import { float32Data } from "../export/onnx.js";
import { BN_EPS } from "../export/onnx-graph.js";

export interface FoldedPlan {
  plan: Node;
  /** Conv path -> path of the BN folded into it. */
  folded: Map<string, { bn: string; affine: boolean; hadBias: boolean }>;
}

export function foldPlan(root: Node): FoldedPlan {
  const folded: FoldedPlan["folded"] = new Map();

  const list = (layers: readonly Named[], prefix: string): Named[] => {
    const out: Named[] = [];
    for (let i = 0; i < layers.length; i++) {
      const [name, node] = layers[i] as Named;
      const next = layers[i + 1];
      if (node.op === "conv" && next?.[1].op === "bn") {
        folded.set(planPath(prefix, name), {
          bn: planPath(prefix, next[0]),
          affine: next[1].affine,
          hadBias: node.bias,
        });
        out.push([name, { ...node, bias: true }]);
        i++;
      } else {
        out.push([name, fold(node, planPath(prefix, name))]);
      }
    }
    return out;
  };
  const named = ([name, node]: Named, prefix: string): Named => [name, fold(node, planPath(prefix, name))];

  function fold(node: Node, path: string): Node {
    switch (node.op) {
      case "seq":
        return { ...node, layers: list(node.layers, path) };
      case "add":
        return {
          ...node,
          main: list(node.main, path),
          shortcut: node.shortcut && named(node.shortcut, path),
        };
      case "concat":
        return { ...node, main: list(node.main, path), shortcut: named(node.shortcut, path) };
      case "split-unit":
        return { ...node, proj: node.proj && named(node.proj, path), main: named(node.main, path) };
      case "gate":
        return { ...node, body: named(node.body, path) };
      default:
        return node;
    }
  }

  return { plan: fold(root, ""), folded };
}

/**
 * The state dict of the folded plan from `state` (the original plan's): folded convs get W' and b',
 * folded BNs' entries are dropped, everything else is passed through (the same tensors, not copies).
 */
export function foldState({ folded }: FoldedPlan, state: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const get = (name: string): Tensor => {
    const t = state.get(name);
    if (!t) throw new Error(`foldState: the state dict has no "${name}"`);
    return t;
  };
  const dropped = new Set<string>();
  const out = new Map<string, Tensor>();
  for (const [conv, { bn, affine, hadBias }] of folded) {
    for (const k of ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
      dropped.add(`${bn}.${k}`);
    const w = get(`${conv}.weight`);
    const mean = float32Data(get(`${bn}.running_mean`));
    const c = mean.length;
    const f = foldConvBn(float32Data(w), hadBias ? float32Data(get(`${conv}.bias`)) : null, {
      gamma: affine ? float32Data(get(`${bn}.weight`)) : new Float32Array(c).fill(1),
      beta: affine ? float32Data(get(`${bn}.bias`)) : new Float32Array(c),
      mean,
      variance: float32Data(get(`${bn}.running_var`)),
      eps: BN_EPS,
    });
    out.set(`${conv}.weight`, tensor(f.weight, { shape: w.shape }));
    out.set(`${conv}.bias`, tensor(f.bias, { shape: [c] }));
  }
  for (const [name, t] of state) if (!out.has(name) && !dropped.has(name)) out.set(name, t);
  return out;
}
