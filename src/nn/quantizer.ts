// Quantizers a layer puts on its weights or activations for quantization-aware training: LSQ, the
// learned step size (Esser et al., ICLR 2020), the default, per tensor or per output channel; and
// PACT, a learned clipping level for activations (Choi et al., 2018), which SPOS's mixed-precision
// search uses (Guo et al., ECCV 2020, Sec. 4.3).
import {
  fakeQuantize,
  fakeQuantizeLearnable,
  full,
  noGrad,
  quantRange,
  type Tensor,
  zeros,
} from "../engine/index.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

export interface LsqOptions {
  bits: number;
  /**
   * Signed grid (weights) or unsigned (activations after ReLU); "auto": unsigned when the first batch
   * has no negative value (kept in the state dict as the buffer "signed").
   */
  signed: boolean | "auto";
  /** Per-channel scales along dimension 0 (conv and linear weights): their count. Default: one scale. */
  channels?: number;
}

/**
 * LSQ: y = round(clamp(x / s, qmin, qmax)) * s with the step s learned. The step starts, at the first
 * forward pass, at 2 mean|x| / sqrt(qmax) (per channel: over each channel's elements), and its gradient
 * is scaled by 1 / sqrt(N qmax), N the elements one step serves (LSQ Sec. 2.2).
 */
export class LsqQuantizer extends Module {
  readonly scale: Parameter;
  /** 0 until the first forward pass has set the step from the data, then 1 (kept in state dicts). */
  readonly initialized: Tensor;
  /** With signed "auto": 1 for a signed grid, 0 for unsigned, set with the step. */
  readonly #signedFlag: Tensor | null;

  constructor(readonly o: LsqOptions) {
    super();
    quantRange({ bits: o.bits, signed: true });
    this.scale = this.registerParameter("scale", new Parameter(full([o.channels ?? 1], 1)));
    this.initialized = this.registerBuffer("initialized", zeros([1]));
    this.#signedFlag = o.signed === "auto" ? this.registerBuffer("signed", zeros([1])) : null;
  }

  /** Whether the grid is signed (with "auto", known after the first forward pass). */
  get signed(): boolean {
    return this.#signedFlag ? this.#signedFlag.item() === 1 : (this.o.signed as boolean);
  }

  /** The integer grid: [qmin, qmax] of these bits, signed or not. */
  range(): { qmin: number; qmax: number } {
    return quantRange({ bits: this.o.bits, signed: this.signed });
  }

  /** x -> x on the quantization grid, same shape. */
  forward(x: Tensor): Tensor {
    const perChannel = this.o.channels !== undefined;
    if (perChannel && x.shape[0] !== this.o.channels)
      throw new Error(`LsqQuantizer: ${this.o.channels} channels, got a tensor of shape [${x.shape}]`);
    const elements = perChannel ? x.numel / (x.shape[0] as number) : x.numel;
    if (this.initialized.item() === 0) {
      noGrad(() => {
        if (this.#signedFlag) this.#signedFlag.fill_(x.detach().min().item() < 0 ? 1 : 0);
        const { qmax } = this.range();
        const meanAbs = perChannel ? x.detach().abs().flatten(1).mean(1) : x.detach().abs().mean().reshape(1);
        this.scale.copy_(meanAbs.mul(2 / Math.sqrt(qmax)).clamp(1e-8));
        this.initialized.fill_(1);
      });
    }
    const { qmax } = this.range();
    return fakeQuantizeLearnable(x, {
      bits: this.o.bits,
      signed: this.signed,
      scale: this.scale,
      ...(perChannel ? { axis: 0 } : {}),
      gradFactor: 1 / Math.sqrt(elements * qmax),
    });
  }
}

export interface PactOptions {
  bits: number;
  /** The clipping level's start (PACT: 10). */
  alpha?: number;
}

/**
 * PACT: y = quantize(clamp(x, 0, alpha)) on 2^bits levels of step alpha / (2^bits - 1), alpha learned;
 * its gradient is 1 where x >= alpha (the clipped inputs) and the rounding passes straight through.
 */
export class PactQuantizer extends Module {
  readonly alpha: Parameter;

  constructor(readonly o: PactOptions) {
    super();
    quantRange({ bits: o.bits, signed: false });
    this.alpha = this.registerParameter("alpha", new Parameter(full([1], o.alpha ?? 10)));
  }

  forward(x: Tensor): Tensor {
    const { qmax } = quantRange({ bits: this.o.bits, signed: false });
    // relu(x) - relu(x - alpha) = clamp(x, 0, alpha), with d/dalpha = 1 exactly where x > alpha.
    const clipped = x.relu().sub(x.sub(this.alpha).relu());
    const scale = noGrad(() => this.alpha.detach().div(qmax));
    return fakeQuantize(clipped, { bits: this.o.bits, signed: false, scale });
  }
}
