// DataLoader and augmentation: epoch coverage, determinism across worker counts, resume, dropLast,
// exact values of each transform, and that workers never hold the process open.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import {
  type AugmentSpec,
  augmentedShape,
  augmentInto,
  augmentPreset,
  type FloatImage,
  hflip,
  normalizeInto,
  padCrop,
  randomResizedCropBox,
  resample,
  resizeCenterCropBox,
  toFloat,
} from "../../src/data/augment.js";
import { type DatasetView, makeDataset, shared, wholeView } from "../../src/data/dataset.js";
import { type Batch, DataLoader, type LoaderOptions } from "../../src/data/loader.js";
import { Random } from "../../src/util/random.js";
import { assertClose, fixturePath } from "../helpers.js";

/** count random images [count, c, h, w]; label i = i, so labels name the samples. */
function syntheticView(count: number, c: number, h: number, w: number, seed = 1): DatasetView {
  const random = new Random(seed);
  const pixels = shared(count * c * h * w);
  for (let i = 0; i < pixels.length; i++) pixels[i] = random.int(256);
  return wholeView(
    makeDataset({
      source: "synthetic test set",
      count,
      channels: c,
      height: h,
      width: w,
      classes: count,
      classNames: null,
      pixels,
      labels: Int32Array.from({ length: count }, (_, i) => i),
    }),
  );
}

/** Every random step at once, on 3x12x12 inputs. */
const EVERY_STEP: AugmentSpec = {
  steps: [
    { kind: "random-resized-crop", size: 10, scale: [0.08, 1], ratio: [3 / 4, 4 / 3] },
    { kind: "color-jitter", brightness: 0.4, contrast: 0.4, saturation: 0.4 },
    { kind: "pad-crop", pad: 2, size: 10 },
    { kind: "flip", p: 0.5 },
  ],
  normalize: { kind: "mean-std", mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] },
};

async function collect(loader: DataLoader, epoch: number, startBatch = 0): Promise<Batch[]> {
  const batches: Batch[] = [];
  for await (const b of loader.epoch(epoch, startBatch)) batches.push(b);
  return batches;
}

async function withLoader<T>(
  view: DatasetView,
  o: LoaderOptions,
  use: (l: DataLoader) => Promise<T>,
): Promise<T> {
  const loader = new DataLoader(view, o);
  try {
    return await use(loader);
  } finally {
    await loader.close();
  }
}

const labelsOf = (batches: Batch[]) => batches.flatMap((b) => [...b.y].map(Number));

