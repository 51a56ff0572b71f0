// How the CLI words a library's OptionError: every option field as the flag that sets it, so
// `runs/x already holds a run; pass option run.resume ...` reaches the shell as `... pass --resume ...`.
import type { Command } from "commander";
import type { OptionError } from "../util/option-error.js";

/** Fields whose flag is the same in every command. */
const COMMON: Readonly<Record<string, string>> = {
  "run.out": "--out",
  "run.resume": "--resume",
  "data.source": "--data",
  "recipe.steps": "--steps",
  "limits.flops": "--flops",
  "limits.params": "--params",
  "limits.latency": "--latency",
  "limits.bitops": "--bitops",
  "limits.min.flops": "--min-flops",
  "limits.min.params": "--min-params",
  "limits.min.bitops": "--min-bitops",
  "distill.temperature": "--kd-temperature",
  "distill.weight": "--kd-weight",
};

const overrides = new WeakMap<Command, Readonly<Record<string, string>>>();

/** Declares the flags of `cmd` that set fields named differently elsewhere (e.g. net: --supernet). */
export function fieldFlags(cmd: Command, flags: Readonly<Record<string, string>>): Command {
  overrides.set(cmd, flags);
  return cmd;
}

/** The flag of `cmd` that sets `field`: declared, common, or the option named like its last part. */
function flagOf(cmd: Command, field: string): string {
  const declared = overrides.get(cmd)?.[field] ?? COMMON[field];
  if (declared) return declared;
  const last = field.split(".").at(-1);
  return cmd.options.find((o) => o.attributeName() === last)?.long ?? `option ${field}`;
}

/** The error's message as `cmd`'s user knows the options: by their flags. */
export const renderForCommand = (error: OptionError, cmd: Command): string =>
  error.render((field) => flagOf(cmd, field));
