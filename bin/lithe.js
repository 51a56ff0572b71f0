#!/usr/bin/env node
// Entry point of the `lithe` command: runs the compiled CLI (npm ci / npm run build produce dist/),
// with the `lithe bench` subcommands when dist/bench is there (a source checkout; the published
// package holds dist/src only).
import { existsSync } from "node:fs";

const main = new URL("../dist/src/cli/main.js", import.meta.url);
const benches = new URL("../dist/bench/commands.js", import.meta.url);
if (!existsSync(main)) {
  console.error("lithe: not built yet; run `npm ci` (or `npm run build`) in the lithe folder");
  process.exit(1);
}
const { runCli } = await import(main.href);
await runCli(process.argv, existsSync(benches) ? (await import(benches.href)).addBenches : undefined);
