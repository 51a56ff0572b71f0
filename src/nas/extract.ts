// A standalone network out of the supernet (once-for-all's subnet extraction): the oneshot
// architecture of a path and its inherited weights, each a leading slice of the supernet's widest
// tensor. The supernet's non-affine BN becomes affine BN with scale 1 and shift 0, so the extracted
// network computes exactly what the supernet computes on that path.
import { oneshotArchOf } from "../arch/families/oneshot.js";
import type { Genotype } from "../arch/genotype.js";
import { noGrad, type Tensor } from "../engine/index.js";
import { type Arch, buildModel, validateArch } from "../models/index.js";
import type { Module } from "../nn/index.js";
import type { Supernet } from "./supernet.js";

/** The oneshot description of a path of `supernet` (its space by name when registered, else inline). */
export const archOfPath = (supernet: Supernet, g: Genotype): Arch =>
  validateArch(oneshotArchOf(supernet.arch.space, supernet.arch, g));

/** The supernet tensor a standalone parameter or buffer of path `g` is sliced from. */
function sourceName(name: string, g: Genotype): string {
  const m = /^features\.(\d+)\.(.*)$/.exec(name);
  if (!m) return name;
  return `features.${m[1]}.${g[`block_${Number(m[1]) + 1}`] as string}.${m[2]}`;
}

/** The standalone network of path `g` with the supernet's weights (and BN statistics) for that path. */
export function extractSubnet(supernet: Supernet, g: Genotype): { arch: Arch; model: Module } {
  const arch = archOfPath(supernet, g);
  const model = buildModel(arch);
  const source = new Map<string, Tensor>([...supernet.namedParameters(), ...supernet.namedBuffers()]);
  noGrad(() => {
    for (const [name, t] of [...model.namedParameters(), ...model.namedBuffers()]) {
      const from = source.get(sourceName(name, g));
      if (from) {
        let slice = from;
        t.shape.forEach((size, dim) => {
          slice = slice.narrow(dim, 0, size);
        });
        t.copy_(slice);
      } else if (/\.(weight|bias)$/.test(name) && t.ndim === 1) {
        t.fill_(name.endsWith(".weight") ? 1 : 0); // affine BN standing in for the supernet's non-affine one
      } else {
        throw new Error(`extract: the supernet has no tensor for "${name}"`);
      }
    }
  });
  return { arch, model };
}
