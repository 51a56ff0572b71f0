// Dataset formats on fixtures written on the fly: CIFAR-10/100 binaries, image folders (PNG, JPEG made
// with sharp), synthetic data, --data resolution, garbage of each kind, and the seeded hold-out split.
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import sharp from "sharp";
import { loadCifar } from "../../src/data/cifar.js";
import { holdoutSplit } from "../../src/data/dataset.js";
import { loadImageFolder } from "../../src/data/image-folder.js";
import { openDataset } from "../../src/data/open.js";
import { syntheticDataset } from "../../src/data/synthetic.js";
import { Random } from "../../src/util/random.js";
import { tempDir } from "../helpers.js";

const root = tempDir("lithe-datasets-");
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
/** A new empty folder under the test's temp dir. */
const folder = (name: string) => {
  const path = join(root, `${folders++}-${name}`);
  mkdirSync(path, { recursive: true });
  return path;
};
const write = (path: string, bytes: Uint8Array | string) => {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, bytes);
  return path;
};

/** CIFAR records: label bytes then 3072 seeded pixel bytes each; returns the bytes and the pixels. */
function cifarRecords(labels: number[][], seed: number): { bytes: Buffer; pixels: Uint8Array[] } {
  const random = new Random(seed);
  const pixels = labels.map(() => Uint8Array.from({ length: 3072 }, () => random.int(256)));
  const bytes = Buffer.concat(labels.map((l, i) => Buffer.concat([Buffer.from(l), pixels[i] as Uint8Array])));
  return { bytes, pixels };
}

const CIFAR10_NAMES = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
];

/** A CIFAR-10 folder: batch b holds labels [b, b + 5] (so labels 1..9 and 5..9 repeat), test one record. */
function cifar10Folder(dir: string) {
  const train = [1, 2, 3, 4, 5].map((b) => cifarRecords([[b], [b + 4]], b));
  train.forEach((r, i) => {
    write(join(dir, `data_batch_${i + 1}.bin`), r.bytes);
  });
  const test = cifarRecords([[0]], 9);
  write(join(dir, "test_batch.bin"), test.bytes);
  write(join(dir, "batches.meta.txt"), `${CIFAR10_NAMES.join("\n")}\n\n`);
  return { train, test };
}

/** Raw RGB pixels [h, w, 3] from a function of (x, y). */
function rgbImage(w: number, h: number, f: (x: number, y: number) => [number, number, number]): Buffer {
  const out = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.set(f(x, y), (y * w + x) * 3);
  return out;
}
/** Lossless PNG or quality-95 JPEG bytes of raw RGB pixels. */
const encode = (raw: Buffer, w: number, h: number, format: "png" | "jpeg") => {
  const image = sharp(raw, { raw: { width: w, height: h, channels: 3 } });
  return (format === "png" ? image.png() : image.jpeg({ quality: 95 })).toBuffer();
};

/** [H, W, 3] interleaved -> [3, H, W] planes, the dataset layout. */
const planar = (raw: Buffer) => {
  const plane = raw.length / 3;
  return Array.from({ length: raw.length }, (_, i) => raw[3 * (i % plane) + Math.floor(i / plane)] as number);
};
const image = (d: { pixels: Uint8Array; channels: number; height: number; width: number }, n: number) => {
  const size = d.channels * d.height * d.width;
  return [...d.pixels.subarray(n * size, (n + 1) * size)];
};

/** Asserts that fn rejects/throws an error whose message starts with `path` and matches `problem`. */
async function assertFails(fn: () => unknown, path: string, problem: RegExp) {
  await assert.rejects(
    async () => fn(),
    (e: Error) => {
      assert.ok(e.message.startsWith(path), `"${e.message}" should start with ${path}`);
      assert.match(e.message, problem);
      assert.ok(!e.message.includes("\n"), "one-line message");
      return true;
    },
  );
}

