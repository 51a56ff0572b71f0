// The channel-pruning benchmark on Fashion-MNIST (He, Zhang, Sun, ICCV 2017; the L1-norm baseline of
// Li et al., ICLR 2017; training the pruned architecture from scratch as in Liu et al., "Rethinking the
// Value of Network Pruning", ICLR 2019). For VGG-16 (BN), ResNet-18 and MobileNetV2 (the PruningNet
// space's base, official 1.4x widths), all with the small stem and narrowed by --width so that
// everything trains on a CPU, it trains the base network, then for each FLOPs reduction: 1. channel
// pruning (top-1 before and after fine-tuning), 2. L1-norm filter pruning at the very same widths with
// the same fine-tuning, 3. the pruned architecture and 4. the uniform-width net at the same FLOPs
// target (every layer narrowed by one factor) trained from scratch for the base's plus the
// fine-tuning's epochs, and 5. for the networks with a pruning space (ResNet-18, MobileNetV2; none for
// VGG) MetaPruning's searched widths (bench/channel-pruning-metapruning.ts) trained from scratch as
// long; with each net's FLOPs, params and ONNX Runtime (node) latency against the unpruned net's.
// Channel pruning's widths follow --widths (stages: one ratio everywhere, the default; or paper).
// Writes every figure to <out>/bench-channel-pruning.json as soon as it has it; --resume continues
// (finished trainings and prunings are kept, evaluations and latencies measured again).
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { countArch, planOf } from "../src/arch/count.js";
import { vggWidths } from "../src/arch/families/vgg.js";
import type { Arch } from "../src/arch/schema.js";
import type { PruningSpace } from "../src/arch/spaces/pruning.js";
import { setNumThreads } from "../src/engine/index.js";
import { timePlan } from "../src/latency/measure.js";
import { runtimeByName } from "../src/latency/runtimes/index.js";
import { runChannelPruning } from "../src/prune/channel-run.js";
import { type PrunableArch, uniformWidths, type WidthsRule } from "../src/prune/channel-widths.js";
import { runL1Pruning } from "../src/prune/l1-filters.js";
import { runEvaluation, runTraining } from "../src/train/run.js";
import { archOfRun } from "../src/train/setup.js";
import { writeFileAtomic } from "../src/util/files.js";
import { benchSpace, searchedWidths, trainPruningNet } from "./channel-pruning-metapruning.js";
import { benchProgress } from "./progress.js";

export interface ChannelPruningBenchOptions {
  out: string;
  /** Fashion-MNIST for the published figures; "synthetic:N" for a quick dry run. */
  data: string;
  /** Networks: "vgg16" (VGG-16 with BN), "resnet18", "mobilenet_v2", small stem. */
  models: string[];
  /** Factor on every width of the networks (VGG-16's 64..512, ResNet-18's 64..512, MobileNetV2 1.4x's 44..1280). */
  width: number;
  /** FLOPs reductions (original / pruned). */
  speedups: number[];
  /** Epochs of the base networks. */
  epochs: number;
  /** Epochs of every fine-tuning, and its learning rate. */
  fineTuneEpochs: number;
  fineTuneLr: number;
  /** MetaPruning: PruningNet epochs and the search's population and generations. */
  pruningNetEpochs: number;
  population: number;
  generations: number;
  /** Channel pruning's per-layer widths rule (`lithe prune channels --widths`). */
  widths: WidthsRule;
  /** Training images channel pruning samples, and points per image. */
  images: number;
  points: number;
  /** ONNX Runtime latency: batch and repeats (1 thread, 10 warm-up runs). */
  latencyBatch: number;
  latencyRepeats: number;
  threads?: number;
  /** Continue the runs already in `out` instead of refusing to overwrite them. */
  resume: boolean;
}

const { log, training, layer } = benchProgress("channel-pruning");

/** The networks the bench prunes. */
export const BENCH_MODELS = ["vgg16", "resnet18", "mobilenet_v2"] as const;

/** The base description of a bench model at `width`. */
function baseArch(model: string, width: number): Record<string, unknown> {
  if (model === "vgg16")
    return {
      family: "vgg",
      depth: 16,
      bn: true,
      channels: vggWidths(16).map((c) => Math.max(1, Math.round(c * width))),
    };
  if (model === "resnet18") return { family: "resnet", depth: 18, width };
  // Explicit channels: the PruningNet space's base (MetaPruning's), whose residual rule pruning keeps.
  if (model === "mobilenet_v2")
    return (benchSpace(model, width) as PruningSpace).base as Record<string, unknown>;
  throw new Error(`bench channel-pruning: --models takes ${BENCH_MODELS.join(", ")}, got ${model}`);
}

