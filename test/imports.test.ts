// Dependencies point downward: no module under src/ imports from bench/ (bench/ and test/ may import
// src/). Scans the import and export specifiers, static and dynamic, of every src/**/*.ts.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "./helpers.js";

/** The relative specifiers of `source`'s imports and re-exports: `from "x"`, `import "x"`, `import("x")`. */
function relativeSpecifiers(source: string): string[] {
  const found = source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']*)["']/g);
  return [...found].map((m) => m[1] as string);
}

/** Specifiers in the file at `path` (under ROOT) that resolve into bench/. */
function benchImports(path: string, source: string): string[] {
  const bench = join(ROOT, "bench");
  return relativeSpecifiers(source).filter((s) => {
    const to = relative(bench, resolve(dirname(path), s));
    return to === "" || !(to.startsWith(`..${sep}`) || to === "..");
  });
}

describe("import direction", () => {
  it("finds imports into bench/ in every form (the check checks)", () => {
    const path = join(ROOT, "src", "cli", "x.ts");
    const source = [
      'import { a } from "../../bench/a.js";',
      'export { b } from "../../bench/b.js";',
      'import "../../bench/c.js";',
      'const { d } = await import("../../bench/d.js");',
      'import { e } from "../arch/e.js";',
      'import { f } from "./bench.js";',
    ].join("\n");
    assert.deepEqual(benchImports(path, source), [
      "../../bench/a.js",
      "../../bench/b.js",
      "../../bench/c.js",
      "../../bench/d.js",
    ]);
  });

  it("no file under src/ imports from bench/", () => {
    const files = readdirSync(join(ROOT, "src"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .map((f) => join(ROOT, "src", f));
    assert.ok(files.length > 50, `${files.length} files under src/`);
    let specifiers = 0;
    const upward: string[] = [];
    for (const path of files) {
      const source = readFileSync(path, "utf8");
      specifiers += relativeSpecifiers(source).length;
      for (const s of benchImports(path, source)) upward.push(`${relative(ROOT, path)}: ${s}`);
    }
    assert.ok(specifiers > 200, `${specifiers} relative import specifiers under src/`);
    assert.deepEqual(upward, []);
  });
});
