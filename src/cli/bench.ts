// `lithe bench`: the command group of the benchmarks. Their subcommands are declared in bench/, beside
// each benchmark (the source checkout only), and bin/lithe.js passes them in when they are there.
import type { Command } from "commander";

/** Adds the benchmarks' subcommands to the `lithe bench` group. */
export type AddBenches = (bench: Command) => void;

/** `lithe bench`, with `addBenches`' subcommands, or (absent) a one-line error for any of them. */
export function registerBench(program: Command, addBenches: AddBenches | undefined): void {
  const bench = program
    .command("bench")
    .description("benchmarks that print ratios against a peer measured in the same run");
  if (addBenches) addBenches(bench);
  else
    bench
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        throw new Error(
          "benchmarks ship with the source checkout, not the installed package: run `npx lithe bench` in a clone of lithe",
        );
      });
}
