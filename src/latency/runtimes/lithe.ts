// lithe itself as an inference runtime: the plan's modules in eval mode, without gradients, with BN
// folded into the convs the way the ONNX export folds it. Folding happens on the plan, not on modules
// (fold-plan.ts): the plan is rewritten without the BNs that follow convs, the folded weights are
// computed from the plan's state dict with the exporter's arithmetic, and the rewritten plan is built
// by the ordinary builder. So lithe times exactly the graph ONNX Runtime receives, with no special
// "fused" module. Each run is one forward pass in a memory scope (tidy), so nothing accumulates; the
// libtorch intra-op thread count (process-wide) is set while a runner is open and restored on close.
import type { Node, Shape } from "../../arch/plan.js";
import {
  buildInfo,
  getNumThreads,
  noGrad,
  setNumThreads,
  type Tensor,
  tensor,
  tidy,
} from "../../engine/index.js";
import { buildNode } from "../../models/build.js";
import { foldPlan, foldState } from "../fold-plan.js";
import type { PrepareOptions } from "../types.js";
import {
  disposeModel,
  inputData,
  inputDims,
  type ProbeRunner,
  type ProbeRuntime,
  planModel,
} from "./common.js";

export const litheRuntime: ProbeRuntime = {
  name: "lithe",

  async unavailable() {
    return null; // the addon is lithe's own engine: if it did not load, nothing here runs
  },

  async version() {
    return `libtorch ${buildInfo().torchVersion}`;
  },

  async prepare(plan: Node, input: Shape, o: PrepareOptions): Promise<ProbeRunner> {
    if (o.int8) throw new Error("the lithe runtime runs fp32 only; int8 latency is measured in ONNX Runtime");
    const threadsBefore = getNumThreads();
    setNumThreads(o.threads);
    const original = planModel(plan, input, o.weights);
    const folding = foldPlan(plan);
    const model = buildNode(folding.plan, input).eval();
    const originalState = original.stateDict();
    const state = foldState(folding, originalState);
    model.loadStateDict(state);
    for (const [name, t] of state) if (originalState.get(name) !== t) t.dispose();
    disposeModel(original);

    const dims = inputDims(o.batch, input);
    const x = tensor(inputData(dims.reduce((a, b) => a * b, 1)), { shape: dims });
    // One forward pass; the output is read back only when asked for, so timed runs measure the pass.
    const forward = (read: boolean) =>
      noGrad(() =>
        tidy(() => {
          const y: Tensor = model.forward(x);
          return read ? { data: y.toTypedArray() as Float32Array, dims: y.shape } : null;
        }),
      );
    return {
      setup: `${o.threads} libtorch thread${o.threads === 1 ? "" : "s"}, ${folding.folded.size} BN folded`,
      async run() {
        forward(false);
      },
      async output() {
        return forward(true) as { data: Float32Array; dims: number[] };
      },
      async close() {
        x.dispose();
        disposeModel(model);
        setNumThreads(threadsBefore);
      },
    };
  },
};
