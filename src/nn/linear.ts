// Linear layer (torch.nn.Linear): weight [out, in], optional bias [out].
import { F, type Tensor, zeros } from "../engine/index.js";
import { defaultWeightInit_ } from "./init.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

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

  /** [..., in] -> [..., out] */
  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
}
