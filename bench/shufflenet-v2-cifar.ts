// The engine benchmark's model: ShuffleNet V2 1.0x for 32x32 CIFAR input, torchvision's layout and names.
import { cat, type Tensor } from "../src/engine/index.js";
import {
  BatchNorm2d,
  Conv2d,
  channelShuffle,
  channelSplit,
  Linear,
  Module,
  ReLU,
  Sequential,
} from "../src/nn/index.js";

const conv1x1 = (cin: number, cout: number) => new Conv2d(cin, cout, 1, { bias: false });
const depthwise3x3 = (c: number, stride: number) =>
  new Conv2d(c, c, 3, { stride, padding: 1, groups: c, bias: false });

/** torchvision's InvertedResidual: stride 1 splits the channels and transforms one half; stride 2 transforms
 * two copies of the input (branch1, branch2). Both concatenate and shuffle. */
class InvertedResidual extends Module {
  readonly branch1: Sequential | null;
  readonly branch2: Sequential;

  constructor(inp: number, oup: number, stride: number) {
    super();
    const half = oup / 2;
    this.branch1 =
      stride > 1
        ? this.registerModule(
            "branch1",
            new Sequential(
              depthwise3x3(inp, stride),
              new BatchNorm2d(inp),
              conv1x1(inp, half),
              new BatchNorm2d(half),
              new ReLU(),
            ),
          )
        : null;
    this.branch2 = this.registerModule(
      "branch2",
      new Sequential(
        conv1x1(stride > 1 ? inp : half, half),
        new BatchNorm2d(half),
        new ReLU(),
        depthwise3x3(half, stride),
        new BatchNorm2d(half),
        conv1x1(half, half),
        new BatchNorm2d(half),
        new ReLU(),
      ),
    );
  }

  /** [N, inp, H, W] -> [N, oup, H/stride, W/stride] */
  forward(x: Tensor): Tensor {
    let out: Tensor;
    if (this.branch1) {
      out = cat([this.branch1.forward(x), this.branch2.forward(x)], 1);
    } else {
      const [x1, x2] = channelSplit(x);
      out = cat([x1, this.branch2.forward(x2)], 1);
    }
    return channelShuffle(out, 2);
  }
}

export class ShuffleNetV2Cifar extends Module {
  readonly conv1: Sequential;
  readonly stages: Sequential[];
  readonly conv5: Sequential;
  readonly fc: Linear;

  constructor(numClasses = 10, repeats = [4, 8, 4], widths = [24, 116, 232, 464, 1024]) {
    super();
    const w = (i: number) => widths[i] as number;
    this.conv1 = this.registerModule(
      "conv1",
      new Sequential(new Conv2d(3, w(0), 3, { padding: 1, bias: false }), new BatchNorm2d(w(0)), new ReLU()),
    );
    this.stages = repeats.map((n, i) => {
      const units = [new InvertedResidual(w(i), w(i + 1), 2)];
      for (let k = 1; k < n; k++) units.push(new InvertedResidual(w(i + 1), w(i + 1), 1));
      return this.registerModule(`stage${i + 2}`, new Sequential(...units));
    });
    const last = w(repeats.length);
    const top = w(repeats.length + 1);
    this.conv5 = this.registerModule(
      "conv5",
      new Sequential(conv1x1(last, top), new BatchNorm2d(top), new ReLU()),
    );
    this.fc = this.registerModule("fc", new Linear(top, numClasses));
  }

  /** [N, 3, 32, 32] -> [N, numClasses] */
  forward(x: Tensor): Tensor {
    let y = this.conv1.forward(x); // [N, 24, 32, 32]
    // [N, 116, 16, 16] -> [N, 232, 8, 8] -> [N, 464, 4, 4]
    for (const stage of this.stages) y = stage.forward(y);
    y = this.conv5.forward(y); // [N, 1024, 4, 4]
    return this.fc.forward(y.mean([2, 3])); // [N, 1024] -> [N, numClasses]
  }
}