describe("DataLoader", () => {
  const view = syntheticView(37, 3, 12, 12);
  const base: LoaderOptions = { batchSize: 8, shuffle: true, augment: EVERY_STEP, seed: 7, workers: 0 };

  it("yields every index once per epoch, in batches of the right shape", async () => {
    await withLoader(view, base, async (loader) => {
      assert.equal(loader.batchesPerEpoch, 5);
      const batches = await collect(loader, 0);
      assert.deepEqual(
        labelsOf(batches).sort((a, b) => a - b),
        Array.from({ length: 37 }, (_, i) => i),
      );
      assert.deepEqual(
        batches.map((b) => b.index),
        [0, 1, 2, 3, 4],
      );
      assert.deepEqual(batches[4]?.shape, [5, 3, 10, 10]);
      for (const b of batches)
        assert.equal(
          b.x.length,
          b.shape.reduce((a, d) => a * d),
        );
    });
  });

  it("gives bit-identical batches with 0, 1 and 2 workers for the same seed", async () => {
    const runs: Batch[][] = [];
    for (const workers of [0, 1, 2]) {
      runs.push(await withLoader(view, { ...base, workers, prefetch: workers + 1 }, (l) => collect(l, 3)));
    }
    const [inline, ...threaded] = runs as [Batch[], ...Batch[][]];
    for (const run of threaded) {
      assert.equal(run.length, inline.length);
      run.forEach((b, i) => {
        const a = inline[i] as Batch;
        assert.deepEqual(new Uint8Array(b.x.buffer), new Uint8Array(a.x.buffer), `batch ${i}`);
        assert.deepEqual(b.y, a.y);
        assert.deepEqual(b.shape, a.shape);
      });
    }
  });

  it("shuffles each epoch differently, reproducibly, and keeps the view's order without shuffle", async () => {
    await withLoader(view, base, async (loader) => {
      const [e0, e1, e0again] = [
        labelsOf(await collect(loader, 0)),
        labelsOf(await collect(loader, 1)),
        labelsOf(await collect(loader, 0)),
      ];
      assert.notDeepEqual(e0, e1);
      assert.deepEqual(e0, e0again);
    });
    await withLoader(view, { ...base, shuffle: false }, async (loader) => {
      assert.deepEqual(
        labelsOf(await collect(loader, 5)),
        Array.from({ length: 37 }, (_, i) => i),
      );
    });
  });

  it("resumes at startBatch k with exactly batches k.. of the full epoch", async () => {
    await withLoader(view, { ...base, workers: 1 }, async (loader) => {
      const full = await collect(loader, 2);
      for (const k of [1, 3, 5]) {
        const rest = await collect(loader, 2, k);
        assert.deepEqual(
          rest.map((b) => b.index),
          full.slice(k).map((b) => b.index),
        );
        rest.forEach((b, i) => {
          assert.deepEqual(b.x, full[k + i]?.x);
          assert.deepEqual(b.y, full[k + i]?.y);
        });
      }
    });
  });

  it("augments each image of a rank's shard as one process does at the same place of the epoch", async () => {
    const whole = await withLoader(view, base, (l) => collect(l, 1));
    const size = 3 * 10 * 10;
    const sampleAt = (batches: Batch[], i: number) => {
      const b = batches[Math.floor(i / 8)] as Batch;
      const j = i % 8;
      return { label: Number(b.y[j]), x: b.x.subarray(j * size, (j + 1) * size) };
    };
    for (const worldSize of [2, 3]) {
      for (let rank = 0; rank < worldSize; rank++) {
        const shard = await withLoader(view, { ...base, shard: { rank, worldSize } }, (l) => collect(l, 1));
        const count = shard.reduce((n, b) => n + b.shape[0], 0);
        assert.equal(count, Math.ceil(37 / worldSize));
        for (let i = 0; i < count; i++) {
          const position = rank + i * worldSize;
          if (position >= 37) continue; // the padding repeats the epoch's head
          const mine = sampleAt(shard, i);
          const one = sampleAt(whole, position);
          assert.equal(mine.label, one.label);
          assert.deepEqual(mine.x, one.x, `rank ${rank} of ${worldSize}, sample ${i}`);
        }
      }
    }
  });

  it("splits an epoch exactly without padding (evaluation shards)", async () => {
    const labels: number[] = [];
    for (let rank = 0; rank < 3; rank++) {
      await withLoader(view, { ...base, shard: { rank, worldSize: 3, pad: false } }, async (l) => {
        assert.equal(l.batchesPerEpoch, Math.ceil(Math.ceil((37 - rank) / 3) / 8));
        labels.push(...labelsOf(await collect(l, 0)));
      });
    }
    assert.deepEqual(
      labels.sort((a, b) => a - b),
      Array.from({ length: 37 }, (_, i) => i),
    );
  });

  it("drops the last partial batch only with dropLast", async () => {
    await withLoader(view, { ...base, dropLast: true }, async (loader) => {
      assert.equal(loader.batchesPerEpoch, 4);
      const batches = await collect(loader, 0);
      assert.equal(batches.length, 4);
      for (const b of batches) assert.equal(b.shape[0], 8);
      assert.equal(new Set(labelsOf(batches)).size, 32);
    });
  });

  it("reports the consumer's wait against total time", async () => {
    await withLoader(view, { ...base, workers: 1 }, async (loader) => {
      await collect(loader, 0);
      const s = loader.stats();
      assert.equal(s.batches, 5);
      assert.ok(s.waitSeconds > 0 && s.waitSeconds <= s.totalSeconds);
      assert.ok(s.waitShare > 0 && s.waitShare <= 1);
    });
  });

  it("rejects bad options and specs with one-line errors naming the data", () => {
    const bad: [Partial<LoaderOptions>, RegExp][] = [
      [{ batchSize: 0 }, /batch size 0 is not a positive integer/],
      [{ workers: -1 }, /workers -1/],
      [{ batchSize: 64, dropLast: true }, /37 images make no batch of 64/],
      [{ augment: augmentPreset("fashion-mnist", { channels: 1, size: 12 }) }, /normalize needs 3 means/],
      [
        { augment: { steps: [{ kind: "pad-crop", pad: 1, size: 20 }], normalize: { kind: "bgr255" } } },
        /does not fit/,
      ],
      [
        { augment: { steps: [{ kind: "blur" }], normalize: { kind: "bgr255" } } as unknown as AugmentSpec },
        /unknown kind/,
      ],
    ];
    for (const [o, problem] of bad) {
      assert.throws(
        () => new DataLoader(view, { ...base, ...o }),
        (e: Error) =>
          e.message.startsWith("data loader (synthetic test set): ") &&
          problem.test(e.message) &&
          !e.message.includes("\n"),
      );
    }
    assert.throws(
      () => augmentPreset("cifar10"),
      /preset "cifar10" is unknown \(expected one of none, fashion-mnist/,
    );
    assert.throws(() => augmentPreset("cifar", { channels: 1 }), /is for 3-channel images, not 1/);
  });

  it("lets the process exit after close(), and when abandoned mid-epoch without close()", async () => {
    const url = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
    // rounds that break off at different points, so late results race with close() or are abandoned
    const script = (ending: string) => `
      import { DataLoader } from ${url("../../src/data/loader.js")};
      import { makeDataset, shared, wholeView } from ${url("../../src/data/dataset.js")};
      const d = makeDataset({ source: "s", count: 64, channels: 3, height: 8, width: 8, classes: 1,
        classNames: null, pixels: shared(64 * 3 * 8 * 8), labels: new Int32Array(64) });
      for (let round = 0; round < 6; round++) {
        const loader = new DataLoader(wholeView(d), { batchSize: 4, workers: 2, prefetch: 4,
          augment: { steps: [{ kind: "flip", p: 0.5 }], normalize: { kind: "bgr255" } } });
        for await (const b of loader.epoch(0)) if (b.index === round) break;
        ${ending}
      }
      console.log("done");`;
    for (const ending of ["await loader.close();", ""]) {
      const child = promisify(execFile)(process.execPath, ["--input-type=module", "-e", script(ending)], {
        timeout: 20_000,
      });
      assert.equal((await child).stdout, "done\n");
    }
  });
});

describe("augmentation", () => {
  const random = new Random(3);
  const bytes = Uint8Array.from({ length: 3 * 5 * 7 }, () => random.int(256));
  const img = toFloat(bytes, 3, 5, 7);
  const at = (m: FloatImage, c: number, y: number, x: number) => m.data[(c * m.height + y) * m.width + x];

  it("flips left-right exactly", () => {
    const f = hflip(img);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 5; y++)
        for (let x = 0; x < 7; x++) assert.equal(at(f, c, y, x), at(img, c, y, 6 - x));
    assert.deepEqual(hflip(f).data, img.data);
  });

  it("pad + crop at an offset is that window of the zero-padded image", () => {
    const pad = 2;
    const padded = new Float32Array(3 * 9 * 11);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 5; y++)
        for (let x = 0; x < 7; x++) padded[(c * 9 + y + pad) * 11 + x + pad] = at(img, c, y, x) as number;
    for (const [top, left] of [
      [0, 0],
      [3, 1],
      [4, 4],
    ] as const) {
      const crop = padCrop(img, pad, 5, top, left);
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < 5; y++)
          for (let x = 0; x < 5; x++)
            assert.equal(at(crop, c, y, x), padded[(c * 9 + top + y) * 11 + left + x]);
    }
    assert.deepEqual(padCrop(img, pad, 5, pad, pad).data, padCrop(img, 0, 5, 0, 0).data);
  });

  it("normalises with mean/std on [0, 1], and bgr255 reverses channels on 0..255", () => {
    const out = new Float32Array(2 + 3 * 35);
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    normalizeInto(img, { kind: "mean-std", mean, std }, out, 2);
    for (let i = 0; i < 3 * 35; i++) {
      const c = Math.floor(i / 35);
      assert.equal(
        out[2 + i],
        Math.fround(((bytes[i] as number) / 255 - (mean[c] as number)) / (std[c] as number)),
      );
    }
    normalizeInto(img, { kind: "bgr255" }, out, 0);
    for (let c = 0; c < 3; c++)
      for (let p = 0; p < 35; p++) assert.equal(out[c * 35 + p], bytes[(2 - c) * 35 + p]);
  });

  it("evaluation presets draw nothing at random", () => {
    const big = Uint8Array.from({ length: 3 * 40 * 50 }, (_, i) => (i * 37) % 256);
    const cases: [string, Uint8Array, [number, number, number], number][] = [
      ["fashion-mnist", bytes.subarray(0, 35), [1, 5, 7], 5],
      ["cifar", bytes, [3, 5, 7], 5],
      ["imagenet", big, [3, 40, 50], 32],
    ];
    for (const [name, pixels, shape, size] of cases) {
      const spec = augmentPreset(name, { train: false, size, channels: shape[0] });
      const outShape = augmentedShape(spec, shape);
      const n = outShape[0] * outShape[1] * outShape[2];
      const [a, b] = [new Float32Array(n), new Float32Array(n)];
      augmentInto(spec, pixels, shape, new Random(1), a, 0);
      augmentInto(spec, pixels, shape, new Random(2), b, 0);
      assert.deepEqual(a, b, name);
      if (name === "imagenet") assert.deepEqual(outShape, [3, 32, 32]);
      const train = augmentPreset(name, { size, channels: shape[0] });
      augmentInto(train, pixels, shape, new Random(3), b, 0);
      assert.notDeepEqual(a, b, `${name} training pipeline`);
    }
  });

  it("random-resized-crop: boxes inside the image, the output size, identity at full size", () => {
    const spec: AugmentSpec = {
      steps: [{ kind: "random-resized-crop", size: 6, scale: [0.08, 1], ratio: [3 / 4, 4 / 3] }],
      normalize: { kind: "bgr255" },
    };
    assert.deepEqual(augmentedShape(spec, [3, 5, 7]), [3, 6, 6]);
    const r = new Random(9);
    for (let i = 0; i < 200; i++) {
      const box = randomResizedCropBox(50, 70, [0.08, 1], [3 / 4, 4 / 3], r);
      assert.ok(box.top >= 0 && box.left >= 0 && box.top + box.height <= 50 && box.left + box.width <= 70);
      const ratio = box.width / box.height;
      assert.ok(ratio > 0.7 && ratio < 1.4, `ratio ${ratio}`);
    }
    // scale (1, 1) and ratio (1, 1) on a square image: the whole image, copied exactly
    const square = toFloat(bytes.subarray(0, 3 * 25), 3, 5, 5);
    const box = randomResizedCropBox(5, 5, [1, 1], [1, 1], r);
    assert.deepEqual(box, { top: 0, left: 0, height: 5, width: 5 });
    assert.deepEqual(resample(square, box, 5, 5).data, square.data);
    // the central fallback when no try fits: a 1x10 strip under ratio (3/4, 4/3) keeps a centred 1x1
    assert.deepEqual(randomResizedCropBox(10, 1, [0.9, 1], [3 / 4, 4 / 3], r), {
      top: 4,
      left: 0,
      height: 1,
      width: 1,
    });
  });

  it("resamples like PIL's bilinear resize (boxes) and torchvision's Resize + CenterCrop", () => {
    const golden = JSON.parse(readFileSync(fixturePath("resample-pil.json"), "utf8")) as {
      shape: [number, number];
      pixels: number[];
      boxes: { box: [number, number, number, number]; out: [number, number]; values: number[] }[];
      center: { resize: number; size: number; values: number[] }[];
    };
    const [h, w] = golden.shape;
    const source = toFloat(Uint8Array.from(golden.pixels), 1, h, w);
    for (const { box, out, values } of golden.boxes) {
      const [top, left, height, width] = box;
      const got = resample(source, { top, left, height, width }, ...out).data;
      assertClose(got, values, { atol: 1e-3, what: `box ${box} -> ${out}` });
    }
    for (const { resize, size, values } of golden.center) {
      const got = resample(source, resizeCenterCropBox(h, w, resize, size), size, size).data;
      assertClose(got, values, { atol: 1e-3, what: `resize ${resize} + center crop ${size}` });
    }
  });

  it("bilinear resampling keeps constants and widens its triangle when shrinking (PIL's antialiasing)", () => {
    const flat = { channels: 1, height: 8, width: 8, data: new Float32Array(64).fill(77) };
    for (const [h, w] of [
      [3, 5],
      [13, 4],
    ] as const) {
      for (const v of resample(flat, { top: 0, left: 0, height: 8, width: 8 }, h, w).data)
        assert.ok(Math.abs(v - 77) < 1e-4);
    }
    // 8 -> 4: interior outputs weigh 4 inputs 1:3:3:1; the edges renormalise the taps inside the image
    const ramp = {
      channels: 1,
      height: 1,
      width: 8,
      data: Float32Array.from({ length: 8 }, (_, i) => 10 * i),
    };
    const half = resample(ramp, { top: 0, left: 0, height: 1, width: 8 }, 1, 4).data;
    assert.deepEqual([...half.subarray(1, 3)], [25, 45]);
    assert.equal(half[0], Math.fround(12.5 / 1.75));
  });
});
