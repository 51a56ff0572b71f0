// Data augmentation without tensors: uint8 CHW images in, float32 CHW out, driven by an AugmentSpec
// (plain JSON-able data) whose random decisions all come from one seeded Random per sample.
import type { Random } from "../util/random.js";

/** A float CHW image on the 0..255 scale of its uint8 source; data is [channels, height, width]. */
export interface FloatImage {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/** A region of an image in (possibly fractional) source pixels. */
export interface Box {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** One step of a pipeline; each random step draws from the sample's Random in the order listed. */
export type AugmentStep =
  /** Zero-pad `pad` pixels on every side, then crop a random size x size window (torchvision RandomCrop). */
  | { kind: "pad-crop"; pad: number; size: number }
  /** Mirror left-right with probability p. */
  | { kind: "flip"; p: number }
  /** torchvision RandomResizedCrop: a random box of `scale` area and `ratio` aspect, resampled to size x size. */
  | { kind: "random-resized-crop"; size: number; scale: [number, number]; ratio: [number, number] }
  /** torchvision ColorJitter: factors drawn in [max(0, 1 - v), 1 + v], applied in a random order. */
  | { kind: "color-jitter"; brightness: number; contrast: number; saturation: number }
  /** Evaluation: resize the shorter side to `resize`, then the central size x size crop. */
  | { kind: "resize-center-crop"; resize: number; size: number };

/**
 * The last step, to float32 output. "mean-std": (v / 255 - mean[c]) / std[c] per channel. "bgr255":
 * the official Megvii convention, channels reversed (RGB -> BGR) and values left on 0..255.
 */
export type Normalization = { kind: "mean-std"; mean: number[]; std: number[] } | { kind: "bgr255" };

export interface AugmentSpec {
  steps: AugmentStep[];
  normalize: Normalization;
}

const meanStd = (mean: number[], std: number[]): Normalization => ({ kind: "mean-std", mean, std });
const FLIP: AugmentStep = { kind: "flip", p: 0.5 };

/** The named pipelines at their native size; `augmentPreset` adapts them. */
const PRESETS = {
  /** Scale to [0, 1] only. */
  none: { channels: 0, size: 0, normalize: null },
  "fashion-mnist": { channels: 1, size: 28, normalize: meanStd([0.286], [0.353]) },
  cifar: { channels: 3, size: 32, normalize: meanStd([0.4914, 0.4822, 0.4465], [0.247, 0.2435, 0.2616]) },
  imagenet: { channels: 3, size: 224, normalize: meanStd([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]) },
};

export type AugmentPreset = keyof typeof PRESETS;
export const AUGMENT_PRESETS = Object.keys(PRESETS) as AugmentPreset[];

export interface PresetOptions {
  /** The training pipeline (default); false gives its evaluation counterpart, which draws nothing at random. */
  train?: boolean;
  /** Output side (default the preset's: 28, 32, 224); "imagenet" evaluates on a resize to size / 0.875. */
  size?: number;
  /** Channels of the data, checked against the preset's statistics ("none" adapts to them; default 3). */
  channels?: number;
}

/**
 * A named pipeline. Training: "fashion-mnist" pad 2 + random crop + flip, "cifar" pad 4 + random crop
 * + flip, "imagenet" random-resized-crop + colour jitter 0.4 + flip; evaluation: the normalisation
 * alone, or for "imagenet" resize + center crop. Each normalises by its data set's mean and std.
 */
export function augmentPreset(name: string, options: PresetOptions = {}): AugmentSpec {
  if (!Object.hasOwn(PRESETS, name)) {
    throw new Error(
      `augmentation preset "${name}" is unknown (expected one of ${AUGMENT_PRESETS.join(", ")})`,
    );
  }
  const preset = PRESETS[name as AugmentPreset];
  const { train = true, size = preset.size, channels = preset.channels || 3 } = options;
  if (preset.channels && channels !== preset.channels) {
    throw new Error(
      `augmentation preset "${name}" is for ${preset.channels}-channel images, not ${channels}`,
    );
  }
  const normalize = preset.normalize ?? meanStd(Array(channels).fill(0), Array(channels).fill(1));
  const steps: AugmentStep[] = [];
  if (name === "fashion-mnist" || name === "cifar") {
    if (train) steps.push({ kind: "pad-crop", pad: name === "cifar" ? 4 : 2, size }, FLIP);
  } else if (name === "imagenet") {
    if (train) {
      steps.push(
        { kind: "random-resized-crop", size, scale: [0.08, 1], ratio: [3 / 4, 4 / 3] },
        { kind: "color-jitter", brightness: 0.4, contrast: 0.4, saturation: 0.4 },
        FLIP,
      );
    } else steps.push({ kind: "resize-center-crop", resize: Math.round(size / 0.875), size });
  }
  return structuredClone({ steps, normalize });
}

/** Python's round() (half to even), which torchvision's crop arithmetic uses. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function toFloat(pixels: Uint8Array, channels: number, height: number, width: number): FloatImage {
  return { channels, height, width, data: new Float32Array(pixels) };
}

/** The size x size window at (top, left) of the image zero-padded by `pad` on every side. */
export function padCrop(img: FloatImage, pad: number, size: number, top: number, left: number): FloatImage {
  const { channels: c, height: h, width: w } = img;
  const out = new Float32Array(c * size * size);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < size; y++) {
      const sy = top + y - pad;
      if (sy < 0 || sy >= h) continue;
      for (let x = 0; x < size; x++) {
        const sx = left + x - pad;
        if (sx >= 0 && sx < w) out[(ch * size + y) * size + x] = img.data[(ch * h + sy) * w + sx] as number;
      }
    }
  }
  return { channels: c, height: size, width: size, data: out };
}

