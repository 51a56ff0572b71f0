// `lithe prune train`, `lithe prune search` and `lithe prune baseline`: MetaPruning (Liu et al., ICCV
// 2019) from the shell, with the one-shot flags `lithe supernet train` and `lithe search` share
// (src/cli/one-shot.ts); `lithe prune channels`: channel pruning (He et al., ICCV 2017). Flag parsing
// and output around src/prune, which does the work.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Command, Option } from "commander";
import { type ArchInput, inputOf } from "../arch/family.js";
import type { Arch } from "../arch/schema.js";
import { PRUNING_SPACES, type PruningSpace, prunedArch } from "../arch/spaces/pruning.js";
import { type PrunableArch, WIDTHS_RULES, type WidthsRule } from "../prune/channel-widths.js";
import { commaList, nonNegativeInt, positiveInt, positiveNumber, siCount } from "./args.js";
import { si } from "./format.js";
import { type MeasurementFlags, measurementOptions, measurementSettings } from "./latency.js";
import {
  type LimitFlags,
  limitOptions,
  limitsSlug,
  limitValues,
  type OneShotSearchFlags,
  type OneShotTrainFlags,
  oneShotSearchCommand,
  oneShotTrainCommand,
  searchFromFlags,
} from "./one-shot.js";
import { progressBar } from "./progress.js";
import { type DataFlags, dataOptions, dataValues } from "./train.js";

interface ChannelsFlags extends DataFlags {
  weights: string;
  model?: string;
  speedup?: number;
  flops?: number;
  stageRatios?: number[];
  widths: WidthsRule;
  out: string;
  images: number;
  points: number;
  lassoRows: number;
}

interface PruneSearchFlags extends OneShotSearchFlags {
  pruningNet: string;
  latencyModel?: string;
}

interface PruneTrainFlags extends OneShotTrainFlags {
  baseWidth?: number;
  hidden?: number;
}

/** Where a space and input come from: a PruningNet run, or --space and the input flags. */
interface SpaceFlags {
  pruningNet?: string;
  space?: string;
  input: number;
  inChannels: number;
  classes: number;
  stem: "standard" | "small";
}

interface LatencyModelFlags extends SpaceFlags, MeasurementFlags {
  quiet?: boolean;
  fit: number;
  check: number;
  seed: number;
  out?: string;
  json?: boolean;
}

interface BaselineFlags extends LimitFlags, SpaceFlags {
  out?: string;
  json?: boolean;
}

const spaceHelp = `pruning space: ${Object.keys(PRUNING_SPACES).join(", ")}, or a pruning space JSON file`;

/** A pruned network's stem and stage outputs (MobileNetV1: block outputs), e.g. "8 | 4 8 8 16". */
function outputWidths(arch: Arch): string {
  const { stem, stages, blocks } =
    (arch as { channels?: { stem?: number; stages?: number[]; blocks?: number[] } }).channels ?? {};
  return `${stem} | ${(stages ?? blocks ?? []).join(" ")}`;
}

function registerTrain(prune: Command): void {
  oneShotTrainCommand(
    prune
      .command("train")
      .description(
        "train a PruningNet (step 1 of MetaPruning): weight generators that make every conv's weights from the network encoding (each layer's widths), trained on a random encoding per step; holds out part of the training data for `lithe prune search`",
      )
      .option(
        "--base-width <x>",
        "narrow the space's unpruned network: every base width times x (e.g. 0.5 for 28-32 px data on a CPU)",
        positiveNumber,
      )
      .option(
        "--hidden <n>",
        "hidden width of the weight generators (default: the space's, 32 or 64)",
        positiveInt,
      ),
    {
      kind: "pruningnet",
      space: { default: "mobilenet_v2", help: spaceHelp },
      run: async (o, flags: PruneTrainFlags) =>
        (await import("../prune/metapruning.js")).runPruningNetTraining({
          ...o,
          ...(flags.baseWidth === undefined ? {} : { baseWidth: flags.baseWidth }),
          ...(flags.hidden === undefined ? {} : { hidden: flags.hidden }),
        }),
    },
  );
}

