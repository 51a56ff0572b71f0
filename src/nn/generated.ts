// Layers of MetaPruning's PruningNet (Liu et al., ICCV 2019, Sec. 3.2, Fig. 2; official
// liuzechun/MetaPruning */training/*.py): a convolution whose weight is generated from the network
// encoding by a small FC -> ReLU -> FC and cropped to the widths in use, and a BN with separate
// non-affine statistics for every width its input can have.
import { F, type Tensor, tensor } from "../engine/index.js";
import { ReLU } from "./activation.js";
import { BatchNorm2d } from "./batchnorm.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";
import { Sequential } from "./sequential.js";

/** The widths a generated convolution runs at for one encoding. */
export interface GeneratedWidth {
  in: number;
  out: number;
}

export interface GeneratedConvOptions {
  stride: number;
  padding: number;
  /** 1, or the input width for a depthwise conv (then in = out and groups follow the input). */
  groups: number;
  /** Hidden width of the generator (official 32, or 64 for MobileNetV2). */
  hidden: number;
}

export class GeneratedConv2d extends Module {
  /** Widest weight: [outChannels, inChannels / groups, k, k]. */
  readonly weightShape: readonly number[];
  readonly depthwise: boolean;
  /** generator.0: FC(2 -> hidden), generator.1: ReLU, generator.2: FC(hidden -> weight elements). */
  readonly generator: Sequential;
  /** The widths in use; null runs at the widest. */
  active: GeneratedWidth | null = null;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    readonly o: GeneratedConvOptions,
  ) {
    super();
    this.depthwise = o.groups !== 1;
    if (this.depthwise && (o.groups !== inChannels || inChannels !== outChannels))
      throw new Error(
        `GeneratedConv2d: groups ${o.groups} must be 1 or the channel count (in ${inChannels}, out ${outChannels})`,
      );
    this.weightShape = [outChannels, this.depthwise ? 1 : inChannels, kernelSize, kernelSize];
    const elements = this.weightShape.reduce((a, b) => a * b, 1);
    this.generator = this.registerModule(
      "generator",
      new Sequential(new Linear(2, o.hidden), new ReLU(), new Linear(o.hidden, elements)),
    );
  }

  /** The widths as the generator's input: [in / widest in, out / widest out]. */
  #widths(): GeneratedWidth {
    return this.active ?? { in: this.inChannels, out: this.outChannels };
  }

  /** The whole generated weight [outChannels, in/groups, k, k] for the active widths, before cropping. */
  fullWeight(): Tensor {
    const w = this.#widths();
    const code = tensor([[w.in / this.inChannels, w.out / this.outChannels]]);
    // [1, 2] -> [1, elements] -> [out, in/groups, k, k]
    return this.generator.forward(code).view(...this.weightShape);
  }

  /** The generated weight cropped to the leading [:out, :in] channels (official conv_weight[:oup, :inp]). */
  weight(): Tensor {
    const w = this.#widths();
    const full = this.fullWeight();
    const rows = w.out === this.outChannels ? full : full.narrow(0, 0, w.out);
    return this.depthwise || w.in === this.inChannels ? rows : rows.narrow(1, 0, w.in);
  }

  /** [N, in, H, W] -> [N, out, H', W'] */
  forward(x: Tensor): Tensor {
    const w = this.#widths();
    if (x.shape[1] !== w.in)
      throw new Error(`GeneratedConv2d: input has ${x.shape[1]} channels, the encoding sets ${w.in}`);
    return F.conv2d(x, this.weight(), null, {
      stride: this.o.stride,
      padding: this.o.padding,
      groups: this.depthwise ? w.in : 1,
    });
  }
}

/**
 * Non-affine batch norm with its own running statistics for each width the input can have (official
 * ModuleList of BatchNorm2d(width, affine=False), one per scale); children are named by the width.
 */
export class PerWidthBatchNorm2d extends Module {
  readonly byWidth = new Map<number, BatchNorm2d>();

  constructor(widths: Iterable<number>) {
    super();
    for (const c of [...new Set(widths)].sort((a, b) => a - b))
      this.byWidth.set(c, this.registerModule(String(c), new BatchNorm2d(c, { affine: false })));
  }

  /** The BN used for inputs of `channels` channels. */
  at(channels: number): BatchNorm2d {
    const bn = this.byWidth.get(channels);
    if (!bn)
      throw new Error(
        `PerWidthBatchNorm2d: no statistics for ${channels} channels (has ${[...this.byWidth.keys()].join(", ")})`,
      );
    return bn;
  }

  /** [N, C, H, W] -> [N, C, H, W] with the statistics of width C. */
  forward(x: Tensor): Tensor {
    return this.at(x.shape[1] as number).forward(x);
  }
}