export async function runChannelPruningBench(
  o: ChannelPruningBenchOptions,
): Promise<Record<string, unknown>> {
  if (o.threads) setNumThreads(o.threads);
  mkdirSync(o.out, { recursive: true });
  const results: Record<string, unknown> = { options: o };
  const save = () =>
    writeFileAtomic(join(o.out, "bench-channel-pruning.json"), `${JSON.stringify(results, null, 2)}\n`);
  const data = { source: o.data };
  const ort = runtimeByName("ort-node");
  const latency = (arch: Arch) =>
    timePlan(
      ort,
      planOf(arch),
      { c: arch.inChannels, h: arch.inputSize, w: arch.inputSize },
      { batch: o.latencyBatch, threads: 1, warmup: 10, repeats: o.latencyRepeats },
    );
  const counts = (arch: Arch) => {
    const c = countArch(arch);
    return { flops: c.flops, params: c.params };
  };
  const train = async (run: string, model: string, epochs: number, init?: string) => {
    const r = await runTraining({
      onProgress: training(relative(o.out, run)),
      model,
      ...(init ? { init } : {}),
      data,
      recipe: { epochs, logEvery: 200, checkpointEvery: 100000, ...(init ? { lr: o.fineTuneLr } : {}) },
      run: { out: run, resume: o.resume },
    });
    return r.test?.top1 ?? Number.NaN;
  };
  const evaluate = async (weights: string) => (await runEvaluation({ weights, data })).top1;
  /** A pruning's output directory, kept on --resume once it holds the weights. */
  const done = (dir: string) => o.resume && existsSync(join(dir, "model.safetensors"));

  const models: Record<string, unknown> = {};
  results.models = models;
  for (const name of o.models) {
    const dir = join(o.out, name);
    mkdirSync(dir, { recursive: true });
    const archFile = join(dir, "base.json");
    writeFileAtomic(archFile, `${JSON.stringify(baseArch(name, o.width), null, 2)}\n`);
    log(`${name}: base network, ${o.epochs} epochs`);
    const baseRun = join(dir, "base");
    const baseTop1 = await train(baseRun, archFile, o.epochs);
    const weights = join(baseRun, "model.safetensors");
    const arch = archOfRun(weights);
    const baseMs = await latency(arch);
    const entry: Record<string, unknown> = {
      base: { top1: baseTop1, ...counts(arch), latency_ms: baseMs },
    };
    const reductions: Record<string, unknown>[] = [];
    entry.speedups = reductions;
    models[name] = entry;
    const space = benchSpace(name, o.width);
    if (!space)
      entry.metapruning = `no ${name} pruning space (src/arch/spaces/pruning.ts), so no MetaPruning row`;
    save();
    const metaOptions = { ...o, data, resume: o.resume };
    let pruningNet: string | null = null;
    if (space) {
      log(`${name}: PruningNet, ${o.pruningNetEpochs} epochs`);
      pruningNet = await trainPruningNet(dir, space, metaOptions);
    }
    for (const speedup of o.speedups) {
      const tag = `${speedup}x`;
      const cp = join(dir, `channels-${tag}`);
      if (!done(cp)) {
        log(`${name} ${tag}: channel pruning`);
        await runChannelPruning({
          onLayer: layer(`${name} ${tag}`),
          weights,
          data,
          speedup,
          widths: o.widths,
          out: cp,
          images: o.images,
          points: o.points,
          lassoRows: 400,
          seed: 0,
        });
      }
      const best = join(cp, "best.json");
      const pruned = archOfRun(join(cp, "model.safetensors"));
      const l1 = join(dir, `l1-${tag}`);
      if (!done(l1)) runL1Pruning({ weights, like: best, out: l1 });
      const ms = await latency(pruned);
      const row: Record<string, unknown> = {
        speedup,
        ...counts(pruned),
        flops_ratio: countArch(arch).flops / countArch(pruned).flops,
        latency_ms: ms,
        latency_speedup: baseMs / ms,
        channels: (pruned as { channels?: unknown }).channels,
        layers: readFileSync(join(cp, "layers.jsonl"), "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l)),
      };
      reductions.push(row);
      row.channel_pruning = { before_fine_tuning: await evaluate(join(cp, "model.safetensors")) };
      row.l1 = { before_fine_tuning: await evaluate(join(l1, "model.safetensors")) };
      save();
      log(`${name} ${tag}: fine-tuning both, ${o.fineTuneEpochs} epochs at lr ${o.fineTuneLr}`);
      for (const [key, from] of [
        ["channel_pruning", cp],
        ["l1", l1],
      ] as const) {
        const top1 = await train(
          join(from, "fine-tuned"),
          best,
          o.fineTuneEpochs,
          join(from, "model.safetensors"),
        );
        (row[key] as Record<string, unknown>).after_fine_tuning = top1;
        save();
      }
      const scratchEpochs = o.epochs + o.fineTuneEpochs;
      log(`${name} ${tag}: the pruned architecture from scratch, ${scratchEpochs} epochs`);
      row.scratch = {
        epochs: scratchEpochs,
        top1: await train(join(dir, `scratch-${tag}`), best, scratchEpochs),
      };
      save();
      const uniform = uniformWidths(arch as PrunableArch, countArch(arch).flops / speedup, "speedups");
      const uniformFile = join(dir, `uniform-${tag}.json`);
      writeFileAtomic(uniformFile, `${JSON.stringify(uniform, null, 2)}\n`);
      log(`${name} ${tag}: the uniform-width net from scratch, ${scratchEpochs} epochs`);
      const uniformMs = await latency(uniform);
      row.uniform = {
        epochs: scratchEpochs,
        ...counts(uniform),
        latency_ms: uniformMs,
        latency_speedup: baseMs / uniformMs,
        channels: uniform.channels,
        top1: await train(join(dir, `uniform-${tag}`), uniformFile, scratchEpochs),
      };
      save();
      if (pruningNet) {
        log(`${name} ${tag}: MetaPruning's search (${o.population} x ${o.generations}), then from scratch`);
        const found = await searchedWidths(
          pruningNet,
          countArch(arch).flops / speedup,
          dir,
          tag,
          metaOptions,
        );
        const foundMs = await latency(found.arch);
        row.metapruning = {
          epochs: scratchEpochs,
          ...counts(found.arch),
          latency_ms: foundMs,
          latency_speedup: baseMs / foundMs,
          channels: (found.arch as { channels?: unknown }).channels,
          holdout_top1: found.holdoutTop1,
          top1: await train(join(dir, `metapruning-${tag}`), found.file, scratchEpochs),
        };
        save();
      }
    }
  }
  return results;
}
