// The package as an installed user sees it: `import("lithe")` resolves through package.json's exports
// (a package may import itself by name), and its root surface builds a model, counts it, runs it,
// exports it to an ONNX file that parses with the expected input and output, and lists the models;
// every subpath entry whose folder this package holds loads, with its declarations next to it; and
// `npm pack --dry-run` ships dist/src with its declarations but no tests or benchmarks; the root's
// `train` runs a short training from nested options, as the README's example does.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";
import onnxProto from "onnx-proto";
import { countArch } from "../../src/arch/index.js";
import { ROOT, tempDir } from "../helpers.js";

const lithe = await import("lithe");
const dir = tempDir("lithe-api-");
after(() => rmSync(dir, { recursive: true, force: true }));

/** Subpath -> one name it must export. */
const SUBPATHS: Record<string, string> = {
  arch: "registerFamily",
  models: "createModel",
  nn: "Conv2d",
  engine: "tensor",
  data: "openDataset",
  train: "runTraining",
  export: "runExport",
  latency: "runtimeByName",
  search: "searchOneShot",
  nas: "runSupernetTraining",
  prune: "runPruningNetTraining",
};

describe('import("lithe")', () => {
  it("trains from nested options (data, recipe, run) as in the README, writing the run directory", async () => {
    const out = join(dir, "run");
    const summary = await lithe.train({
      model: "shufflenet_v2_x0_5",
      data: { source: "synthetic:80", imageSize: 32, workers: 0 },
      recipe: { epochs: 1, batchSize: 16 },
      run: { out },
    });
    assert.equal(summary.finished, true);
    assert.equal(summary.steps, 5, "80 images in batches of 16, one epoch");
    assert.equal(summary.test?.samples, 80, "synthetic data draws a test split of its size");
    for (const file of ["run.json", "log.jsonl", "model.safetensors", "checkpoint.safetensors"])
      assert.ok(existsSync(join(out, file)), file);
  });

  it("builds, counts, runs and exports a model, and lists the models", () => {
    const { arch, model } = lithe.createModel("shufflenet_v2_x0_5", {
      inputSize: 32,
      classes: 10,
      stem: "small",
    });
    assert.equal(lithe.printArch(arch), "shufflenet_v2(width=0.5,inputSize=32,classes=10,stem=small)");
    assert.equal(lithe.count, countArch, "the root's count is the one in dist/src/arch");
    const counted = lithe.count(arch);
    assert.equal(
      counted.params,
      model.parameters().reduce((s, p) => s + p.numel, 0),
    );
    assert.ok(counted.flops > 1e6, `${counted.flops} FLOPs`);

    const { shape, values } = lithe.tidy(() =>
      lithe.noGrad(() => {
        const y = model.eval().forward(lithe.randn([2, 3, 32, 32]));
        return { shape: y.shape, values: y.toList() };
      }),
    );
    assert.deepEqual(shape, [2, 10]);
    assert.ok(values.every(Number.isFinite), "finite logits");

    const file = join(dir, "model.onnx");
    writeFileSync(file, lithe.exportOnnx(arch, model.stateDict()));
    const graph = onnxProto.onnx.ModelProto.decode(readFileSync(file)).graph;
    const dims = (v: onnxProto.onnx.IValueInfoProto | undefined) =>
      (v?.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam || Number(d.dimValue));
    assert.deepEqual(
      graph?.input?.map((v) => [v.name, dims(v)]),
      [["input", ["batch", 3, 32, 32]]],
    );
    assert.deepEqual(
      graph?.output?.map((v) => [v.name, dims(v)]),
      [["logits", ["batch", 10]]],
    );

    const names = lithe.listModels();
    assert.ok(names.includes("shufflenet_v2_x0_5") && names.includes("resnet50"), names.join(", "));
    assert.equal(new Set(names).size, names.length);
  });

  it("has every subpath entry of this package, declarations included", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      types: string;
      exports: Record<string, { types: string; default: string } | string>;
    };
    assert.ok(existsSync(join(ROOT, pkg.types)), pkg.types);
    for (const [subpath, name] of Object.entries(SUBPATHS)) {
      const entry = pkg.exports[`./${subpath}`];
      assert.ok(typeof entry === "object", `exports has ./${subpath}`);
      for (const file of [entry.types, entry.default]) assert.ok(existsSync(join(ROOT, file)), file);
      const module = (await import(`lithe/${subpath}`)) as Record<string, unknown>;
      assert.equal(typeof module[name], "function", `lithe/${subpath} exports ${name}`);
    }
    assert.equal(createRequire(import.meta.url).resolve("lithe/package.json"), join(ROOT, "package.json"));
  });
});

describe("npm pack", () => {
  it("ships dist/src with declarations, the addon sources and the install script, no tests or benchmarks", async (t) => {
    let stdout: string;
    try {
      ({ stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
        cwd: ROOT,
        maxBuffer: 64 << 20,
      }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        t.skip("npm is not on PATH");
        return;
      }
      throw error;
    }
    const [packed] = JSON.parse(stdout) as { files: { path: string }[] }[];
    const paths = (packed?.files ?? []).map((f) => f.path);
    for (const path of [
      "package.json",
      "bin/lithe.js",
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "dist/src/arch/index.d.ts",
      "dist/src/data/loader-worker.js",
      "binding.gyp",
      "native/addon.cc",
      "scripts/find-libtorch.mjs",
    ])
      assert.ok(paths.includes(path), `the package has ${path}`);
    const unwanted = paths.filter((p) => /^(dist\/)?(test|bench)\//.test(p));
    assert.deepEqual(unwanted, [], "no tests or benchmarks");
  });
});
