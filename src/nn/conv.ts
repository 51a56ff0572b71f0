// Conv2d layer (torch.nn.Conv2d): weight [out, in/groups, k, k], optional bias [out].
import { F, type Tensor, zeros } from "../engine/index.js";
import type { LayerQuantizer } from "./fake-quant.js";
import { defaultWeightInit_ } from "./init.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";
import { isTracing, record } from "./trace.js";

export interface Conv2dOptions {
  stride?: number;
  padding?: number;
  dilation?: number;
  /** groups = in = out gives a depthwise convolution. */
  groups?: number;
  bias?: boolean;
}

export class Conv2d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly groups: number;
  /** Quantization-aware training: the fake quantization of this layer's input and weight, if any. */
  quantizer: LayerQuantizer | null = null;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    o: Conv2dOptions = {},
  ) {
    super();
    this.stride = o.stride ?? 1;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.groups = o.groups ?? 1;
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new Error(
        `Conv2d: in ${inChannels} and out ${outChannels} channels must both divide by groups ${this.groups}`,
      );
    }
    this.weight = this.registerParameter(
      "weight",
      new Parameter(zeros([outChannels, inChannels / this.groups, kernelSize, kernelSize])),
    ) as Parameter;
    this.bias = this.registerParameter("bias", o.bias === false ? null : new Parameter(zeros([outChannels])));
    defaultWeightInit_(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return this.convolve(x, this.weight, this.bias, this.groups);
  }

  /** Quantizes this layer's input and weight from now on (the child "quant" holds the steps). */
  setQuantizer(q: LayerQuantizer): void {
    this.quantizer = this.registerModule("quant", q);
  }

  /** The convolution with these weights (all of this layer's, or a leading slice in ElasticConv2d). */
  protected convolve(x: Tensor, weight: Tensor, bias: Tensor | null, groups: number): Tensor {
    const q = this.quantizer;
    const y = F.conv2d(q ? q.input(x) : x, q ? q.weight(weight) : weight, bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups,
    });
    if (isTracing()) {
      const { kernelSize: k, stride, padding: pad } = this;
      const params = weight.numel + (bias?.numel ?? 0);
      record(this, "conv", [x], y, { k, stride, pad, groups, bias: bias !== null }, { params });
    }
    return y;
  }
}
