// One rank of the one-shot data-parallel test (test/dist/one-shot.test.ts): trains a SPOS supernet
// ("supernet", "supernet-sync-bn" with SyncBN) or a PruningNet ("pruning") on tiny synthetic data,
// joining the run from the environment. Prints one JSON line: every step's path and a hash of the parameters before it (the
// weights after the steps before), the final parameters' hash, and the entries of choices that no
// step sampled (a supernet's unsampled blocks; a PruningNet's BN statistics of unsampled widths) that
// differ from their values at the first step, and a hash of the final buffers (BN statistics).
import { createHash } from "node:crypto";
import { join } from "node:path";
import { positions, SPOS_SMALL } from "../../src/arch/spaces/spos.js";
import type { Tensor } from "../../src/engine/index.js";
import { runSupernetTraining } from "../../src/nas/spos.js";
import { PerWidthBatchNorm2d } from "../../src/nn/index.js";
import { runPruningNetTraining } from "../../src/prune/metapruning.js";
import { PruningNet } from "../../src/prune/pruning-net.js";
import type { Genotype, OneShotTrainingOptions, PathNet } from "../../src/search/index.js";
import { fixturePath, tempDir } from "../helpers.js";

// `node --test dist/test/` also runs every file under a test/ folder: without a rank there is nothing to do.
if (process.env.WORLD_SIZE === undefined) process.exit(0);

const bytesOf = (t: Tensor) => {
  const a = t.toTypedArray();
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
};
const hashOf = (ts: readonly Tensor[]) => {
  const h = createHash("sha256");
  for (const t of ts) h.update(bytesOf(t));
  return h.digest("hex");
};

/** State-dict entry prefixes of the choices path `g` uses (blocks of a supernet, BN widths of a PruningNet). */
function usedChoices(net: PathNet, g: Genotype): string[] {
  if (net instanceof PruningNet) {
    const state = net.generatedStateDict();
    const used = net
      .namedModules()
      .filter(([, m]) => m instanceof PerWidthBatchNorm2d)
      .map(([name]) => `${name}.${(state.get(`${name}.running_mean`) as Tensor).shape[0]}.`);
    for (const t of state.values()) t.dispose();
    return used;
  }
  return positions(SPOS_SMALL).map((p) => `features.${p.index}.${g[p.block]}.`);
}

/** Every choice's entry prefix. */
function allChoices(net: PathNet): string[] {
  if (net instanceof PruningNet)
    return net
      .namedModules()
      .flatMap(([name, m]) =>
        m instanceof PerWidthBatchNorm2d ? [...m.byWidth.keys()].map((c) => `${name}.${c}.`) : [],
      );
  return positions(SPOS_SMALL).flatMap((p) =>
    SPOS_SMALL.choices.map((c) => `features.${p.index}.${c.label}.`),
  );
}

const kind = process.argv[2];
const steps: { step: number; path: Genotype; params: string }[] = [];
const used = new Set<string>();
let initial = new Map<string, Buffer>();
let trained: PathNet | null = null;
const options: OneShotTrainingOptions = {
  data: { source: "synthetic:96", imageSize: 28, augment: "none", workers: 0 },
  recipe: { epochs: 1, steps: 4, batchSize: 8, lr: 0.1, logEvery: 1, checkpointEvery: 100 },
  stem: "small",
  holdoutShare: 0.25,
  run: { out: join(tempDir("lithe-dist-one-shot-"), "run") },
  onPath: (step, path, net) => {
    if (step === 0) initial = new Map([...net.stateDict()].map(([k, t]) => [k, Buffer.from(bytesOf(t))]));
    trained = net;
    steps.push({ step, path, params: hashOf(net.parameters()) });
    for (const prefix of usedChoices(net, path)) used.add(prefix);
  },
};
try {
  if (kind?.startsWith("supernet"))
    await runSupernetTraining({ ...options, space: "spos_small", syncBn: kind === "supernet-sync-bn" });
  else await runPruningNetTraining({ ...options, space: fixturePath("prune/tiny-mobilenet-v1.json") });
  const net = trained as PathNet | null;
  if (!net) throw new Error("no step ran");
  const unsampled = allChoices(net).filter((prefix) => !used.has(prefix));
  const entries = [...net.stateDict()].filter(([k]) => unsampled.some((p) => k.startsWith(p)));
  const changed = entries.filter(([k, t]) => !bytesOf(t).equals(initial.get(k) as Buffer)).map(([k]) => k);
  console.log(
    JSON.stringify({
      steps,
      final: hashOf(net.parameters()),
      buffers: hashOf(net.namedBuffers().map(([, b]) => b)),
      unsampledEntries: entries.length,
      changed,
    }),
  );
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