describe("loadCifar", () => {
  it("round-trips CIFAR-10 pixels, labels and class names exactly", () => {
    const dir = folder("cifar10");
    const { train, test } = cifar10Folder(dir);
    const d = loadCifar(dir, "train");
    assert.deepEqual([d.count, d.channels, d.height, d.width, d.classes], [10, 3, 32, 32, 10]);
    assert.deepEqual([...d.labels], [1, 5, 2, 6, 3, 7, 4, 8, 5, 9]);
    assert.deepEqual(d.classNames, CIFAR10_NAMES);
    assert.ok(d.pixels.buffer instanceof SharedArrayBuffer);
    train.forEach((r, b) => {
      r.pixels.forEach((p, i) => {
        assert.deepEqual(image(d, 2 * b + i), [...p], `batch ${b + 1} record ${i}`);
      });
    });
    const t = loadCifar(dir, "test");
    assert.deepEqual([t.count, ...t.labels], [1, 0]);
    assert.deepEqual(image(t, 0), [...(test.pixels[0] as Uint8Array)]);
  });

  it("reads CIFAR-100's fine labels (and checks the coarse ones)", () => {
    const dir = folder("cifar100");
    const records = cifarRecords(
      [
        [19, 99],
        [3, 0],
        [0, 42],
      ],
      7,
    );
    write(join(dir, "train.bin"), records.bytes);
    write(join(dir, "fine_label_names.txt"), Array.from({ length: 100 }, (_, i) => `class${i}`).join("\n"));
    const d = loadCifar(dir, "train");
    assert.deepEqual([d.count, d.classes, ...d.labels], [3, 100, 99, 0, 42]);
    assert.equal(d.classNames?.[42], "class42");
    assert.deepEqual(image(d, 2), [...(records.pixels[2] as Uint8Array)]);
    const test = join(dir, "test.bin");
    assert.throws(
      () => loadCifar(dir, "test"),
      (e: Error) => e.message.startsWith(test) && /missing/.test(e.message),
    );
    write(test, cifarRecords([[20, 5]], 1).bytes);
    assert.throws(
      () => loadCifar(dir, "test"),
      /test\.bin: record 0 has label 20, outside CIFAR-100's 0\.\.19/,
    );
    write(test, cifarRecords([[0, 100]], 1).bytes);
    assert.throws(
      () => loadCifar(dir, "test"),
      /test\.bin: record 0 has label 100, outside CIFAR-100's 0\.\.99/,
    );
  });

  it("names the missing, truncated or mislabelled file", () => {
    const dir = folder("cifar-bad");
    cifar10Folder(dir);
    const batch3 = join(dir, "data_batch_3.bin");
    write(batch3, cifarRecords([[1], [2]], 3).bytes.subarray(0, 2 * 3073 - 5));
    assert.throws(
      () => loadCifar(dir, "train"),
      (e: Error) =>
        e.message.startsWith(batch3) &&
        /6141 bytes is not a whole number of 3073-byte CIFAR-10 records/.test(e.message),
    );
    write(batch3, cifarRecords([[1], [10]], 3).bytes);
    assert.throws(
      () => loadCifar(dir, "train"),
      /data_batch_3\.bin: record 1 has label 10, outside CIFAR-10's 0\.\.9/,
    );
    write(batch3, "");
    assert.throws(() => loadCifar(dir, "train"), /data_batch_3\.bin: 0 bytes is not a whole number/);
    write(join(dir, "batches.meta.txt"), "cat\ndog\n");
    assert.throws(() => loadCifar(dir, "test"), /batches\.meta\.txt: 2 class names, expected 10/);

    const partial = folder("cifar-partial");
    write(join(partial, "data_batch_1.bin"), cifarRecords([[1]], 1).bytes);
    assert.throws(
      () => loadCifar(partial, "train"),
      (e: Error) =>
        e.message.startsWith(join(partial, "data_batch_2.bin")) &&
        /missing.*data_batch_5\.bin/.test(e.message),
    );
    const empty = folder("cifar-none");
    assert.throws(() => loadCifar(empty, "train"), /no CIFAR binary files \(expected data_batch_1\.\.5\.bin/);
  });
});

describe("loadImageFolder", () => {
  // cat/a.png: 4x4 exact pixels; cat/b.jpg: a smooth 4x4 gradient; dog/sub/c.PNG (nested, upper case);
  // dog/notes.txt and a stray README at the root are skipped, .DS_Store is hidden.
  const a = rgbImage(4, 4, (x, y) => [16 * x, 16 * y, 255 - 7 * (x + y)]);
  const b = rgbImage(4, 4, (x, y) => [100 + 4 * x, 150 - 3 * y, 60]);
  const c = rgbImage(4, 4, (x, y) => [(x * 67 + y * 13) % 256, 200, (x * y * 31) % 256]);
  const makeFolder = async (dir: string) => {
    write(join(dir, "cat", "a.png"), await encode(a, 4, 4, "png"));
    write(join(dir, "cat", "b.jpg"), await encode(b, 4, 4, "jpeg"));
    write(join(dir, "dog", "sub", "c.PNG"), await encode(c, 4, 4, "png"));
    write(join(dir, "dog", "notes.txt"), "not an image");
    write(join(dir, "dog", ".DS_Store"), "hidden");
    write(join(dir, "README"), "about");
    return dir;
  };

  it("labels sorted class folders and decodes PNG exactly, JPEG closely", async () => {
    const dir = await makeFolder(folder("images"));
    const progress: number[][] = [];
    const d = await loadImageFolder(dir, {
      size: 4,
      onProgress: (done, total) => progress.push([done, total]),
    });
    assert.deepEqual([d.count, d.channels, d.height, d.width, d.classes], [3, 3, 4, 4, 2]);
    assert.deepEqual(d.classNames, ["cat", "dog"]);
    assert.deepEqual([...d.labels], [0, 0, 1]);
    assert.deepEqual(d.skipped, ["README", join("dog", "notes.txt")]);
    assert.equal(d.hasTestSplit, false);
    assert.deepEqual(progress.at(-1), [3, 3]);
    assert.equal(progress.length, 3);
    assert.deepEqual(image(d, 0), planar(a));
    assert.deepEqual(image(d, 2), planar(c));
    const jpeg = image(d, 1);
    const worst = Math.max(...planar(b).map((v, i) => Math.abs(v - (jpeg[i] as number))));
    assert.ok(worst <= 8, `JPEG pixels off by up to ${worst}`);

    const grey = await loadImageFolder(dir, { size: 4, channels: 1 });
    assert.equal(grey.channels, 1);
    const luma = (r: number, g: number, bl: number) => (r * 19595 + g * 38470 + bl * 7471 + 0x8000) >>> 16;
    assert.deepEqual(
      image(grey, 0),
      Array.from({ length: 16 }, (_, p) =>
        luma(a[3 * p] as number, a[3 * p + 1] as number, a[3 * p + 2] as number),
      ),
    );
  });

  it("resizes the shorter side and crops the centre (torchvision Resize + CenterCrop)", async () => {
    const dir = folder("crop");
    // 6 wide x 4 high, column x has red 10x: no resize, columns 1..4 kept.
    write(
      join(dir, "a", "wide.png"),
      await encode(
        rgbImage(6, 4, (x) => [10 * x, 0, 0]),
        6,
        4,
        "png",
      ),
    );
    // 4 wide x 7 high, row y has green 10y: rows round(1.5) = 2..5 kept.
    write(
      join(dir, "a", "tall.png"),
      await encode(
        rgbImage(4, 7, (_, y) => [0, 10 * y, 0]),
        4,
        7,
        "png",
      ),
    );
    // 12 x 8 in three vertical bands (red, green, blue): halved to 6 x 4, then columns 1..4.
    const bands = rgbImage(12, 8, (x) => [x < 4 ? 200 : 0, x >= 4 && x < 8 ? 200 : 0, x >= 8 ? 200 : 0]);
    write(join(dir, "a", "bands.png"), await encode(bands, 12, 8, "png"));
    const d = await loadImageFolder(dir, { size: 4 });
    const [band, tall, wide] = [0, 1, 2].map((n) => image(d, n)); // sorted: bands, tall, wide
    assert.deepEqual(wide?.slice(0, 4), [10, 20, 30, 40]);
    assert.deepEqual(
      tall?.slice(16, 32).filter((_, i) => i % 4 === 0),
      [20, 30, 40, 50],
    );
    // the dominant channel of each output column: red, green, green, blue
    const dominant = [0, 1, 2, 3].map((x) =>
      [0, 1, 2].reduce((m, ch) => ((band?.[ch * 16 + x] ?? 0) > (band?.[m * 16 + x] ?? 0) ? ch : m), 0),
    );
    assert.deepEqual(dominant, [0, 1, 1, 2]);
  });

  it("reads train/ and val/ sub-folders as splits", async () => {
    const dir = folder("split");
    for (const split of ["train", "val"]) {
      for (const cls of ["x", "y"]) {
        write(
          join(dir, split, cls, "i.png"),
          await encode(
            rgbImage(2, 2, () => [cls === "x" ? 1 : 2, 0, 0]),
            2,
            2,
            "png",
          ),
        );
      }
    }
    const train = await loadImageFolder(dir, { size: 2 });
    const test = await loadImageFolder(dir, { size: 2, split: "test" });
    assert.deepEqual([train.count, test.count, train.hasTestSplit], [2, 2, true]);
    assert.match(test.source, /val \(test\)$/);
    assert.deepEqual(test.classNames, ["x", "y"]);
  });

  it("names the corrupt image, the empty class folder and the empty folder", async () => {
    const dir = await makeFolder(folder("corrupt"));
    const bad = write(join(dir, "dog", "bad.jpg"), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]));
    await assertFails(() => loadImageFolder(dir, { size: 4 }), bad, /cannot decode as an image/);
    const truncated = write(join(dir, "dog", "bad.jpg"), (await encode(b, 4, 4, "jpeg")).subarray(0, 200));
    await assertFails(() => loadImageFolder(dir, { size: 4 }), truncated, /cannot decode as an image/);

    const empty = await makeFolder(folder("empty-class"));
    mkdirSync(join(empty, "emu"));
    write(join(empty, "emu", "list.csv"), "a,b");
    await assertFails(
      () => loadImageFolder(empty, { size: 4 }),
      join(empty, "emu"),
      /class folder with no images/,
    );

    const none = folder("none");
    await assertFails(() => loadImageFolder(none, { size: 4 }), none, /no class folders/);
    await assertFails(
      () => loadImageFolder(join(none, "nope"), { size: 4 }),
      join(none, "nope"),
      /not a folder/,
    );
    await assertFails(
      () => loadImageFolder(dir, { size: 4, split: "test" }),
      dir,
      /no val\/ or test\/ sub-folder/,
    );
    await assert.rejects(loadImageFolder(dir, { size: 0 }), /size must be a positive integer, got 0/);
  });
});

