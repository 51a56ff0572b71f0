// The mixed-precision search benchmark on Fashion-MNIST, the kind of table of SPOS (Guo et al., ECCV
// 2020, Sec. 4.3, Table 8): for uniform 2-, 3- and 4-bit networks (weights and inputs; first and last
// layer at 8 bits), the BitOps they cost and their top-1, against the network the evolutionary search
// finds on the quantization supernet under the same BitOps. Every network starts from the same trained
// fp32 base and is fine-tuned quantization-aware with the same recipe and epochs.
// 1. the fp32 base network; 2. the quantization supernet from it, bit widths sampled uniformly;
// 3. per uniform width: a search under its BitOps, then both networks fine-tuned under each seed.
// Writes every figure to <out>/bench-quant-search.json as soon as it has it; --resume continues.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { countBitOps } from "../src/arch/count.js";
import { inputOf } from "../src/arch/family.js";
import { parseQuant } from "../src/arch/quant.js";
import { validateArch } from "../src/arch/schema.js";
import { QUANT_SPACES, type QuantSpace } from "../src/arch/spaces/quant.js";
import { setNumThreads } from "../src/engine/index.js";
import { runSearch, runSupernetTraining } from "../src/nas/spos.js";
import { runTraining } from "../src/train/run.js";
import { archOfRun } from "../src/train/setup.js";
import { writeFileAtomic } from "../src/util/files.js";
import { mean } from "../src/util/statistics.js";
import { benchProgress } from "./progress.js";

export interface QuantSearchBenchOptions {
  out: string;
  /** Fashion-MNIST for the published figures; "synthetic:N" for a quick dry run. */
  data: string;
  /** A registered quantization space (default quant_resnet18_x0_25). */
  space: string;
  fp32Epochs: number;
  supernetEpochs: number;
  /** Uniform widths to compare with (each sets a BitOps limit). */
  widths: number[];
  /** Searched nets cost at least this share of the uniform net's BitOps (0: no floor). */
  floor: number;
  population: number;
  generations: number;
  /** Training images that recalibrate BN and hold-out images that score each candidate. */
  recalImages: number;
  scoreImages: number;
  /** Epochs of every quantization-aware fine-tuning (the same for searched and uniform nets). */
  fineTuneEpochs: number;
  /** The fine-tuning's base learning rate (a tenth of training from scratch's). */
  fineTuneLr: number;
  seeds: number[];
  threads?: number;
  resume: boolean;
}

const { log, training, search } = benchProgress("quant-search");

export async function runQuantSearchBench(o: QuantSearchBenchOptions): Promise<Record<string, unknown>> {
  if (o.threads) setNumThreads(o.threads);
  mkdirSync(o.out, { recursive: true });
  const space = QUANT_SPACES[o.space] as QuantSpace | undefined;
  if (!space) throw new Error(`--space: "${o.space}" is not one of ${Object.keys(QUANT_SPACES).join(", ")}`);
  const results: Record<string, unknown> = { options: o };
  const save = () =>
    writeFileAtomic(join(o.out, "bench-quant-search.json"), `${JSON.stringify(results, null, 2)}\n`);
  const data = { source: o.data };

  log(`fp32 ${JSON.stringify(space.base)}: ${o.fp32Epochs} epochs`);
  const baseFile = join(o.out, "base.json");
  writeFileAtomic(baseFile, `${JSON.stringify(space.base)}\n`);
  const fp32 = await runTraining({
    onProgress: training("fp32"),
    model: baseFile,
    data,
    recipe: { epochs: o.fp32Epochs, logEvery: 200, checkpointEvery: 100000 },
    run: { out: join(o.out, "fp32"), resume: o.resume },
  });
  const init = join(o.out, "fp32", "model.safetensors");
  results.fp32 = { test_top1: fp32.test?.top1, seconds: fp32.seconds };
  save();

  log(`quantization supernet (${space.name}): ${o.supernetEpochs} epochs from the fp32 weights`);
  const supernet = join(o.out, "supernet");
  const trained = await runSupernetTraining({
    onProgress: training("supernet"),
    space: space.name,
    data,
    init,
    recipe: {
      epochs: o.supernetEpochs,
      lr: o.fineTuneLr,
      warmupEpochs: 0,
      logEvery: 200,
      checkpointEvery: 100000,
    },
    run: { out: supernet, resume: o.resume },
  });
  results.supernet = { seconds: trained.seconds, train_top1: trained.trainTop1 };
  save();
  const input = inputOf(archOfRun(init));

  const fineTune = async (archFile: string, seed: number) => {
    const r = await runTraining({
      onProgress: training(`fine-tune seed ${seed}`),
      model: archFile,
      init,
      data,
      recipe: {
        epochs: o.fineTuneEpochs,
        lr: o.fineTuneLr,
        warmupEpochs: 0,
        seed,
        logEvery: 200,
        checkpointEvery: 100000,
      },
      run: { out: join(archFile.replace(/\.json$/, ""), `s${seed}`), resume: o.resume },
    });
    return r.test?.top1 ?? Number.NaN;
  };

  const rows: Record<string, unknown>[] = [];
  results.widths = rows;
  for (const k of o.widths) {
    const uniform = validateArch({
      ...space.base,
      ...input,
      quant: { ...parseQuant(`w${k}a${k}`), edges: space.edges },
    });
    const bitops = countBitOps(uniform);
    const uniformFile = join(o.out, `uniform-w${k}a${k}.json`);
    writeFileAtomic(uniformFile, `${JSON.stringify(uniform, null, 2)}\n`);
    log(`w${k}a${k}: search under ${(bitops / 1e9).toFixed(3)}G BitOps (${o.population} x ${o.generations})`);
    const found = await runSearch({
      onCandidate: search(`search w${k}a${k}`),
      net: supernet,
      limits: { bitops, ...(o.floor > 0 ? { min: { bitops: o.floor * bitops } } : {}) },
      run: { out: join(o.out, `search-w${k}a${k}`), resume: o.resume },
      evolution: {
        population: o.population,
        generations: o.generations,
        topK: Math.min(10, o.population),
        seed: 0,
      },
      scoring: { recalibrationImages: o.recalImages, scoreImages: o.scoreImages },
    });
    const searchedFile = join(o.out, `searched-w${k}a${k}.json`);
    writeFileAtomic(searchedFile, `${JSON.stringify(found.arch, null, 2)}\n`);
    const row: Record<string, unknown> = {
      width: k,
      uniform_bitops: bitops,
      searched_bitops: found.best.costs.bitops,
      searched_holdout_top1: found.best.score,
      searched_genotype: found.best.genotype,
      search_seconds: found.seconds,
    };
    rows.push(row);
    save();
    const searched: number[] = [];
    const uniformTop1: number[] = [];
    for (const seed of o.seeds) {
      log(`w${k}a${k}: fine-tuning both, seed ${seed}, ${o.fineTuneEpochs} epochs`);
      searched.push(await fineTune(searchedFile, seed));
      uniformTop1.push(await fineTune(uniformFile, seed));
      row.test_top1 = {
        searched,
        uniform: uniformTop1,
        searched_mean: mean(searched),
        uniform_mean: mean(uniformTop1),
        difference: mean(searched) - mean(uniformTop1),
      };
      save();
    }
  }
  return results;
}
