// Sequential container: children run in order, named "0", "1", ... (torch.nn.Sequential naming) or
// by the names given to Sequential.named (like an OrderedDict).
import type { Tensor } from "../engine/index.js";
import { Module } from "./module.js";

export class Sequential extends Module {
  readonly layers: Module[] = [];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => {
      this.append(String(i), m);
    });
  }

  /** A Sequential whose children have the given names. */
  static named(entries: readonly (readonly [string, Module])[]): Sequential {
    const s = new Sequential();
    for (const [name, m] of entries) s.append(name, m);
    return s;
  }

  private append(name: string, m: Module): void {
    if (this.children().some(([n]) => n === name))
      throw new Error(`Sequential: duplicate child name "${name}"`);
    this.registerModule(name, m);
    this.layers.push(m);
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const layer of this.layers) y = layer.forward(y);
    return y;
  }
}