describe("syntheticDataset", () => {
  const options = { count: 200, classes: 4, channels: 3, size: 8, seed: 5 };

  it("gives the same bytes for the same seed and other bytes for another", () => {
    const [x, y, z] = [5, 5, 6].map((seed) => syntheticDataset({ ...options, seed }));
    assert.deepEqual(x?.pixels, y?.pixels);
    assert.deepEqual(x?.labels, y?.labels);
    assert.notDeepEqual(x?.pixels, z?.pixels);
    const perClass = [0, 0, 0, 0];
    for (const l of x?.labels ?? []) perClass[l]++;
    assert.deepEqual(perClass, [50, 50, 50, 50]);
  });

  it("is learnable: nearest class mean on one seed classifies another seed's images", () => {
    for (const channels of [1, 3]) {
      const train = syntheticDataset({ ...options, channels, seed: 1 });
      const test = syntheticDataset({ ...options, channels, seed: 2 });
      const dim = channels * 64;
      const means = Array.from({ length: 4 }, () => new Float64Array(dim));
      train.labels.forEach((l, n) => {
        for (let i = 0; i < dim; i++)
          (means[l] as Float64Array)[i] += (train.pixels[n * dim + i] as number) / 50;
      });
      let correct = 0;
      test.labels.forEach((l, n) => {
        const dist = means.map((m) =>
          m.reduce((s, v, i) => s + (v - (test.pixels[n * dim + i] as number)) ** 2, 0),
        );
        if (dist.indexOf(Math.min(...dist)) === l) correct++;
      });
      assert.ok(correct / test.count > 0.9, `${channels} channel(s): ${correct}/${test.count} correct`);
    }
  });

  it("refuses impossible sizes", () => {
    assert.throws(
      () => syntheticDataset({ ...options, classes: 1 }),
      /classes must be an integer >= 2, got 1/,
    );
    assert.throws(
      () => syntheticDataset({ ...options, count: 2.5 }),
      /count must be an integer >= 1, got 2\.5/,
    );
  });
});

