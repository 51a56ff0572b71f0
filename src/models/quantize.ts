// Fake quantization put on a built network: each conv and linear layer named in a width table gets a
// LayerQuantizer (src/nn/fake-quant.ts); a name the network does not have is an error.
import {
  type BitChoices,
  Conv2d,
  type InputQuantMethod,
  LayerQuantizer,
  Linear,
  type Module,
} from "../nn/index.js";

/** Puts quantizers on `model`'s conv and linear layers, by dotted path; returns how many it quantized. */
export function attachQuantizers(
  model: Module,
  choices: ReadonlyMap<string, BitChoices>,
  method: InputQuantMethod,
): number {
  const layers = new Map(model.namedModules());
  for (const [path, widths] of choices) {
    const layer = layers.get(path);
    if (!(layer instanceof Conv2d || layer instanceof Linear))
      throw new Error(`quantization: "${path}" is not a conv or linear layer of this network`);
    const out = layer instanceof Conv2d ? layer.outChannels : layer.outFeatures;
    layer.setQuantizer(new LayerQuantizer(out, widths, method));
  }
  return choices.size;
}

/** The width table of a network whose every listed layer has one width. */
export const fixedChoices = (
  bits: ReadonlyMap<string, { weights: number; activations: number }>,
): Map<string, BitChoices> =>
  new Map([...bits].map(([path, b]) => [path, { weights: [b.weights], activations: [b.activations] }]));
