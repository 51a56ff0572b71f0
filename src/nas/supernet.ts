// The Single Path One-Shot supernet (Guo et al., ECCV 2020, Sec. 3; official megvii-model/
// SinglePathOneShot src/Supernet/network.py): the space's stem and head, and at every block position
// one module per choice, each built at the widest channel scale. A forward pass runs the one path set
// by setPath; a block's mid width is a leading slice of the widest weights (channel search, Sec. 3.4).
// Every BN is non-affine, as in the official supernet. Parameters of choices off the path take no part
// in the forward pass, so they get no gradient and the optimizer leaves them (and their momentum) alone.
// State-dict names: first_conv.*, features.<i>.<choice label>.branch_main.*, conv_last.*, classifier.*.
import { z } from "zod";
import { oneshotHead, oneshotStem, oneshotUnit } from "../arch/families/oneshot.js";
import { type CommonArch, commonFields } from "../arch/family.js";
import type { Genotype } from "../arch/genotype.js";
import type { Named, Shape } from "../arch/plan.js";
import { nonAffine } from "../arch/plan-map.js";
import {
  DEFAULT_SCALE,
  genotypeIssues,
  positions,
  type SposSpace,
  sposSpaceSchema,
} from "../arch/spaces/spos.js";
import { listOps, outputShape } from "../arch/walk.js";
import type { Tensor } from "../engine/index.js";
import { buildNode, ELASTIC_LAYERS } from "../models/build.js";
import { initialize } from "../models/init.js";
import { type ActiveWidth, ElasticConv2d, Module } from "../nn/index.js";
import { checkSchema } from "../util/checked-json.js";

/** What a supernet is: its space (whole, so a user's own space travels with the run) and the input. */
export interface SupernetArch extends CommonArch {
  family: "spos-supernet";
  space: SposSpace;
}

const supernetSchema = z
  .object({ family: z.literal("spos-supernet"), space: sposSpaceSchema, ...commonFields })
  .strict();

/** Checks a supernet description (e.g. from a run's run.json); the error names the offending field. */
export const parseSupernetArch = (input: unknown): SupernetArch =>
  checkSchema(supernetSchema, input, "supernet description") as SupernetArch;

/** features.<i>: every choice of one block position, as children named by choice label; runs the chosen one. */
class ChoiceSlot extends Module {
  readonly options = new Map<string, Module>();
  chosen: Module | null = null;

  constructor(options: readonly (readonly [string, Module])[]) {
    super();
    for (const [label, m] of options) this.options.set(label, this.registerModule(label, m));
  }

  forward(x: Tensor): Tensor {
    if (!this.chosen) throw new Error("supernet: no path chosen (call setPath first)");
    return this.chosen.forward(x);
  }
}

/** "features": the block positions in order. */
class FeatureList extends Module {
  readonly #slots: ChoiceSlot[] = [];
  add(name: string, slot: ChoiceSlot): ChoiceSlot {
    this.#slots.push(this.registerModule(name, slot));
    return slot;
  }
  forward(x: Tensor): Tensor {
    return this.#slots.reduce((y, s) => s.forward(y), x);
  }
}

/** The convolutions of one choice module with the widths they run at for one channel scale. */
type Widths = readonly (readonly [ElasticConv2d, ActiveWidth])[];

export class Supernet extends Module {
  readonly space: SposSpace;
  readonly slots: ChoiceSlot[] = [];
  readonly #layers: Module[] = [];
  /** `${position}:${choice label}:${scale}` -> the active widths of that choice's convolutions. */
  readonly #widths = new Map<string, Widths>();
  #path: Genotype | null = null;

  constructor(readonly arch: SupernetArch) {
    super();
    const space = arch.space;
    this.space = space;
    const widest = Math.max(...space.scales);
    let shape: Shape = { c: arch.inChannels, h: arch.inputSize, w: arch.inputSize };
    const add = ([name, node]: Named) => {
      this.#layers.push(this.registerModule(name, buildNode(nonAffine(node), shape)));
      shape = outputShape(node, shape);
    };
    for (const layer of oneshotStem(space, arch)) add(layer);
    const features = new FeatureList();
    for (const p of positions(space)) {
      const slot = new ChoiceSlot(
        space.choices.map((c) => [
          c.label,
          buildNode(nonAffine(oneshotUnit(p, c, widest)), shape, ELASTIC_LAYERS),
        ]),
      );
      for (const c of space.choices) {
        const convs = new Map(
          (slot.options.get(c.label) as Module)
            .namedModules()
            .filter((e): e is [string, ElasticConv2d] => e[1] instanceof ElasticConv2d),
        );
        for (const scale of space.scales) {
          const widths = listOps(oneshotUnit(p, c, scale), shape).ops.flatMap((o) =>
            o.op === "conv"
              ? [
                  [
                    convs.get(o.name) as ElasticConv2d,
                    { out: o.output.c, groups: o.attrs.groups as number },
                  ] as const,
                ]
              : [],
          );
          this.#widths.set(`${p.index}:${c.label}:${scale}`, widths);
        }
      }
      shape = outputShape(oneshotUnit(p, space.choices[0] as (typeof space.choices)[0], widest), shape);
      this.slots.push(features.add(String(p.index), slot));
    }
    this.#layers.push(this.registerModule("features", features));
    for (const layer of oneshotHead(space, arch)) add(layer);
    initialize(this, "megvii");
  }

  /** The path the next forward passes run; every block label must name a choice, mids default to 1.0. */
  setPath(g: Genotype): void {
    const issues = genotypeIssues(this.space, g);
    if (issues.length > 0) {
      const { label, message } = issues[0] as { label: string; message: string };
      throw new Error(`supernet: genotype label "${label}" is ${JSON.stringify(g[label])}: ${message}`);
    }
    for (const p of positions(this.space)) {
      const label = g[p.block] as string;
      const scale = (g[p.mid] as number | undefined) ?? DEFAULT_SCALE;
      const widths = this.#widths.get(`${p.index}:${label}:${scale}`);
      if (!widths) throw new Error(`supernet: "${p.mid}" is unset and ${this.space.name} has no scale 1.0`);
      for (const [conv, width] of widths) conv.active = width;
      (this.slots[p.index] as ChoiceSlot).chosen = (this.slots[p.index] as ChoiceSlot).options.get(
        label,
      ) as Module;
    }
    this.#path = g;
  }

  get path(): Genotype | null {
    return this.#path;
  }

  /** [N, C, H, W] -> [N, classes] along the current path. */
  forward(x: Tensor): Tensor {
    return this.#layers.reduce((y, m) => m.forward(y), x);
  }
}
