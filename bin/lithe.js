#!/usr/bin/env node
// Entry point of the `lithe` command: runs the compiled CLI (npm ci / npm run build produce dist/).
import { existsSync } from "node:fs";

const main = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(main)) {
  console.error("lithe: not built yet; run `npm ci` (or `npm run build`) in the lithe folder");
  process.exit(1);
}
await import(main.href);
