// MetaPruning's PruningNet (Liu et al., ICCV 2019, Sec. 3.2; official liuzechun/MetaPruning
// */training/*.py): the unpruned network of a pruning space in which every convolution's weight is
// generated from the network encoding by its own FC -> ReLU -> FC and cropped to the channels the
// encoding gives that layer, every BN keeps non-affine statistics per width, and the classifier reads
// the leading inputs. setPath(genotype) picks the encoding the next forward passes run.
// Each convolution's generator reads that layer's [in, out] widths as ratios of its widest, so one
// rule serves every family (the official code feeds a block's [mid, in, out] scales to its convs).
// State-dict names are the zoo network's module names: <conv>.generator.{0,2}.*, <bn>.<width>.*.
import { z } from "zod";
import { planOf } from "../arch/count.js";
import { type ArchInput, type CommonArch, commonFields, inputOf } from "../arch/family.js";
import type { Shape } from "../arch/plan.js";
import { nonAffine } from "../arch/plan-map.js";
import type { Arch } from "../arch/schema.js";
import {
  baseArch,
  type PruningSpace,
  prunedArch,
  pruningSpaceSchema,
  scaledWidth,
} from "../arch/spaces/pruning.js";
import { listOps } from "../arch/walk.js";
import { full, noGrad, type Tensor, zeros } from "../engine/index.js";
import { buildNode, type LayerKinds } from "../models/build.js";
import { ElasticLinear, GeneratedConv2d, Module, PerWidthBatchNorm2d, type StateDict } from "../nn/index.js";
import type { Genotype } from "../search/types.js";
import { checkSchema } from "../util/checked-json.js";

/** What a PruningNet is: its space (whole, so a user's own space travels with the run) and the input. */
export interface PruningNetArch extends CommonArch {
  family: "metapruning-net";
  space: PruningSpace;
}

const pruningNetSchema = z
  .object({ family: z.literal("metapruning-net"), space: pruningSpaceSchema, ...commonFields })
  .strict();

/** Checks a PruningNet description (e.g. from a run's run.json); the error names the offending field. */
export const parsePruningNetArch = (input: unknown): PruningNetArch =>
  checkSchema(pruningNetSchema, input, "PruningNet description") as PruningNetArch;

/** Generated convolutions, per-width BNs and an elastic classifier for the widths of `space`. */
function generatedLayers(space: PruningSpace): LayerKinds {
  return {
    conv: (c, node) => {
      if (node.bias) throw new Error("PruningNet: convolutions with a bias are not supported");
      return new GeneratedConv2d(c, node.out, node.k, {
        stride: node.stride,
        padding: node.pad,
        groups: node.groups,
        hidden: space.hidden,
      });
    },
    bn: (c) => new PerWidthBatchNorm2d([c, ...space.scales.map((s) => scaledWidth(c, s, space.divisor))]),
    linear: (c, out, bias) => new ElasticLinear(c, out, { bias }),
  };
}

/** The widths every conv, BN and linear layer runs at in one pruned network, by module name. */
interface PathWidths {
  arch: Arch;
  convs: Map<string, { in: number; out: number }>;
  inputs: Map<string, number>;
}

export class PruningNet extends Module {
  readonly space: PruningSpace;
  readonly input: ArchInput;
  readonly #layers: Module[] = [];
  readonly #convs: Map<string, GeneratedConv2d>;
  readonly #shape: Shape;
  #path: (PathWidths & { genotype: Genotype }) | null = null;

  constructor(readonly arch: PruningNetArch) {
    super();
    this.space = arch.space;
    this.input = inputOf(arch);
    this.#shape = { c: arch.inChannels, h: arch.inputSize, w: arch.inputSize };
    const root = buildNode(
      nonAffine(planOf(baseArch(this.space, this.input))),
      this.#shape,
      generatedLayers(this.space),
    );
    for (const [name, m] of root.children()) this.#layers.push(this.registerModule(name, m));
    this.#convs = new Map(
      this.namedModules().filter((e): e is [string, GeneratedConv2d] => e[1] instanceof GeneratedConv2d),
    );
  }

  /** The pruned network of a genotype as a zoo description, with its layers' widths. */
  #widthsOf(g: Genotype): PathWidths {
    const arch = prunedArch(this.space, g, this.input);
    const convs = new Map<string, { in: number; out: number }>();
    const inputs = new Map<string, number>();
    for (const o of listOps(planOf(arch), this.#shape).ops) {
      const c = (o.inputs[0] as Shape).c;
      if (o.op === "conv") {
        if (!this.#convs.has(o.name))
          throw new Error(
            `space ${this.space.name}: this genotype adds layer "${o.name}", which the unpruned network lacks; ` +
              "tie the genes of the channels a shortcut joins",
          );
        convs.set(o.name, { in: c, out: o.output.c });
      } else if (o.op === "bn" || o.op === "linear") inputs.set(o.name, c);
    }
    if (convs.size !== this.#convs.size)
      throw new Error(`space ${this.space.name}: this genotype drops layers of the unpruned network`);
    return { arch, convs, inputs };
  }

  /** The encoding the next forward passes run (every gene of the space set to a scale in (0, 1]). */
  setPath(g: Genotype): void {
    const widths = this.#widthsOf(g);
    for (const [name, conv] of this.#convs) conv.active = widths.convs.get(name) ?? null;
    this.#path = { ...widths, genotype: g };
  }

  get path(): Genotype | null {
    return this.#path?.genotype ?? null;
  }

  /** The pruned network of the current path as an architecture description the zoo builds. */
  prunedArch(): Arch {
    return this.#current().arch;
  }

  #current(): PathWidths {
    if (!this.#path) throw new Error("PruningNet: no encoding chosen (call setPath first)");
    return this.#path;
  }

  /**
   * The zoo network's weights for the current path, as generated (detached copies): conv weights
   * cropped, BN with scale 1, shift 0 and the statistics of its width, classifier columns cropped.
   */
  generatedStateDict(): StateDict {
    const { inputs } = this.#current();
    const state: StateDict = new Map();
    noGrad(() => {
      for (const [name, m] of this.namedModules()) {
        if (m instanceof GeneratedConv2d) state.set(`${name}.weight`, m.weight().contiguous());
        else if (m instanceof PerWidthBatchNorm2d) {
          const c = inputs.get(name) as number;
          const bn = m.at(c);
          state.set(`${name}.weight`, full([c], 1));
          state.set(`${name}.bias`, zeros([c]));
          for (const [key, t] of bn.namedBuffers()) state.set(`${name}.${key}`, t.clone());
        } else if (m instanceof ElasticLinear) {
          const c = inputs.get(name) as number;
          state.set(`${name}.weight`, m.weight.narrow(1, 0, c).contiguous());
          if (m.bias) state.set(`${name}.bias`, m.bias.clone());
        }
      }
    });
    return state;
  }

  /** [N, C, H, W] -> [N, classes] for the current path. */
  forward(x: Tensor): Tensor {
    this.#current();
    return this.#layers.reduce((y, m) => m.forward(y), x);
  }
}
