// The `lithe` command line: wires commands to the library (loaded lazily, so --help does not load
// libtorch); errors become one line and exit code 1. bin/lithe.js runs it with the benchmarks'
// subcommands when bench/ is there (a source checkout).
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { OptionError } from "../util/option-error.js";
import { type AddBenches, registerBench } from "./bench.js";
import { registerDoctor } from "./doctor.js";
import { registerExport } from "./export.js";
import { registerLatency } from "./latency.js";
import { registerModels } from "./models.js";
import { registerNas } from "./nas.js";
import { renderForCommand } from "./option-flags.js";
import { registerPrune } from "./prune.js";
import { registerQuantize } from "./quantize.js";
import { registerReport } from "./report.js";
import { registerTrain } from "./train.js";

const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

/** Runs `lithe` on `argv` (process.argv's form) and sets process.exitCode; `addBenches`: see bench.ts. */
export async function runCli(argv: readonly string[], addBenches?: AddBenches): Promise<void> {
  /** The command whose action is running, so that an OptionError can be worded with its flags. */
  let running: Command | undefined;
  const program = new Command()
    .name("lithe")
    .description(
      "Design, search, prune, train and deploy efficient convolutional networks (ShuffleNet, SPOS, MetaPruning) on libtorch.",
    )
    .version(pkg.version)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .hook("preAction", (_program, command) => {
      running = command;
    });

  registerDoctor(program);
  registerModels(program);
  registerTrain(program);
  registerNas(program);
  registerPrune(program);
  registerLatency(program);
  registerBench(program, addBenches);
  registerExport(program);
  registerQuantize(program);
  registerReport(program);

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
    } else if (error instanceof OptionError && running) {
      console.error(`lithe: ${renderForCommand(error, running)}`);
      process.exitCode = 1;
    } else {
      console.error(`lithe: ${(error as Error).message}`);
      process.exitCode = 1;
    }
  }
}