export function hflip(img: FloatImage): FloatImage {
  const { width: w, data } = img;
  const out = new Float32Array(data.length);
  for (let row = 0; row < out.length; row += w) {
    for (let x = 0; x < w; x++) out[row + x] = data[row + w - 1 - x] as number;
  }
  return { ...img, data: out };
}

/** torchvision RandomResizedCrop.get_params: 10 tries at a random box, then a central fallback. */
export function randomResizedCropBox(
  height: number,
  width: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
  random: Random,
): Box {
  const area = height * width;
  const [logLo, logHi] = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * random.uniform(scale[0], scale[1]);
    const aspect = Math.exp(random.uniform(logLo, logHi));
    const w = roundHalfEven(Math.sqrt(target * aspect));
    const h = roundHalfEven(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = random.int(height - h + 1);
      return { top, left: random.int(width - w + 1), height: h, width: w };
    }
  }
  const inRatio = width / height;
  let [h, w] = [height, width];
  if (inRatio < Math.min(...ratio)) h = roundHalfEven(w / Math.min(...ratio));
  else if (inRatio > Math.max(...ratio)) w = roundHalfEven(h * Math.max(...ratio));
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/** The source box that torchvision's Resize(resize) (shorter side) then CenterCrop(size) keeps. */
export function resizeCenterCropBox(height: number, width: number, resize: number, size: number): Box {
  const [newH, newW] =
    width <= height
      ? [Math.trunc((resize * height) / width), resize]
      : [resize, Math.trunc((resize * width) / height)];
  const [sy, sx] = [height / newH, width / newW];
  return {
    top: roundHalfEven((newH - size) / 2) * sy,
    left: roundHalfEven((newW - size) / 2) * sx,
    height: size * sy,
    width: size * sx,
  };
}

/** PIL-style bilinear taps along one axis: for output o, weights over source [first[o], first[o] + count[o]) at a stride of taps. */
function bilinearTaps(inSize: number, start: number, span: number, outSize: number) {
  const scale = span / outSize;
  const support = Math.max(scale, 1); // the triangle widens when shrinking (antialiasing)
  const taps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * taps);
  for (let o = 0; o < outSize; o++) {
    const center = start + (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    first[o] = lo;
    count[o] = hi - lo;
    let sum = 0;
    for (let k = 0; k < hi - lo; k++) {
      const wk = Math.max(0, 1 - Math.abs((lo + k - center + 0.5) / support));
      weights[o * taps + k] = wk;
      sum += wk;
    }
    if (sum > 0) for (let k = 0; k < hi - lo; k++) weights[o * taps + k] /= sum;
  }
  return { first, count, weights, taps };
}

/**
 * The box resampled to outH x outW with a bilinear (triangle) filter, antialiased when shrinking like
 * PIL's resize; a box the size of the output at integer offsets copies pixels exactly.
 */