function registerSearch(prune: Command): void {
  oneShotSearchCommand(
    prune
      .command("search")
      .description(
        "evolutionary search for per-layer widths on a trained PruningNet under hard limits (step 2 of MetaPruning), each candidate scored with its generated weights after BN recalibration; rerun with other limits without retraining",
      ),
    {
      net: { flag: "pruning-net", help: "a `lithe prune train` run directory" },
      predictor: {
        flag: "latency-model",
        help: "latency model of the PruningNet's space and input (`lithe prune latency-model`)",
        latencyHelp: "latency limit as the --latency-model predicts it, e.g. 0.6ms",
        runtimeHelp: "with --latency: the runtime the model must have been measured on",
      },
    },
  ).action(async (o: PruneSearchFlags) => {
    const { runPruneSearch } = await import("../prune/metapruning.js");
    const { space, input } = await runSpace(o.pruningNet);
    await searchFromFlags(o, o.pruningNet, o.latencyModel, runPruneSearch, () => ({
      header: "widths: stem | outputs",
      cell: (c) => outputWidths(prunedArch(space, c.genotype, input)),
    }));
  });
}

/** The space and input of a `lithe prune train` run, from its run.json. */
async function runSpace(dir: string): Promise<{ space: PruningSpace; input: ArchInput }> {
  const { readPruningNetRun } = await import("../prune/metapruning.js");
  const { arch } = readPruningNetRun(dir);
  return { space: arch.space, input: inputOf(arch) };
}

/** The space and input: from a PruningNet run, or from --space and the input flags (then --out is needed). */
async function spaceOfFlags(
  o: SpaceFlags & { out?: string },
  command: string,
): Promise<{ space: PruningSpace; input: ArchInput }> {
  if (o.pruningNet) return runSpace(o.pruningNet);
  if (!o.space) throw new Error(`lithe prune ${command} needs --pruning-net <dir> or --space <spec>`);
  if (!o.out) throw new Error(`lithe prune ${command} needs --out <file> with --space`);
  const { resolvePruningSpace } = await import("../arch/resolve.js");
  return {
    space: resolvePruningSpace(o.space),
    input: { inputSize: o.input, inChannels: o.inChannels, classes: o.classes, stem: o.stem },
  };
}

/** --pruning-net, or --space with the input flags: where a command's space and input come from. */
function spaceOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--pruning-net <dir>", "take the space and input from a `lithe prune train` run").conflicts([
        "space",
        "input",
        "inChannels",
        "classes",
        "stem",
      ]),
    )
    .option("--space <spec>", `${spaceHelp} (without --pruning-net)`)
    .option("--input <n>", "input size in pixels", positiveInt, 224)
    .option("--in-channels <c>", "input channels", positiveInt, 3)
    .option("--classes <k>", "number of classes", positiveInt, 1000)
    .addOption(
      new Option("--stem <kind>", "stem: standard (ImageNet) or small (images up to 64 px)")
        .choices(["standard", "small"])
        .default("standard"),
    );
}

/** Creates `out`'s directory and runs `write(out)` (an atomic writer); the error names the flag and file. */
function writeOut(out: string, write: (path: string) => void): void {
  try {
    mkdirSync(dirname(out), { recursive: true });
    write(out);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new Error(`--out ${out}: cannot write (${e.code ?? e.message})`);
  }
}

function registerLatencyModel(prune: Command): void {
  measurementOptions(
    spaceOptions(
      prune
        .command("latency-model")
        .description(
          "measure pruned networks of a space end to end on a runtime and fit a latency model (non-negative linear in per-layer work), for `lithe prune search --latency`; reports its accuracy on other networks",
        ),
    ),
    { warmup: 5, repeats: 20 },
  )
    .option(
      "--fit <n>",
      "networks measured to fit the model (the smallest, the largest, random)",
      positiveInt,
      40,
    )
    .option("--check <n>", "other random networks measured to check its predictions", positiveInt, 20)
    .option("--seed <n>", "seed of the random networks", nonNegativeInt, 0)
    .option(
      "--out <file>",
      "where the model goes (default <pruning-net>/latency-<runtime>[-int8].json; required with --space)",
    )
    .option("--json", "print the accuracy as one JSON object")
    .option("--quiet", "no progress bar or progress lines")
    .action(async (o: LatencyModelFlags) => {
      const { space, input } = await spaceOfFlags(o, "latency-model");
      const { runtimeByName } = await import("../latency/runtimes/index.js");
      const { buildLatencyModel } = await import("../prune/latency-model.js");
      const { saveLatencyModel } = await import("../prune/latency-model-file.js");
      const runtime = runtimeByName(o.runtime);
      const why = await runtime.unavailable();
      if (why) throw new Error(`runtime ${o.runtime} is not available: ${why}`);
      const out = o.out ?? join(o.pruningNet as string, `latency-${o.runtime}${o.int8 ? "-int8" : ""}.json`);
      const bar = progressBar("latency", { json: o.json, quiet: o.quiet, unit: "network" });
      const model = await buildLatencyModel(space, input, runtime, {
        ...measurementSettings(o),
        fit: o.fit,
        check: o.check,
        seed: o.seed,
        onProgress: (done, total, what) => bar.update(done, total, { timing: what }),
      });
      bar.stop();
      writeOut(out, (path) => saveLatencyModel(path, model));
      const { fit, check } = model.accuracy;
      if (o.json) {
        console.log(JSON.stringify({ out, coefficients: model.coefficients, fit, check }));
        return;
      }
      const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
      const line = (name: string, a: typeof fit) =>
        `${name} (${a.architectures} nets): ${pct(a.within10)} within +-10%, mean absolute error ${pct(a.mape)}, worst ${pct(a.worst)}`;
      console.log(
        `${out}: ${model.features.length} features on ${model.runtime} ${model.runtimeVersion} (batch ${o.batch}, ${o.threads} thread(s))`,
      );
      console.log(line("fitted on", fit));
      console.log(line("checked on", check));
    });
}

