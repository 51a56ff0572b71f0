// The traced counter: runs a built model once on a zero image with layer tracing on and lists what
// actually executed, as the same LayerOp records the analytic counter derives from the description.
import { type CountResult, summarize } from "../arch/cost.js";
import { flat, type LayerOp, type Shape } from "../arch/plan.js";
import { noGrad, tidy, zeros } from "../engine/index.js";
import { type Module, trace } from "../nn/index.js";

/** [N, C, H, W] -> [C, H, W]; [N, C] -> flat [C] */
function toShape(dims: readonly number[]): Shape {
  if (dims.length === 4) return { c: dims[1] as number, h: dims[2] as number, w: dims[3] as number };
  if (dims.length === 2) return flat(dims[1] as number);
  throw new Error(`traced count: unexpected activation shape [${dims.join(", ")}]`);
}

/** The ops `model` executes on one [inChannels, size, size] image (eval mode: dropout off). */
export function tracedOps(model: Module, inChannels: number, size: number): LayerOp[] {
  const names = new Map<Module, string>(model.namedModules().map(([name, m]) => [m, name]));
  const wasTraining = model.training;
  model.eval();
  try {
    const { records } = trace(() =>
      tidy(() => noGrad(() => model.forward(zeros([1, inChannels, size, size])))),
    );
    return records.map((r) => {
      const base = names.get(r.module);
      if (base === undefined)
        throw new Error(`traced count: a ${r.op} layer outside the model reported itself`);
      return {
        name: r.suffix ? (base ? `${base}.${r.suffix}` : r.suffix) : base,
        op: r.op as LayerOp["op"],
        inputs: r.inputs.map(toShape),
        output: toShape(r.output),
        attrs: r.attrs,
        params: r.params,
      };
    });
  } finally {
    model.train(wasTraining);
  }
}

export function tracedCount(model: Module, inChannels: number, size: number): CountResult {
  return summarize(tracedOps(model, inChannels, size));
}
