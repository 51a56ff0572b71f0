// Linear layer (torch.nn.Linear): weight [out, in], optional bias [out].
import { F, type Tensor, zeros } from "../engine/index.js";
import type { LayerQuantizer } from "./fake-quant.js";
import { defaultWeightInit_ } from "./init.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";
import { isTracing, record } from "./trace.js";

export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  /** Quantization-aware training: the fake quantization of this layer's input and weight, if any. */
  quantizer: LayerQuantizer | null = null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    { bias = true } = {},
  ) {
    super();
    this.weight = this.registerParameter(
      "weight",
      new Parameter(zeros([outFeatures, inFeatures])),
    ) as Parameter;
    this.bias = this.registerParameter("bias", bias ? new Parameter(zeros([outFeatures])) : null);
    defaultWeightInit_(this.weight, this.bias);
  }

  /** Quantizes this layer's input and weight from now on (the child "quant" holds the steps). */
  setQuantizer(q: LayerQuantizer): void {
    this.quantizer = this.registerModule("quant", q);
  }

  /** [..., in] -> [..., out] */
  forward(x: Tensor): Tensor {
    const q = this.quantizer;
    const y = F.linear(q ? q.input(x) : x, q ? q.weight(this.weight) : this.weight, this.bias);
    if (isTracing()) {
      const params = this.weight.numel + (this.bias?.numel ?? 0);
      record(this, "linear", [x], y, { bias: this.bias !== null }, { params });
    }
    return y;
  }
}
