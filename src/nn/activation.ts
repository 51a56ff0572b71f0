// Stateless layers: activations, dropout, pooling, flatten, identity. Each reports itself to the
// layer tracer (trace.ts) under the op names the architecture counter uses.
import { F, type Tensor } from "../engine/index.js";
import { Module } from "./module.js";
import { isTracing, record, type TraceAttrs } from "./trace.js";

/** A parameter-free layer y = fn(x) that reports itself as `op` with `attrs` when traced. */
abstract class Stateless extends Module {
  protected abstract apply(x: Tensor): Tensor;
  protected abstract readonly op: string;
  protected attrs(): TraceAttrs {
    return {};
  }
  forward(x: Tensor): Tensor {
    const y = this.apply(x);
    if (isTracing()) record(this, this.op, [x], y, this.attrs());
    return y;
  }
}

/** Element-wise activation; `fn` is its name in architecture descriptions. */
abstract class Activation extends Stateless {
  protected readonly op = "act";
  protected abstract readonly fn: string;
  protected override attrs(): TraceAttrs {
    return { fn: this.fn };
  }
}

export class ReLU extends Activation {
  protected readonly fn = "relu";
  protected apply(x: Tensor): Tensor {
    return F.relu(x);
  }
}

export class ReLU6 extends Activation {
  protected readonly fn = "relu6";
  protected apply(x: Tensor): Tensor {
    return F.relu6(x);
  }
}

export class Hardswish extends Activation {
  protected readonly fn = "hswish";
  protected apply(x: Tensor): Tensor {
    return F.hardswish(x);
  }
}

export class Hardsigmoid extends Activation {
  protected readonly fn = "hsigmoid";
  protected apply(x: Tensor): Tensor {
    return F.hardsigmoid(x);
  }
}

export class Sigmoid extends Activation {
  protected readonly fn = "sigmoid";
  protected apply(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Zeroes elements with probability p in training mode and scales the rest by 1/(1-p). */
export class Dropout extends Stateless {
  protected readonly op = "dropout";
  constructor(readonly p = 0.5) {
    super();
  }
  protected apply(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
  protected override attrs(): TraceAttrs {
    return { p: this.p };
  }
}

abstract class Pool2d extends Stateless {
  constructor(
    readonly kernelSize: number,
    readonly stride = kernelSize,
    readonly padding = 0,
  ) {
    super();
  }
  protected override attrs(): TraceAttrs {
    return { k: this.kernelSize, stride: this.stride, pad: this.padding };
  }
}

export class MaxPool2d extends Pool2d {
  protected readonly op = "maxpool";
  protected apply(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }
}

/** Average pooling with PyTorch's defaults (count_include_pad true, floor mode). */
export class AvgPool2d extends Pool2d {
  protected readonly op = "avgpool";
  protected apply(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }
}

/** Global average pooling: [N, C, H, W] -> [N, C, 1, 1] with keepdim, else [N, C]. */
export class GlobalAvgPool extends Stateless {
  protected readonly op = "gap";
  constructor(readonly keepdim = false) {
    super();
  }
  protected apply(x: Tensor): Tensor {
    return x.mean([2, 3], this.keepdim);
  }
  protected override attrs(): TraceAttrs {
    return { keepdim: this.keepdim };
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }
}

/** [N, ...] -> [N, prod(...)] */
export class Flatten extends Stateless {
  protected readonly op = "flatten";
  protected apply(x: Tensor): Tensor {
    return x.flatten(1);
  }
}
