// Range observers of post-training calibration: "minmax" keeps each value's extremes (ORT's and
// PyTorch's MinMaxObserver); "percentile" and "entropy" keep a seeded uniform sample of each value
// (reservoir sampling, Vitter's algorithm R) and clip it, at its 0.01st and 99.99th percentiles or at
// the KL-divergence threshold (entropy.ts), so rare outliers do not stretch the 256 levels over a range
// the bulk of the activations never uses.
import { Random } from "../util/random.js";
import { entropyThreshold } from "./entropy.js";

export const OBSERVER_KINDS = ["minmax", "percentile", "entropy"] as const;
export type ObserverKind = (typeof OBSERVER_KINDS)[number];

/** Observed range of a value over the calibration batches. */
export interface Range {
  min: number;
  max: number;
}

/** Elements kept per value by the sampling observers. */
const SAMPLE = 1 << 16;
/** The percentile observer's upper percentile (its lower one is 100 minus it). */
export const PERCENTILE = 99.99;

export interface RangeObserver {
  observe(name: string, data: ArrayLike<number>): void;
  ranges(): Map<string, Range>;
}

function minMaxObserver(): RangeObserver {
  const ranges = new Map<string, Range>();
  return {
    observe(name, data) {
      let { min, max } = ranges.get(name) ?? { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
      for (let i = 0; i < data.length; i++) {
        const v = data[i] as number;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      ranges.set(name, { min, max });
    },
    ranges: () => new Map(ranges),
  };
}

/** The q-quantile (0..1) of sorted values, by linear interpolation. */
function quantile(sorted: Float32Array, q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo);
}

/** The range the percentile observer reports for a sorted sample. */
const percentileRange = (sorted: Float32Array): Range => ({
  min: quantile(sorted, 1 - PERCENTILE / 100),
  max: quantile(sorted, PERCENTILE / 100),
});

/**
 * The range the entropy observer reports for a sorted sample: clipped at +-t, with t found for the
 * levels the value gets on uint8 (256 if it is never negative, about 128 a side otherwise).
 */
function entropyRange(sorted: Float32Array): Range {
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  const t = entropyThreshold(sorted, min < 0 ? 128 : 256);
  return { min: Math.max(min, -t), max: Math.min(max, t) };
}

/** An observer that keeps a seeded uniform sample of each value and reports `rangeOf` its sorted sample. */
function sampleObserver(seed: number, rangeOf: (sorted: Float32Array) => Range): RangeObserver {
  const samples = new Map<string, { kept: Float32Array; seen: number }>();
  const random = new Random(seed);
  return {
    observe(name, data) {
      const s = samples.get(name) ?? { kept: new Float32Array(SAMPLE), seen: 0 };
      samples.set(name, s);
      for (let i = 0; i < data.length; i++) {
        if (s.seen < SAMPLE) s.kept[s.seen] = data[i] as number;
        else {
          const j = random.int(s.seen + 1);
          if (j < SAMPLE) s.kept[j] = data[i] as number;
        }
        s.seen++;
      }
    },
    ranges() {
      const out = new Map<string, Range>();
      for (const [name, s] of samples) {
        out.set(name, rangeOf(s.kept.slice(0, Math.min(s.seen, SAMPLE)).sort()));
      }
      return out;
    },
  };
}

export function rangeObserver(kind: ObserverKind, seed = 0): RangeObserver {
  if (kind === "minmax") return minMaxObserver();
  return sampleObserver(seed, kind === "percentile" ? percentileRange : entropyRange);
}
