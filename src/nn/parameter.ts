// Parameter: a leaf tensor that requires a gradient and is owned by its module (never freed by tidy).
import { keep, Tensor } from "../engine/index.js";

export class Parameter extends Tensor {
  /** Shares `data`'s storage, without its autograd history. */
  constructor(data: Tensor, requiresGrad = true) {
    super(data.detachedHandle());
    keep(this);
    this.requiresGrad = requiresGrad;
  }
}