function registerBaseline(prune: Command): void {
  limitOptions(
    spaceOptions(
      prune
        .command("baseline")
        .description(
          "the uniform-width network (every searchable layer at one width scale, the widest that fits) at a FLOPs/params budget, to compare a searched network with",
        ),
    ),
  )
    .option(
      "--out <file>",
      "where the description goes (default <pruning-net>/baseline-<limits>.json; required with --space)",
    )
    .option("--json", "print one JSON object instead of text")
    .action(async (o: BaselineFlags) => {
      if (o.flops === undefined && o.params === undefined)
        throw new Error("lithe prune baseline needs a limit: --flops and/or --params");
      const { space, input } = await spaceOfFlags(o, "baseline");
      const { uniformBaseline } = await import("../prune/baseline.js");
      const b = uniformBaseline(space, input, limitValues(o));
      // Without --pruning-net, spaceOfFlags has insisted on --out.
      const out = o.out ?? join(o.pruningNet as string, `baseline-${limitsSlug(o)}.json`);
      const { writeFileAtomic } = await import("../util/files.js");
      writeOut(out, (path) => writeFileAtomic(path, `${JSON.stringify(b.arch, null, 2)}\n`));
      if (o.json) console.log(JSON.stringify({ out, scale: b.scale, flops: b.flops, params: b.params }));
      else
        console.log(
          `${out}: uniform scale ${b.scale.toFixed(4)} of ${space.name}, FLOPs ${si(b.flops)}, params ${si(b.params)}`,
        );
    });
}

/**
 * A channel-pruned net's widths: VGG's per conv; ResNet's inner widths and how many inputs each conv1
 * reads; MobileNetV2's expansion widths.
 */
function prunedWidths(arch: PrunableArch): string {
  if (Array.isArray(arch.channels)) return arch.channels.join(" ");
  if (arch.family === "mobilenet_v2") return `hidden ${arch.channels?.hidden.join(" ")}`;
  const c = arch.channels as { mid: number[]; inputs?: (number[] | null)[] } | undefined;
  const reads = c?.inputs?.map((l) => (l ? String(l.length) : "all")).join(" ");
  return `inner ${c?.mid.join(" ")}${reads ? `, conv1 reads ${reads}` : ""}`;
}

