// Mixed-precision quantization search spaces (SPOS, Guo et al., ECCV 2020, Sec. 4.3): a base network
// whose every block picks its weights' and its inputs' bit widths; the first conv and the last linear
// layer stay at `edges` bits. A block is a conv or linear layer's unit: the first two parts of its path
// (torchvision's "layer2.0" of ResNet, "features.3" of MobileNet V2, "stage2.0" of ShuffleNet), so a
// ResNet block's two convs and its downsample share widths, as the paper's per-block choices do.
// The paper's choices are {1, 2, 3, 4} bits; lithe's registered spaces use {2, 3, 4}: LSQ's signed
// 1-bit grid is {-1, 0}, not the binary {-1, +1} 1-bit weights need.
import { z } from "zod";
import type { LayerOp } from "../plan.js";
import { MAX_BITS, MIN_BITS } from "../quant.js";

const bits = z.number().int().min(MIN_BITS).max(MAX_BITS);
const ascending = (xs: readonly number[]) => xs.every((x, i) => i === 0 || x > (xs[i - 1] as number));

export const quantSpaceSchema = z.strictObject({
  kind: z.literal("quantization"),
  name: z.string().min(1),
  /** The base network's description without its input fields (they come from the data). */
  base: z.looseObject({ family: z.string() }),
  /** Weight bit choices per block, ascending. */
  weights: z.array(bits).min(1).refine(ascending, "must ascend"),
  /** Input bit choices per block, ascending. */
  activations: z.array(bits).min(1).refine(ascending, "must ascend"),
  /** Bits of the first conv and the last linear layer. */
  edges: bits.default(8),
});
export type QuantSpace = z.output<typeof quantSpaceSchema>;

const resnet18 = (name: string, width: number): QuantSpace => ({
  kind: "quantization",
  name,
  base: { family: "resnet", depth: 18, width },
  weights: [2, 3, 4],
  activations: [2, 3, 4],
  edges: 8,
});

export const QUANT_SPACES: Readonly<Record<string, QuantSpace>> = {
  quant_resnet18: resnet18("quant_resnet18", 1),
  /** A quarter of ResNet-18's channels: the space `lithe bench quant-search` trains on Fashion-MNIST. */
  quant_resnet18_x0_25: resnet18("quant_resnet18_x0_25", 0.25),
};

/** "edge" for the first conv and the last linear layer, else the block a conv or linear layer is in. */
export function blockOf(ops: readonly LayerOp[]): Map<string, string> {
  const layers = ops.filter((o) => o.op === "conv" || o.op === "linear");
  const first = layers.find((o) => o.op === "conv")?.name;
  const last = layers.filter((o) => o.op === "linear").at(-1)?.name;
  return new Map(
    layers.map((o) => [
      o.name,
      o.name === first || o.name === last ? "edge" : o.name.split(".").slice(0, 2).join("."),
    ]),
  );
}
