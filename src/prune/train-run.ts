// Step 1 of MetaPruning from user-level options (what `lithe prune train` calls): the PruningNet of a
// pruning space trained with a freshly drawn encoding per batch (Liu et al., ICCV 2019, Sec. 3.2:
// "randomly generate network encoding vectors in each iteration"), on the shared one-shot training
// (the search's hold-out split, logs, checkpoints, resume) that SPOS's supernet uses too.
import { resolvePruningSpace } from "../arch/resolve.js";
import { narrowSpace } from "../arch/spaces/pruning.js";
import { type OneShotTrainingOptions, trainOneShot } from "../nas/supernet-run.js";
import type { TrainSummary } from "../train/trainer.js";
import { PruningNet, type PruningNetArch } from "./pruning-net.js";
import { pruningGenes, pruningProfilers } from "./space.js";

export interface PruningNetTrainingOptions extends OneShotTrainingOptions {
  /** A registered pruning space name or the path of a pruning space JSON file. */
  space: string;
  /** Narrows the space's unpruned network: every base width times this factor (narrowSpace). */
  baseWidth?: number;
  /** Hidden width of the weight generators, if not the space's. */
  hidden?: number;
  /** Pruned widths as multiples of this, if not the space's. */
  divisor?: number;
}

export function runPruningNetTraining(o: PruningNetTrainingOptions): Promise<TrainSummary> {
  const resolved = resolvePruningSpace(o.space);
  const narrowed =
    o.baseWidth === undefined && o.hidden === undefined
      ? resolved
      : narrowSpace(resolved, o.baseWidth ?? 1, o.hidden ?? resolved.hidden);
  const space = o.divisor === undefined ? narrowed : { ...narrowed, divisor: o.divisor };
  return trainOneShot(o, (input) => {
    const arch: PruningNetArch = { family: "metapruning-net", space, ...input };
    return {
      arch,
      model: new PruningNet(arch),
      genes: pruningGenes(space),
      profilers: pruningProfilers(space, input),
    };
  });
}