export function resample(img: FloatImage, box: Box, outH: number, outW: number): FloatImage {
  const { channels: c, height: h, width: w, data } = img;
  const xs = bilinearTaps(w, box.left, box.width, outW);
  const ys = bilinearTaps(h, box.top, box.height, outH);
  const rowLo = ys.first[0] as number;
  const rows = (ys.first[outH - 1] as number) + (ys.count[outH - 1] as number) - rowLo;
  // horizontal pass: [c, rows, w] -> [c, rows, outW]
  const mid = new Float32Array(c * rows * outW);
  for (let ch = 0; ch < c; ch++) {
    for (let r = 0; r < rows; r++) {
      const src = (ch * h + rowLo + r) * w;
      for (let x = 0; x < outW; x++) {
        const lo = xs.first[x] as number;
        const n = xs.count[x] as number;
        let acc = 0;
        for (let k = 0; k < n; k++)
          acc += (xs.weights[x * xs.taps + k] as number) * (data[src + lo + k] as number);
        mid[(ch * rows + r) * outW + x] = acc;
      }
    }
  }
  // vertical pass: [c, rows, outW] -> [c, outH, outW]
  const out = new Float32Array(c * outH * outW);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < outH; y++) {
      const lo = (ys.first[y] as number) - rowLo;
      const n = ys.count[y] as number;
      for (let x = 0; x < outW; x++) {
        let acc = 0;
        for (let k = 0; k < n; k++) {
          acc += (ys.weights[y * ys.taps + k] as number) * (mid[(ch * rows + lo + k) * outW + x] as number);
        }
        out[(ch * outH + y) * outW + x] = acc;
      }
    }
  }
  return { channels: c, height: outH, width: outW, data: out };
}

/** ITU-R 601-2 luma per pixel (PIL's "L" conversion); a 1-channel image is its own luma. */
function luma(img: FloatImage): Float32Array {
  const plane = img.height * img.width;
  if (img.channels === 1) return img.data;
  const gray = new Float32Array(plane);
  const d = img.data;
  for (let p = 0; p < plane; p++) {
    gray[p] =
      0.299 * (d[p] as number) + 0.587 * (d[plane + p] as number) + 0.114 * (d[2 * plane + p] as number);
  }
  return gray;
}

/** factor * img + (1 - factor) * other, clamped to 0..255; `other` is a constant or a per-pixel plane. */
function blend(img: FloatImage, other: number | Float32Array, factor: number): FloatImage {
  const plane = img.height * img.width;
  const out = new Float32Array(img.data.length);
  const gray = typeof other === "number" ? null : other;
  for (let base = 0; base < out.length; base += plane) {
    for (let p = 0; p < plane; p++) {
      const o = gray ? (gray[p] as number) : (other as number);
      out[base + p] = Math.min(255, Math.max(0, factor * (img.data[base + p] as number) + (1 - factor) * o));
    }
  }
  return { ...img, data: out };
}

export const adjustBrightness = (img: FloatImage, factor: number) => blend(img, 0, factor);

export function adjustContrast(img: FloatImage, factor: number): FloatImage {
  const gray = luma(img);
  return blend(img, gray.reduce((s, v) => s + v, 0) / gray.length, factor);
}

export const adjustSaturation = (img: FloatImage, factor: number) =>
  img.channels === 1 ? img : blend(img, luma(img), factor);

/** torchvision ColorJitter without hue: a random order of the three, then a factor for each enabled one. */
export function colorJitter(
  img: FloatImage,
  jitter: { brightness: number; contrast: number; saturation: number },
  random: Random,
): FloatImage {
  const order = random.permutation(3);
  const adjust = [adjustBrightness, adjustContrast, adjustSaturation];
  const strengths = [jitter.brightness, jitter.contrast, jitter.saturation];
  const factors = strengths.map((v) => (v > 0 ? random.uniform(Math.max(0, 1 - v), 1 + v) : 1));
  let out = img;
  for (const i of order)
    if ((strengths[i] as number) > 0) out = (adjust[i] as typeof adjustBrightness)(out, factors[i] as number);
  return out;
}

/** Writes the normalised image into out[offset, offset + C*H*W). */
export function normalizeInto(img: FloatImage, norm: Normalization, out: Float32Array, offset: number): void {
  const plane = img.height * img.width;
  const c = img.channels;
  for (let ch = 0; ch < c; ch++) {
    const src = img.data.subarray(ch * plane, (ch + 1) * plane);
    if (norm.kind === "bgr255") {
      out.set(src, offset + (c - 1 - ch) * plane);
      continue;
    }
    const [mean, std] = [norm.mean[ch] as number, norm.std[ch] as number];
    const base = offset + ch * plane;
    for (let p = 0; p < plane; p++) out[base + p] = ((src[p] as number) / 255 - mean) / std;
  }
}

