// `lithe latency-table`: time every block of a search space on a runtime, save the lookup table, and
// report how well it predicts whole networks (flag parsing and output around src/nas/latency-table.ts).
import { join } from "node:path";
import { type Command, Option } from "commander";
import { inputOf } from "../arch/family.js";
import type { MeasureSettings } from "../latency/measure.js";
import { RUNTIME_NAMES, type RuntimeName } from "../latency/types.js";
import { nonNegativeInt, positiveInt } from "./args.js";
import { progressBar } from "./progress.js";

/** The flags measurementOptions declares. */
export interface MeasurementFlags {
  runtime: RuntimeName;
  batch: number;
  threads: number;
  warmup: number;
  repeats: number;
  int8?: boolean;
}

/** The measurement settings the flags of measurementOptions give. */
export const measurementSettings = (o: MeasurementFlags): MeasureSettings => ({
  batch: o.batch,
  threads: o.threads,
  warmup: o.warmup,
  repeats: o.repeats,
  precision: o.int8 ? "int8" : "fp32",
});

interface TableFlags extends MeasurementFlags {
  quiet?: boolean;
  supernet?: string;
  space: string;
  input: number;
  inChannels: number;
  classes: number;
  stem: "standard" | "small";
  calibrate: number;
  check: number;
  seed: number;
  out: string;
  json?: boolean;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Where and how latency is measured: --runtime, --batch, --threads, --warmup, --repeats, --int8. */
export function measurementOptions(cmd: Command, defaults: { warmup: number; repeats: number }): Command {
  return cmd
    .addOption(
      new Option("--runtime <name>", "where latency is measured").choices(RUNTIME_NAMES).default("ort-node"),
    )
    .option("--batch <n>", "images per inference", positiveInt, 1)
    .option("--threads <n>", "runtime threads", positiveInt, 1)
    .option("--warmup <n>", "untimed runs before each measurement", nonNegativeInt, defaults.warmup)
    .option("--repeats <n>", "timed runs per measurement (the median is kept)", positiveInt, defaults.repeats)
    .option("--int8", "time the int8 QDQ form (ONNX Runtime runtimes: their integer kernels)");
}

export function registerLatency(program: Command): void {
  measurementOptions(
    program
      .command("latency-table")
      .description(
        "time every block of a search space on a runtime into a lookup table (for `lithe search --latency`), and check its predictions on whole networks",
      )
      .option("--supernet <dir>", "take the space and input from a `lithe supernet train` run")
      .option("--space <spec>", "search space: a registered name or a space JSON file", "spos_small")
      .option("--input <n>", "input size in pixels", positiveInt, 28)
      .option("--in-channels <c>", "input channels", positiveInt, 1)
      .option("--classes <k>", "number of classes", positiveInt, 10)
      .addOption(new Option("--stem <kind>", "stem").choices(["standard", "small"]).default("small")),
    { warmup: 10, repeats: 30 },
  )
    .option("--calibrate <n>", "random architectures measured whole to fit the constant", positiveInt, 10)
    .option(
      "--check <n>",
      "other random architectures measured whole to check the predictions",
      positiveInt,
      50,
    )
    .option("--seed <n>", "seed of the random architectures", nonNegativeInt, 0)
    .option("--out <file>", "where the table goes", "lut.json")
    .option("--json", "print the accuracy as one JSON object")
    .option("--quiet", "no progress bar or progress lines")
    .action(async (o: TableFlags) => {
      const { resolveSpace } = await import("../arch/resolve.js");
      const { buildLatencyTable } = await import("../nas/latency-table.js");
      const { saveLatencyTable } = await import("../nas/latency-table-file.js");
      const { runtimeByName } = await import("../latency/runtimes/index.js");
      const runtime = runtimeByName(o.runtime);
      const why = await runtime.unavailable();
      if (why) throw new Error(`runtime ${o.runtime} is not available: ${why}`);
      let space = resolveSpace(o.space);
      let input = { inputSize: o.input, inChannels: o.inChannels, classes: o.classes, stem: o.stem };
      if (o.supernet) {
        const { readSupernetRun } = await import("../nas/spos.js");
        const { arch } = readSupernetRun(o.supernet);
        space = arch.space;
        input = inputOf(arch);
      }
      const bar = progressBar("latency", { json: o.json, quiet: o.quiet, unit: "entry" });
      const table = await buildLatencyTable(space, input, runtime, {
        ...measurementSettings(o),
        calibrate: o.calibrate,
        check: o.check,
        seed: o.seed,
        onProgress: (done, total, what) => bar.update(done, total, { timing: what }),
      });
      bar.stop();
      saveLatencyTable(o.out, table);
      const a = table.accuracy;
      if (o.json) {
        console.log(
          JSON.stringify({
            out: o.out,
            entries: Object.keys(table.entries).length,
            constantMs: table.constantMs,
            ...a,
          }),
        );
        return;
      }
      console.log(
        `${join(o.out)}: ${Object.keys(table.entries).length} entries on ${table.runtime} ${table.runtimeVersion} (batch ${o.batch}, ${o.threads} thread(s), ${table.settings.precision}), constant ${table.constantMs.toFixed(3)} ms`,
      );
      console.log(
        `prediction vs end to end on ${a.architectures} random architectures: ${pct(a.within10)} within +-10%, mean absolute error ${pct(a.mape)}, worst ${pct(a.worst)}`,
      );
    });
}
