// How a benchmark declares its `lithe bench <name>` subcommand (name, description, flags with their
// parsers and defaults, what it runs and prints), turned into a commander command with --quiet; and
// what the declarations share.
import { type Command, Option } from "commander";

/** One flag, in commander's syntax: "--steps <n>", "--no-peer", "--json". */
export interface BenchFlag {
  flags: string;
  help: string;
  /** Reads the value given on the command line; a bad one fails with one line naming the flag. */
  parse?: (value: string) => unknown;
  /** The value when the flag is not given; with `parse`, a string is read as if typed (and shown as typed). */
  default?: unknown;
}

export interface BenchCommand<F extends object = object> {
  name: string;
  description: string;
  flags: readonly BenchFlag[];
  /** Runs the benchmark on the parsed flags (camelCase, as commander names them); resolves to what is printed. */
  run(flags: F): Promise<string>;
}

/** Adds `bench` as a subcommand of `group` (`lithe bench`), printing what its run resolves to. */
export function addBench(group: Command, bench: BenchCommand): void {
  const command = group.command(bench.name).description(bench.description);
  for (const flag of bench.flags) {
    const option = new Option(flag.flags, flag.help);
    if (flag.parse) option.argParser(flag.parse);
    if (flag.parse && typeof flag.default === "string")
      option.default(flag.parse(flag.default), JSON.stringify(flag.default));
    else if (flag.default !== undefined) option.default(flag.default);
    command.addOption(option);
  }
  command.addOption(new Option("--quiet", "no progress lines"));
  command.action(async (flags: { quiet?: boolean }) => {
    quiet = flags.quiet === true;
    console.log(await bench.run(flags));
  });
}

/** --quiet of the bench that runs (one per process). */
let quiet = false;

/** Whether the running bench was given --quiet. */
export const isQuiet = (): boolean => quiet;

/** A line of progress on stderr (stdout holds the result); nothing with --quiet. */
export const progress = (line: string): void => {
  if (!quiet) process.stderr.write(`${line}\n`);
};

/** A flat result as "key  value" lines (objects in it as JSON). */
export const keyValueLines = (result: object): string =>
  Object.entries(result)
    .map(([k, v]) => `${k.padEnd(24)} ${typeof v === "object" && v !== null ? JSON.stringify(v) : v}`)
    .join("\n");
