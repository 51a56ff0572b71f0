// What a quantization-aware network has learned, in the terms of its QDQ export: each quantized layer's
// weight on its b-bit grid (so the ONNX weights are the values it trained with), the per-channel step
// of that grid after BN folding (a BN scales each output channel, so the folded weight stays on a grid
// of step |s_c * gamma_c / sigma_c|: b-bit levels stored as int8), and each layer input's learned
// range (LSQ: step x [qmin, qmax]; PACT: [0, alpha]).
import { noGrad, type Tensor } from "../engine/index.js";
import { Conv2d, type LayerQuantizer, Linear, type Module } from "../nn/index.js";
import type { Range } from "../quant/observers.js";
import type { ModelProto } from "./onnx-builder.js";
import { floatsOf } from "./qdq.js";

/** Each quantized layer of `model`, by dotted path. */
function quantizedLayers(model: Module): [string, Conv2d | Linear, LayerQuantizer][] {
  const out: [string, Conv2d | Linear, LayerQuantizer][] = [];
  for (const [path, m] of model.namedModules())
    if ((m instanceof Conv2d || m instanceof Linear) && m.quantizer) out.push([path, m, m.quantizer]);
  return out;
}

/** The state dict of `model` with every quantized layer's weight replaced by its fake-quantized value. */
export function quantizedStateDict(model: Module): Map<string, Tensor> {
  const state = new Map(model.stateDict());
  noGrad(() => {
    for (const [path, layer, q] of quantizedLayers(model))
      state.set(`${path}.weight`, q.weight(layer.weight));
  });
  return state;
}

/** The input range a layer learned. */
function learnedRange(q: LayerQuantizer): Range {
  const input = q.inputQuantizer;
  if (input.pact && input.usesPact) return { min: 0, max: input.pact.alpha.item() };
  const { qmin, qmax } = input.lsq.range();
  const step = input.lsq.scale.item();
  return { min: step * qmin, max: step * qmax };
}

export interface LearnedQuantization {
  /** Each quantized layer's learned input range, by ONNX node name. */
  inputRanges: Map<string, Range>;
  /** Per-output-channel steps by weight initializer name. */
  weightSteps: Map<string, Float32Array>;
}

/**
 * The learned ranges and weight steps of `model`'s quantized layers in `proto`, its export from
 * quantizedStateDict (ONNX nodes are named by module path; BN may be folded).
 */
export function learnedQuantization(model: Module, proto: ModelProto): LearnedQuantization {
  const nodes = new Map((proto.graph?.node ?? []).map((n) => [n.name as string, n]));
  const initializers = new Map((proto.graph?.initializer ?? []).map((t) => [t.name as string, t]));
  const inputRanges = new Map<string, Range>();
  const weightSteps = new Map<string, Float32Array>();
  noGrad(() => {
    for (const [path, layer, q] of quantizedLayers(model)) {
      const node = nodes.get(path);
      const [x, w] = (node?.input ?? []) as string[];
      const folded = w === undefined ? undefined : initializers.get(w);
      if (!node || !x || !w || !folded)
        throw new Error(`qdq: the export has no layer "${path}" with a weight`);
      inputRanges.set(path, learnedRange(q));
      // Integer levels k of the trained weight; the folded values are v = k * step'_c exactly (up to
      // float32 rounding), so step'_c is the least-squares fit sum(v k) / sum(k^2).
      const wq = q.weightQuantizer;
      const levels = q
        .weight(layer.weight)
        .div(wq.scale.reshape(-1, ...layer.weight.shape.slice(1).map(() => 1)));
      const k = levels.toTypedArray() as Float32Array;
      const v = floatsOf(folded);
      const channels = layer.weight.shape[0] as number;
      const per = k.length / channels;
      const steps = new Float32Array(channels);
      for (let c = 0; c < channels; c++) {
        let vk = 0;
        let kk = 0;
        for (let i = c * per; i < (c + 1) * per; i++) {
          const ki = Math.round(k[i] as number);
          vk += (v[i] as number) * ki;
          kk += ki * ki;
        }
        steps[c] = kk > 0 && vk !== 0 ? Math.abs(vk / kk) : 1;
      }
      weightSteps.set(w, steps);
    }
  });
  return { inputRanges, weightSteps };
}
