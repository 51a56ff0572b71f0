// Sequential container: children named "0", "1", ... run in order (torch.nn.Sequential naming).
import type { Tensor } from "../engine/index.js";
import { Module } from "./module.js";

export class Sequential extends Module {
  readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => {
      this.registerModule(String(i), m);
    });
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const layer of this.layers) y = layer.forward(y);
    return y;
  }
}