describe("openDataset", () => {
  it("resolves fashion-mnist and synthetic[:N]", async () => {
    const fashion = await openDataset("fashion-mnist", "test");
    assert.deepEqual(
      [fashion.format, fashion.count, fashion.channels, fashion.classNames?.[9]],
      ["mnist", 10000, 1, "Ankle boot"],
    );
    const train = await openDataset("synthetic:40", "train", { imageSize: 6, seed: 3 });
    const test = await openDataset("synthetic:40", "test", { imageSize: 6, seed: 3 });
    assert.deepEqual(
      [train.format, train.count, train.height, train.channels, train.hasTestSplit],
      ["synthetic", 40, 6, 3, true],
    );
    assert.notDeepEqual(train.pixels, test.pixels);
    assert.deepEqual(
      (await openDataset("synthetic:40", "train", { imageSize: 6, seed: 3 })).pixels,
      train.pixels,
    );
    assert.equal((await openDataset("synthetic", "train", { channels: 1 })).count, 1024);
  });

  it("recognises IDX, CIFAR and image folders by their files", async () => {
    const idx = folder("idx");
    const header = (shape: number[]) => {
      const h = Buffer.alloc(4 + 4 * shape.length);
      h.writeUInt8(8, 2);
      h.writeUInt8(shape.length, 3);
      shape.forEach((s, i) => {
        h.writeUInt32BE(s, 4 + 4 * i);
      });
      return h;
    };
    write(join(idx, "t10k-images-idx3-ubyte"), Buffer.concat([header([2, 3, 3]), Buffer.alloc(18, 7)]));
    write(join(idx, "t10k-labels-idx1-ubyte"), Buffer.concat([header([2]), Buffer.from([4, 1])]));
    const mnist = await openDataset(idx, "test");
    assert.deepEqual([mnist.format, mnist.count, mnist.height, ...mnist.labels], ["mnist", 2, 3, 4, 1]);

    const parent = folder("cifar-parent");
    cifar10Folder(join(parent, "cifar-10-batches-bin"));
    const cifar = await openDataset(parent, "train");
    assert.deepEqual([cifar.format, cifar.count, cifar.classes], ["cifar", 10, 10]);

    const images = folder("flat-images");
    write(
      join(images, "a", "1.png"),
      await encode(
        rgbImage(8, 8, () => [9, 9, 9]),
        8,
        8,
        "png",
      ),
    );
    write(join(images, "a", "x.txt"), "x");
    const opened = await openDataset(images, "train", { imageSize: 4 });
    assert.deepEqual(
      [opened.format, opened.count, opened.height, opened.hasTestSplit],
      ["image-folder", 1, 4, false],
    );
    assert.match(opened.warnings[0] ?? "", /skipped 1 files that are not images \(a\/x\.txt\)/);
    await assertFails(() => openDataset(images, "test"), images, /no test split \(hold out part/);
  });

  it("says what it looked for when nothing matches", async () => {
    const nothing = folder("nothing");
    write(join(nothing, "notes.txt"), "x");
    await assertFails(
      () => openDataset(nothing, "train"),
      nothing,
      /no dataset found \(looked for MNIST-format IDX files .*CIFAR binaries .*class sub-folders/,
    );
    const missing = join(nothing, "missing");
    await assertFails(
      () => openDataset(missing, "train"),
      missing,
      /not "fashion-mnist", "synthetic\[:N\]" or an existing folder/,
    );
    await assertFails(
      () => openDataset(join(nothing, "notes.txt"), "train"),
      join(nothing, "notes.txt"),
      /not a folder/,
    );
    await assert.rejects(openDataset("synthetic:x", "train"), /synthetic:x: not "fashion-mnist"/);
  });
});

describe("holdoutSplit", () => {
  it("is deterministic, disjoint and complete", () => {
    const dataset = syntheticDataset({ count: 101, classes: 3, channels: 1, size: 2, seed: 0 });
    const a = holdoutSplit(dataset, 20, 7);
    const b = holdoutSplit(dataset, 20, 7);
    assert.deepEqual(a.holdout.indices, b.holdout.indices);
    assert.deepEqual(a.train.indices, b.train.indices);
    assert.notDeepEqual(holdoutSplit(dataset, 20, 8).holdout.indices, a.holdout.indices);
    assert.deepEqual([a.holdout.indices.length, a.train.indices.length], [20, 81]);
    const all = [...a.holdout.indices, ...a.train.indices].sort((x, y) => x - y);
    assert.deepEqual(
      all,
      Array.from({ length: 101 }, (_, i) => i),
    );
    assert.throws(() => holdoutSplit(dataset, 101, 7), /101 samples cannot be carved from the 101/);
  });
});
