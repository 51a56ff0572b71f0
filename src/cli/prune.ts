// `lithe prune train`, `lithe prune search` and `lithe prune baseline`: MetaPruning (Liu et al., ICCV
// 2019) from the shell; flag parsing and output around src/prune (which does the work), with the
// one-shot flags `lithe supernet train` and `lithe search` share (src/cli/one-shot.ts).
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Command, Option } from "commander";
import type { ArchInput } from "../arch/family.js";
import type { Arch } from "../arch/schema.js";
import { PRUNING_SPACES, type PruningSpace, prunedArch } from "../arch/spaces/pruning.js";
import { positiveInt } from "./args.js";
import { si } from "./format.js";
import {
  type LimitFlags,
  limitOptions,
  limitsSlug,
  limitValues,
  type OneShotSearchFlags,
  oneShotTrainCommand,
  searchFromFlags,
  searchOptions,
} from "./one-shot.js";

interface BaselineFlags extends LimitFlags {
  pruningNet?: string;
  space?: string;
  input: number;
  inChannels: number;
  classes: number;
  stem: "standard" | "small";
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
      ),
    {
      kind: "pruningnet",
      space: { default: "mobilenet_v2", help: spaceHelp },
      run: async (o) => (await import("../prune/train-run.js")).runPruningNetTraining(o),
    },
  );
}

function registerSearch(prune: Command): void {
  searchOptions(
    limitOptions(
      prune
        .command("search")
        .description(
          "evolutionary search for per-layer widths on a trained PruningNet under hard limits (step 2 of MetaPruning), each candidate scored with its generated weights after BN recalibration; rerun with other limits without retraining",
        )
        .requiredOption("--pruning-net <dir>", "a `lithe prune train` run directory"),
    ),
    "pruning-net",
  ).action(async (o: OneShotSearchFlags & { pruningNet: string }) => {
    const { runPruneSearch } = await import("../prune/search-run.js");
    const { space, input } = await runSpace(o.pruningNet);
    await searchFromFlags(
      o,
      o.pruningNet,
      (s) => runPruneSearch({ ...s, pruningNet: o.pruningNet, ...limitValues(o) }),
      () => ({
        header: "widths: stem | outputs",
        cell: (c) => outputWidths(prunedArch(space, c.genotype, input)),
      }),
    );
  });
}

/** The space and input of a `lithe prune train` run, from its run.json. */
async function runSpace(dir: string): Promise<{ space: PruningSpace; input: ArchInput }> {
  const { readPruningNetRun } = await import("../prune/search-run.js");
  const { inputOf } = await import("../prune/pruning-net.js");
  const { arch } = readPruningNetRun(dir);
  return { space: arch.space, input: inputOf(arch) };
}

/** The space and input of a baseline: from a PruningNet run, or from --space and the input flags. */
async function baselineSpace(o: BaselineFlags): Promise<{ space: PruningSpace; input: ArchInput }> {
  if (o.pruningNet) return runSpace(o.pruningNet);
  if (!o.space) throw new Error("lithe prune baseline needs --pruning-net <dir> or --space <spec>");
  if (!o.out) throw new Error("lithe prune baseline needs --out <file> with --space");
  const { resolvePruningSpace } = await import("../arch/resolve.js");
  return {
    space: resolvePruningSpace(o.space),
    input: { inputSize: o.input, inChannels: o.inChannels, classes: o.classes, stem: o.stem },
  };
}

function registerBaseline(prune: Command): void {
  limitOptions(
    prune
      .command("baseline")
      .description(
        "the uniform-width network (every searchable layer at one width scale, the widest that fits) at a FLOPs/params budget, to compare a searched network with",
      )
      .addOption(
        new Option(
          "--pruning-net <dir>",
          "take the space and input from a `lithe prune train` run",
        ).conflicts(["space", "input", "inChannels", "classes", "stem"]),
      )
      .option("--space <spec>", `${spaceHelp} (without --pruning-net)`)
      .option("--input <n>", "input size in pixels", positiveInt, 224)
      .option("--in-channels <c>", "input channels", positiveInt, 3)
      .option("--classes <k>", "number of classes", positiveInt, 1000)
      .addOption(
        new Option("--stem <kind>", "stem: standard (ImageNet) or small (images up to 64 px)")
          .choices(["standard", "small"])
          .default("standard"),
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
      const { space, input } = await baselineSpace(o);
      const { uniformBaseline } = await import("../prune/baseline.js");
      const { writeFileAtomic } = await import("../util/files.js");
      const b = uniformBaseline(space, input, limitValues(o));
      // Without --pruning-net, baselineSpace has insisted on --out.
      const out = o.out ?? join(o.pruningNet as string, `baseline-${limitsSlug(o)}.json`);
      try {
        mkdirSync(dirname(out), { recursive: true });
        writeFileAtomic(out, `${JSON.stringify(b.arch, null, 2)}\n`);
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        throw new Error(`--out ${out}: cannot write (${e.code ?? e.message})`);
      }
      if (o.json) console.log(JSON.stringify({ out, scale: b.scale, flops: b.flops, params: b.params }));
      else
        console.log(
          `${out}: uniform scale ${b.scale.toFixed(4)} of ${space.name}, FLOPs ${si(b.flops)}, params ${si(b.params)}`,
        );
    });
}

export function registerPrune(program: Command): void {
  const prune = program
    .command("prune")
    .description("MetaPruning: channel pruning by a PruningNet and evolutionary search");
  registerTrain(prune);
  registerSearch(prune);
  registerBaseline(prune);
}
