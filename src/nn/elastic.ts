// Layers that run on a leading slice of their weights, for weight-sharing supernets (SPOS channel
// search, Guo et al. 2020 Sec. 3.4: "weights sliced from the widest"; once-for-all's elastic width):
// ElasticConv2d uses weight[:out, :in/groups] for the widths set in `active`, ElasticBatchNorm2d
// normalises with the first C entries of its parameters and statistics, C taken from its input;
// ElasticLinear reads the first C input columns of its weight (a PruningNet's classifier after a
// pruned last stage).
import { F, type Tensor } from "../engine/index.js";
import { BatchNorm2d } from "./batchnorm.js";
import { Conv2d } from "./conv.js";
import { Linear } from "./linear.js";

/** The widths an elastic convolution runs with; input channels per group follow from the input. */
export interface ActiveWidth {
  out: number;
  groups: number;
}

const leading = (t: Tensor, dim: number, size: number) =>
  t.shape[dim] === size ? t : t.narrow(dim, 0, size);

export class ElasticConv2d extends Conv2d {
  /** The slice in use; null runs the whole layer. */
  active: ActiveWidth | null = null;

  override forward(x: Tensor): Tensor {
    if (!this.active) return super.forward(x);
    const { out, groups } = this.active;
    // weight [outChannels, inChannels/groups, k, k] -> [out, x.C/groups, k, k]
    const weight = leading(leading(this.weight, 0, out), 1, (x.shape[1] as number) / groups);
    return this.convolve(x, weight, this.bias && leading(this.bias, 0, out), groups);
  }
}

export class ElasticBatchNorm2d extends BatchNorm2d {
  /** [N, C, H, W] with C <= numFeatures -> [N, C, H, W]; updates only the first C running statistics. */
  override forward(x: Tensor): Tensor {
    const c = x.shape[1] as number;
    const slice = (t: Tensor | null) => t && leading(t, 0, c);
    return this.normalize(
      x,
      slice(this.weight),
      slice(this.bias),
      slice(this.runningMean),
      slice(this.runningVar),
    );
  }
}

export class ElasticLinear extends Linear {
  /** [N, C] with C <= inFeatures -> [N, out], with weight[:, :C]. */
  override forward(x: Tensor): Tensor {
    const c = x.shape[x.ndim - 1] as number;
    return c === this.inFeatures ? super.forward(x) : F.linear(x, this.weight.narrow(1, 0, c), this.bias);
  }
}
