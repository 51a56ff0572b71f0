// The MetaPruning row of `lithe bench channel-pruning` (Liu et al., ICCV 2019): the PruningNet of the
// bench network's pruning space (src/arch/spaces/pruning.ts, narrowed by the bench's --width to the
// very base network the bench trains) trained once per network, then per FLOPs target the
// evolutionary search's widths, which the bench trains from scratch like its other scratch rows.
// Only networks with a pruning space get the row (ResNet-18, MobileNetV2; there is no VGG PruningNet).
import { join } from "node:path";
import type { Arch } from "../src/arch/schema.js";
import { narrowSpace, PRUNING_SPACES, type PruningSpace } from "../src/arch/spaces/pruning.js";
import { runPruneSearch, runPruningNetTraining } from "../src/prune/metapruning.js";
import { writeFileAtomic } from "../src/util/files.js";
import { benchProgress } from "./progress.js";

const { training, search } = benchProgress("channel-pruning");

export interface MetaPruningRowOptions {
  data: { source: string };
  /** Factor on the space's base widths (the bench's --width). */
  width: number;
  pruningNetEpochs: number;
  population: number;
  generations: number;
  resume: boolean;
}

/** The narrowed pruning space of a bench network, or null when the network has none. */
export function benchSpace(model: string, width: number): PruningSpace | null {
  const space = PRUNING_SPACES[model];
  return space ? narrowSpace(space, width) : null;
}

/** Trains the PruningNet of `space` in `dir`/pruningnet (kept on resume); returns the run directory. */
export async function trainPruningNet(
  dir: string,
  space: PruningSpace,
  o: MetaPruningRowOptions,
): Promise<string> {
  const spaceFile = join(dir, "space.json");
  writeFileAtomic(spaceFile, `${JSON.stringify(space, null, 2)}\n`);
  const run = join(dir, "pruningnet");
  await runPruningNetTraining({
    onProgress: training(run),
    data: o.data,
    recipe: { epochs: o.pruningNetEpochs, logEvery: 200, checkpointEvery: 100000 },
    space: spaceFile,
    run: { out: run, resume: o.resume },
  });
  return run;
}

/** The searched widths under `flops`, written to `dir`/metapruning-<tag>.json. */
export async function searchedWidths(
  pruningNet: string,
  flops: number,
  dir: string,
  tag: string,
  o: MetaPruningRowOptions,
): Promise<{ arch: Arch; file: string; holdoutTop1: number }> {
  const found = await runPruneSearch({
    onCandidate: search(join(dir, `search-${tag}`)),
    net: pruningNet,
    limits: { flops },
    run: { out: join(dir, `search-${tag}`), resume: o.resume },
    evolution: { population: o.population, generations: o.generations, topK: 10, seed: 0 },
    // Batches of 64 (the search's default is 250), so a small hold-out split (a dry run's) still scores.
    scoring: { batchSize: 64 },
  });
  const file = join(dir, `metapruning-${tag}.json`);
  writeFileAtomic(file, `${JSON.stringify(found.arch, null, 2)}\n`);
  return { arch: found.arch, file, holdoutTop1: found.best.score };
}
