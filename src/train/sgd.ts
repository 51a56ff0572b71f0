// SGD with momentum / Nesterov as in torch.optim.SGD, with the official Megvii parameter groups:
// weight decay only on weights with more than one dimension (none on BN parameters or biases).
// Each group is one fused addon call; parameters without a gradient get no update at all.
import { keep, sgdStep, type Tensor, zerosLike } from "../engine/index.js";

export interface SgdOptions {
  lr: number;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  /** Apply weight decay to 1-D parameters too (PyTorch's default); the official recipes do not. */
  decayAllParams?: boolean;
}

interface Group {
  params: Tensor[];
  buffers: Tensor[];
  weightDecay: number;
}

export class SGD {
  lr: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly groups: Group[];

  constructor(params: readonly Tensor[], o: SgdOptions) {
    this.lr = o.lr;
    this.momentum = o.momentum ?? 0;
    this.nesterov = o.nesterov ?? false;
    const wd = o.weightDecay ?? 0;
    const decayed = params.filter((p) => o.decayAllParams || p.ndim > 1);
    const plain = params.filter((p) => !(o.decayAllParams || p.ndim > 1));
    this.groups = [
      { params: decayed, buffers: [], weightDecay: wd },
      { params: plain, buffers: [], weightDecay: 0 },
    ].filter((g) => g.params.length > 0);
    if (this.momentum !== 0) {
      for (const g of this.groups) g.buffers = g.params.map((p) => keep(zerosLike(p)));
    }
  }

  step(): void {
    for (const g of this.groups) {
      sgdStep(g.params, g.buffers, {
        lr: this.lr,
        momentum: this.momentum,
        weightDecay: g.weightDecay,
        nesterov: this.nesterov,
      });
    }
  }

  /** (parameter, momentum buffer) pairs, the optimizer's whole state besides the learning rate. */
  buffers(): [Tensor, Tensor][] {
    return this.groups.flatMap((g) =>
      g.buffers.map((b, i) => [g.params[i] as Tensor, b] as [Tensor, Tensor]),
    );
  }

  /** Every parameter this optimizer updates. */
  params(): Tensor[] {
    return this.groups.flatMap((g) => g.params);
  }

  zeroGrad(): void {
    for (const g of this.groups) for (const p of g.params) p.grad = null;
  }
}
