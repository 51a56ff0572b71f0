// What a conv or linear layer carries for quantization-aware training: its weight's quantizer (LSQ, per
// output channel, signed) and its input's (LSQ per tensor, signed or not as the data say; or PACT for
// inputs that are never negative), one pair per bit width the layer may run at. A static QAT network
// has one width per layer; a mixed-precision supernet (SPOS, Guo et al. 2020, Sec. 4.3) several, each
// with its own steps, as switchable networks keep one BN per width.
import { noGrad, type Tensor, zeros } from "../engine/index.js";
import { Module } from "./module.js";
import { LsqQuantizer, PactQuantizer } from "./quantizer.js";

/** A layer's weight and input bit widths. */
export interface Bits {
  weights: number;
  activations: number;
}

/** The widths a layer may run at. */
export interface BitChoices {
  weights: readonly number[];
  activations: readonly number[];
}

export type InputQuantMethod = "lsq" | "pact";

/** An input quantizer: LSQ with the sign found on the first batch, or PACT where that batch is >= 0. */
export class InputQuantizer extends Module {
  readonly lsq: LsqQuantizer;
  readonly pact: PactQuantizer | null;
  /** 1 once the first batch chose PACT (kept in state dicts). */
  readonly #usesPact: Tensor | null;

  constructor(bits: number, method: InputQuantMethod) {
    super();
    this.lsq = this.registerModule("lsq", new LsqQuantizer({ bits, signed: "auto" }));
    this.pact = method === "pact" ? this.registerModule("pact", new PactQuantizer({ bits })) : null;
    this.#usesPact = this.pact ? this.registerBuffer("uses_pact", zeros([1])) : null;
  }

  /** Whether this input runs through PACT (decided by the first batch). */
  get usesPact(): boolean {
    return this.#usesPact?.item() === 1;
  }

  forward(x: Tensor): Tensor {
    if (this.pact && this.#usesPact && this.lsq.initialized.item() === 0) {
      const nonNegative = noGrad(() => x.detach().min().item() >= 0);
      this.#usesPact.fill_(nonNegative ? 1 : 0);
      if (nonNegative) this.lsq.initialized.fill_(1);
    }
    return this.pact && this.usesPact ? this.pact.forward(x) : this.lsq.forward(x);
  }
}

/** One layer's quantizers: children "w<b>" (weights) and "a<b>" (inputs) for each width choice. */
export class LayerQuantizer extends Module {
  readonly #weights = new Map<number, LsqQuantizer>();
  readonly #inputs = new Map<number, InputQuantizer>();
  #bits: Bits;

  constructor(outChannels: number, choices: BitChoices, method: InputQuantMethod = "lsq") {
    super();
    for (const b of choices.weights)
      this.#weights.set(
        b,
        this.registerModule(`w${b}`, new LsqQuantizer({ bits: b, signed: true, channels: outChannels })),
      );
    for (const b of choices.activations)
      this.#inputs.set(b, this.registerModule(`a${b}`, new InputQuantizer(b, method)));
    this.#bits = { weights: choices.weights[0] as number, activations: choices.activations[0] as number };
  }

  get bits(): Bits {
    return this.#bits;
  }

  /** Runs at these widths from now on (they must be among the layer's choices). */
  select(bits: Bits): void {
    if (!this.#weights.has(bits.weights) || !this.#inputs.has(bits.activations))
      throw new Error(
        `LayerQuantizer: w${bits.weights}a${bits.activations} is not among w{${[...this.#weights.keys()]}} a{${[...this.#inputs.keys()]}}`,
      );
    this.#bits = bits;
  }

  get weightQuantizer(): LsqQuantizer {
    return this.#weights.get(this.#bits.weights) as LsqQuantizer;
  }
  get inputQuantizer(): InputQuantizer {
    return this.#inputs.get(this.#bits.activations) as InputQuantizer;
  }

  weight(w: Tensor): Tensor {
    return this.weightQuantizer.forward(w);
  }
  input(x: Tensor): Tensor {
    return this.inputQuantizer.forward(x);
  }

  forward(x: Tensor): Tensor {
    return this.input(x);
  }
}