function applyStep(img: FloatImage, step: AugmentStep, random: Random): FloatImage {
  switch (step.kind) {
    case "pad-crop": {
      const top = random.int(img.height + 2 * step.pad - step.size + 1);
      return padCrop(img, step.pad, step.size, top, random.int(img.width + 2 * step.pad - step.size + 1));
    }
    case "flip":
      return random.next() < step.p ? hflip(img) : img;
    case "random-resized-crop": {
      const box = randomResizedCropBox(img.height, img.width, step.scale, step.ratio, random);
      return resample(img, box, step.size, step.size);
    }
    case "color-jitter":
      return colorJitter(img, step, random);
    case "resize-center-crop":
      return resample(
        img,
        resizeCenterCropBox(img.height, img.width, step.resize, step.size),
        step.size,
        step.size,
      );
  }
}

/** Runs the pipeline on one uint8 image [C, H, W] and writes the float32 result into out at offset. */
export function augmentInto(
  spec: AugmentSpec,
  pixels: Uint8Array,
  shape: readonly [number, number, number],
  random: Random,
  out: Float32Array,
  offset: number,
): void {
  let img = toFloat(pixels, ...shape);
  for (const step of spec.steps) img = applyStep(img, step, random);
  normalizeInto(img, spec.normalize, out, offset);
}

/**
 * Checks a spec (typed or parsed from JSON) against the input shape [C, H, W] and returns the
 * output shape; errors are one line starting with `where`.
 */
export function augmentedShape(
  spec: AugmentSpec,
  shape: readonly [number, number, number],
  where = "augmentation",
): [number, number, number] {
  const fail = (problem: string): never => {
    throw new Error(`${where}: ${problem}`);
  };
  const isInt = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;
  const isRange = (r: unknown, max: number) =>
    Array.isArray(r) && r.length === 2 && r[0] > 0 && r[0] <= r[1] && r[1] <= max;
  const c = shape[0];
  let [h, w] = [shape[1], shape[2]];
  if (!spec || !Array.isArray(spec.steps)) fail(`expected {"steps": [...], "normalize": {...}}`);
  spec.steps.forEach((step, i) => {
    const bad = (problem: string) => fail(`step ${i} (${JSON.stringify(step)}) ${problem}`);
    switch (step?.kind) {
      case "pad-crop":
        if (!isInt(step.pad, 0) || !isInt(step.size, 1)) bad("needs an integer pad >= 0 and size >= 1");
        if (step.size > h + 2 * step.pad || step.size > w + 2 * step.pad)
          bad(`does not fit the ${h}x${w} input`);
        [h, w] = [step.size, step.size];
        break;
      case "flip":
        if (!(step.p >= 0 && step.p <= 1)) bad("needs a probability p in [0, 1]");
        break;
      case "random-resized-crop":
        if (!isInt(step.size, 1)) bad("needs an integer size >= 1");
        if (!isRange(step.scale, 1) || !isRange(step.ratio, Number.POSITIVE_INFINITY)) {
          bad("needs scale [lo, hi] in (0, 1] and ratio [lo, hi] > 0 with lo <= hi");
        }
        [h, w] = [step.size, step.size];
        break;
      case "color-jitter":
        if (![step.brightness, step.contrast, step.saturation].every((v) => v >= 0))
          bad("needs factors >= 0");
        if (c !== 1 && c !== 3) bad(`needs 1 or 3 channels, not ${c}`);
        break;
      case "resize-center-crop":
        if (!isInt(step.size, 1) || !isInt(step.resize, step.size)) bad("needs integers resize >= size >= 1");
        [h, w] = [step.size, step.size];
        break;
      default:
        bad(
          "has an unknown kind (expected pad-crop, flip, random-resized-crop, color-jitter or resize-center-crop)",
        );
    }
  });
  const norm = spec.normalize;
  if (norm?.kind === "mean-std") {
    const ok = (v: unknown) => Array.isArray(v) && v.length === c && v.every((x) => Number.isFinite(x));
    if (!ok(norm.mean) || !ok(norm.std) || !norm.std.every((s) => s > 0)) {
      fail(`normalize needs ${c} means and ${c} positive stds for ${c}-channel images`);
    }
  } else if (norm?.kind !== "bgr255") {
    fail(`normalize must be {"kind": "mean-std", "mean": [...], "std": [...]} or {"kind": "bgr255"}`);
  }
  return [c, h, w];
}
