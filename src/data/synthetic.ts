// A seeded synthetic image dataset for tests and smoke runs: each class is a colour plus a grating of
// its own orientation, frequency and phase, drawn with a jittered phase and pixel noise, so a tiny net
// beats chance within a few steps. Same options and seed, same bytes.
import { Random, seedOf } from "../util/random.js";
import { type ImageDataset, makeDataset, shared } from "./dataset.js";

export interface SyntheticOptions {
  /** Number of images. */
  count: number;
  /** Number of classes, labels balanced (count / classes each, the remainder to the first ones). */
  classes: number;
  channels: number;
  /** Height and width in pixels. */
  size: number;
  /** Draws the labels' order, phase jitter and noise. The class patterns depend only on `classes` and `channels`,
   * so sets drawn with different seeds (a train and a test set) share them. */
  seed: number;
}

const AMPLITUDE = 40; // grating amplitude around the class colour
const NOISE = 24; // uniform pixel noise in [-NOISE, NOISE]
const JITTER = Math.PI / 4; // uniform phase jitter of each image's grating in [-JITTER, JITTER]

export function syntheticDataset({ count, classes, channels, size, seed }: SyntheticOptions): ImageDataset {
  for (const [name, value, min] of [
    ["count", count, 1],
    ["classes", classes, 2],
    ["channels", channels, 1],
    ["size", size, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`synthetic dataset: ${name} must be an integer >= ${min}, got ${value}`);
    }
  }
  const patterns = new Random(seedOf(`synthetic:${classes}:${channels}`));
  const classPatterns = Array.from({ length: classes }, (_, k) => {
    const angle = (Math.PI * k) / classes;
    const cycles = 1.5 + (k % 3); // grating periods across the image
    return {
      colour: Array.from({ length: channels }, () =>
        patterns.uniform(AMPLITUDE + NOISE, 255 - AMPLITUDE - NOISE),
      ),
      fx: (2 * Math.PI * cycles * Math.cos(angle)) / size,
      fy: (2 * Math.PI * cycles * Math.sin(angle)) / size,
      phase: patterns.uniform(0, 2 * Math.PI),
    };
  });
  const random = new Random(seed);
  const labels = random.shuffle(Array.from({ length: count }, (_, i) => i % classes));
  const plane = size * size;
  const pixels = shared(count * channels * plane);
  for (let n = 0; n < count; n++) {
    const {
      colour,
      fx,
      fy,
      phase: classPhase,
    } = classPatterns[labels[n] as number] as (typeof classPatterns)[number];
    const phase = classPhase + random.uniform(-JITTER, JITTER);
    // [C, H, W] of image n
    for (let c = 0; c < channels; c++) {
      const level = colour[c] as number;
      const base = (n * channels + c) * plane;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const v = level + AMPLITUDE * Math.cos(fx * x + fy * y + phase) + random.uniform(-NOISE, NOISE);
          pixels[base + y * size + x] = Math.round(v); // within 0..255 by the colour range
        }
      }
    }
  }
  return makeDataset({
    source: `synthetic (${classes} classes, seed ${seed})`,
    count,
    channels,
    height: size,
    width: size,
    classes,
    classNames: null,
    pixels,
    labels: Int32Array.from(labels),
  });
}