function registerChannels(prune: Command): void {
  dataOptions(
    prune
      .command("channels")
      .description(
        "channel pruning (He, Zhang, Sun, ICCV 2017) of a trained VGG, ResNet-18/34 or MobileNetV2: per conv in order, LASSO selects its input channels on sampled feature-map points, least squares reconstructs its weights towards the original network's outputs. In a residual block (Sec. 3.3) conv1 samples the block input's channels (the shortcut keeps them all) and conv2 is reconstructed towards Y1 - Y1' + Y2 (the original block output minus the pruned shortcut's); in a MobileNetV2 inverted residual the hidden channels are selected at the projection conv's input and dropped from the depthwise and expansion convs too; the residual stream is not pruned. Widths (--widths): one keep ratio per stage, min(1, k * p_s), with k the largest meeting the target and p the --stage-ratios profile (uniform when absent), or the paper's rule automated (single-layer analysis, sensitive and first layers kept wider; the official hand-set table is not built in). Writes <out>/best.json and <out>/model.safetensors (fine-tune with `lithe train --init <out>/model.safetensors --model <out>/best.json`). Official sampling is 5,000 images x 10 points and a LASSO on 400 of them; the defaults are scaled down to 500 images for 28-32 px data (a 2x2 map has only 4 points per image)",
      )
      .requiredOption("--weights <file>", "trained weights, e.g. runs/<run>/model.safetensors")
      .option("--model <spec>", "architecture (default: read from the run directory of --weights)")
      .addOption(new Option("--speedup <x>", "FLOPs ratio original / pruned, above 1").argParser(Number))
      .addOption(
        new Option("--flops <n>", "FLOPs of the pruned network, e.g. 50M")
          .argParser(siCount)
          .conflicts("speedup"),
      )
      .option(
        "--stage-ratios <list>",
        "relative keep ratios per stage, e.g. 1,0.75,0.5,0.5 (VGG: 5 stages conv1_x..conv5_x; ResNet: layer1..layer4; MobileNetV2: the 6 expanding stages), scaled together to meet the target",
        commaList(positiveNumber),
      )
      .addOption(
        new Option(
          "--widths <rule>",
          "per-layer widths: stages (one keep ratio per stage, --stage-ratios) or paper (Sec. 4.1: each layer pruned alone to 1/4, 1/2, 3/4 of its channels, then one single-layer error level for all layers meeting the target, the first stage at least at the uniform ratio; writes <out>/sensitivity.json)",
        )
          .choices(WIDTHS_RULES)
          .default("stages"),
      )
      .requiredOption("--out <dir>", "where best.json, model.safetensors and layers.jsonl go")
      .option("--images <n>", "training images sampled (official 5000)", positiveInt, 500)
      .option("--points <n>", "feature-map points per image and layer (official 10)", positiveInt, 10)
      .option("--lasso-rows <n>", "sampled points the LASSO is fitted on (official 400)", positiveInt, 400),
  ).action(async (o: ChannelsFlags) => {
    const { runChannelPruning } = await import("../prune/channel-run.js");
    const r = await runChannelPruning({
      weights: o.weights,
      ...(o.model === undefined ? {} : { model: o.model }),
      data: dataValues(o),
      ...(o.speedup === undefined ? {} : { speedup: o.speedup }),
      ...(o.flops === undefined ? {} : { flops: o.flops }),
      ...(o.stageRatios === undefined ? {} : { stageRatios: o.stageRatios }),
      widths: o.widths,
      out: o.out,
      images: o.images,
      points: o.points,
      lassoRows: o.lassoRows,
      seed: o.seed,
      ...(o.threads === undefined ? {} : { threads: o.threads }),
      onLayer: (l) => {
        if (!o.json)
          console.log(
            `${l.layer}: ${l.kept}/${l.channels} input channels, relative error ${l.removedError.toFixed(4)} removed -> ${l.reconstructedError.toFixed(4)} reconstructed`,
          );
      },
    });
    const summary = {
      out: o.out,
      flops: r.flops,
      originalFlops: r.originalFlops,
      params: r.params,
      originalParams: r.originalParams,
      channels: r.arch.channels,
    };
    if (o.json) console.log(JSON.stringify({ ...summary, layers: r.reports }));
    else
      console.log(
        `${o.out}: FLOPs ${si(r.originalFlops)} -> ${si(r.flops)} (${(r.originalFlops / r.flops).toFixed(2)}x), params ${si(r.originalParams)} -> ${si(r.params)}, widths ${prunedWidths(r.arch)}`,
      );
  });
}

function registerL1(prune: Command): void {
  prune
    .command("l1")
    .description(
      "the L1-norm filter pruning baseline (Li et al., ICLR 2017) of a trained VGG, ResNet-18/34 or MobileNetV2 at the per-layer widths of a pruned description: each conv keeps its filters of largest sum |w| (in a ResNet block conv1's filters, and where the description samples the block input, the input channels of largest sum |w| in conv1; in a MobileNetV2 block the expansion conv's filters), no reconstruction (fine-tune with `lithe train --init`)",
    )
    .requiredOption("--weights <file>", "trained weights, e.g. runs/<run>/model.safetensors")
    .requiredOption(
      "--like <file>",
      "a pruned description to match, e.g. the best.json of `lithe prune channels`",
    )
    .requiredOption("--out <dir>", "where best.json and model.safetensors go")
    .action(async (o: { weights: string; like: string; out: string }) => {
      const { runL1Pruning } = await import("../prune/l1-filters.js");
      const { arch } = runL1Pruning(o);
      console.log(`${o.out}: L1-norm filter pruning to widths ${prunedWidths(arch)}`);
    });
}

export function registerPrune(program: Command): void {
  const prune = program
    .command("prune")
    .description(
      "MetaPruning: channel pruning by a PruningNet and evolutionary search; He et al.'s channel pruning (LASSO + least squares) and the L1-norm filter baseline",
    );
  registerTrain(prune);
  registerSearch(prune);
  registerBaseline(prune);
  registerLatencyModel(prune);
  registerChannels(prune);
  registerL1(prune);
}
