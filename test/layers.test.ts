// The dependency rules of the layout (README "Layout"): every import under src/ runs from a folder to
// one listed before it, plug-ins never import each other, and nothing in src/ imports bench/ or test/.
// Read from the TypeScript sources, so a new upward import fails here before review.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { it } from "node:test";
import { ROOT } from "./helpers.js";

/** The layers, lowest first; folders on one line are peers that must not import each other. */
const LAYERS = [
  ["util"],
  ["engine"],
  ["nn"],
  ["arch"],
  ["models"],
  ["data"],
  ["dist"],
  ["train"],
  ["quant"],
  ["export"],
  ["latency"],
  ["search"],
  ["nas", "prune"],
  ["report"],
  ["index.ts"],
  ["cli"],
];

const rank = (folder: string) => LAYERS.findIndex((layer) => layer.includes(folder));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Every relative specifier of a file's imports and re-exports: `from "x"`, `import "x"`, `import("x")`. */
const importsOf = (file: string) =>
  [...readFileSync(file, "utf8").matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']*)["']/g)].map(
    (m) => m[1] as string,
  );

it("imports under src/ point only downward, never across plug-ins, never out to bench/ or test/", () => {
  const src = join(ROOT, "src");
  const broken: string[] = [];
  const files = sources(src);
  assert.ok(files.length > 100, `only ${files.length} sources found under ${src}`);
  const edges = files.reduce((n, f) => n + importsOf(f).length, 0);
  assert.ok(edges > 3 * files.length, `only ${edges} imports found: the scanner is broken`);
  for (const file of files) {
    const from = relative(src, file).split("/")[0] as string;
    assert.ok(rank(from) >= 0, `${from}: a folder the layer list does not know`);
    for (const spec of importsOf(file)) {
      const target = relative(src, resolve(dirname(file), spec));
      const to = target.split("/")[0] as string;
      const where = `${relative(ROOT, file)} imports ${spec}`;
      if (target.startsWith("..")) broken.push(`${where}: outside src/`);
      else if (to !== from && rank(to) >= rank(from)) broken.push(`${where}: ${from} may not import ${to}`);
    }
  }
  assert.deepEqual(broken, []);
});
