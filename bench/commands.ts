// The `lithe bench` subcommands, one declaration per benchmark (bench/<name>.command.ts, in `lithe bench
// --help` order); bin/lithe.js passes addBenches to the CLI when dist/bench is there.
import type { AddBenches } from "../src/cli/bench.js";
import { channelPruningCommand } from "./channel-pruning.command.js";
import { addBench, type BenchCommand } from "./command.js";
import { counterCommand } from "./counter.command.js";
import { distributedCommand } from "./distributed.command.js";
import { engineCommand } from "./engine.command.js";
import { guidelinesCommand } from "./guidelines.command.js";
import { latencyCommand } from "./latency.command.js";
import { metaPruningCommand } from "./metapruning.command.js";
import { quantSearchCommand } from "./quant-search.command.js";
import { sposCommand } from "./spos.command.js";
import { trainCommand } from "./train.command.js";

const BENCHES: readonly BenchCommand[] = [
  engineCommand,
  counterCommand,
  trainCommand,
  latencyCommand,
  guidelinesCommand,
  sposCommand,
  metaPruningCommand,
  channelPruningCommand,
  quantSearchCommand,
  distributedCommand,
];

export const addBenches: AddBenches = (bench) => {
  for (const b of BENCHES) addBench(bench, b);
};
