// `lithe supernet train` and `lithe search` (SPOS): flag parsing and output around src/nas (which does
// the work), on the one-shot flags shared with `lithe prune` (src/cli/one-shot.ts).
import type { Command } from "commander";
import type { OneshotArch } from "../arch/families/oneshot.js";
import type { Genotype } from "../arch/genotype.js";
import { spaceOf, toOfficial } from "../arch/spaces/spos.js";
import type { SearchRunResult } from "../search/search-run.js";
import { siCount } from "./args.js";
import {
  type CandidateColumn,
  type OneShotSearchFlags,
  oneShotSearchCommand,
  oneShotTrainCommand,
  searchFromFlags,
} from "./one-shot.js";

interface SearchFlags extends OneShotSearchFlags {
  supernet: string;
  lut?: string;
}

function registerSupernet(program: Command): void {
  const supernet = program.command("supernet").description("Single Path One-Shot supernets (step 1 of SPOS)");
  oneShotTrainCommand(
    supernet
      .command("train")
      .description(
        "train a weight-sharing supernet, one uniformly sampled path per step; holds out part of the training data for `lithe search`",
      ),
    {
      kind: "supernet",
      space: {
        default: "spos_small",
        help: "search space: spos_small, spos_imagenet, quant_resnet18, quant_resnet18_x0_25 (bit widths per block), or a space JSON file",
      },
      run: async (o) => (await import("../nas/spos.js")).runSupernetTraining(o),
    },
  );
}

/** A SPOS candidate as the official code's block ids and channel-scale ids; a quantization candidate's widths per block. */
function officialColumn(r: SearchRunResult): CandidateColumn {
  if (r.arch.family !== "oneshot")
    return {
      header: "weight/input bits per block",
      cell: (c) =>
        Object.keys(c.genotype)
          .filter((k) => k.endsWith(".w"))
          .map((k) => `${c.genotype[k]}/${c.genotype[`${k.slice(0, -2)}.a`]}`)
          .join(" "),
    };
  const space = spaceOf((r.arch as OneshotArch).space);
  const officialIds = (g: Genotype) => {
    const { blockIds, scaleIds } = toOfficial(space, g);
    return `${blockIds.join("")} / ${scaleIds.join("")}`;
  };
  return { header: "block ids / scale ids", cell: (c) => officialIds(c.genotype) };
}

function registerSearch(program: Command): void {
  oneShotSearchCommand(
    program
      .command("search")
      .description(
        "evolutionary architecture search on a trained supernet under hard limits (step 2 of SPOS); rerun with other limits without retraining",
      ),
    {
      net: { flag: "supernet", help: "a `lithe supernet train` run directory" },
      predictor: {
        flag: "lut",
        help: "latency table of the supernet's space and input (`lithe latency-table`)",
        latencyHelp: "latency limit as the --lut table predicts it, e.g. 2.5ms",
        runtimeHelp: "with --latency: the runtime the table must have been measured on",
      },
    },
  )
    .option(
      "--bitops <x>",
      "BitOps limit (FLOPs x weight bits x input bits) for a quantization supernet, e.g. 1.2G",
      siCount,
    )
    .option("--min-bitops <x>", "with --bitops: a floor, so the search spends its budget", siCount)
    .action(async (o: SearchFlags) => {
      const { runSearch } = await import("../nas/spos.js");
      await searchFromFlags(o, o.supernet, o.lut, runSearch, officialColumn);
    });
}

export function registerNas(program: Command): void {
  registerSupernet(program);
  registerSearch(program);
}
