// `lithe models` and `lithe count`: the registry with FLOPs/params, and counting any description.
import type { Command } from "commander";
import { archOf, type CommonArch, countArch, listModels, printArch, resolveArch } from "../arch/index.js";
import { positiveInt } from "./args.js";
import { layerTable, si, table } from "./format.js";

interface CountFlags {
  input?: number;
  classes?: number;
  inChannels?: number;
  perLayer?: boolean;
  traced?: boolean;
  json?: boolean;
}

export function registerModels(program: Command): void {
  program
    .command("models")
    .description(
      "list every registered model with FLOPs (multiply-adds, papers' convention) and params at 224 px, 1000 classes",
    )
    .option("--json", "print a JSON array of {name, family, arch, flops, params, ops, mac}")
    .action((o: { json?: boolean }) => {
      const rows = listModels().map((name) => {
        const arch = archOf(name);
        const c = countArch(arch);
        return {
          name,
          family: arch.family,
          arch: printArch(arch),
          flops: c.flops,
          params: c.params,
          ops: c.ops,
          mac: c.mac,
        };
      });
      if (o.json) console.log(JSON.stringify(rows));
      else
        console.log(
          table(
            ["model", "FLOPs", "params", "full ops", "MAC"],
            rows.map((r) => [r.name, si(r.flops), si(r.params), si(r.ops), si(r.mac)]),
          ),
        );
    });

  program
    .command("count")
    .description(
      "count FLOPs, params, full ops, MAC and activations of a model name, an arch.json file or an architecture string",
    )
    .argument(
      "<model>",
      'registered name (see `lithe models`), path to an architecture JSON file, or a string like "shufflenet_v2(width=1)"',
    )
    .option("--input <n>", "input size in pixels", positiveInt)
    .option("--classes <k>", "number of classes", positiveInt)
    .option("--in-channels <c>", "input channels", positiveInt)
    .option("--per-layer", "also list every executed op")
    .option("--traced", "build the model and count what a forward pass actually executes (loads libtorch)")
    .option("--json", "print one JSON object (numbers, not strings)")
    .action(async (spec: string, o: CountFlags) => {
      const overrides: Partial<CommonArch> = {};
      if (o.input !== undefined) overrides.inputSize = o.input;
      if (o.classes !== undefined) overrides.classes = o.classes;
      if (o.inChannels !== undefined) overrides.inChannels = o.inChannels;
      const arch = resolveArch(spec, overrides);
      let counted = countArch(arch);
      if (o.traced) {
        const { buildModel, tracedCount } = await import("../models/index.js");
        counted = tracedCount(buildModel(arch), arch.inChannels, arch.inputSize);
      }
      const { layers, ...totals } = counted;
      if (o.json) {
        console.log(JSON.stringify({ arch: printArch(arch), ...totals, ...(o.perLayer ? { layers } : {}) }));
        return;
      }
      if (o.perLayer) {
        console.log(layerTable(layers));
        console.log();
      }
      console.log(printArch(arch));
      console.log(
        `FLOPs ${si(totals.flops)} (multiply-adds of conv and FC), params ${si(totals.params)}, full ops ${si(totals.ops)}, MAC ${si(totals.mac)}, activations ${si(totals.activations)}`,
      );
    });
}
