// Range observers of post-training calibration: "minmax" keeps each value's extremes (ORT's and
// PyTorch's MinMaxObserver); "percentile" keeps a seeded uniform sample of each value (reservoir
// sampling, Vitter's algorithm R) and reports its 0.01st and 99.99th percentiles, so rare outliers do
// not stretch the 256 levels over a range the bulk of the activations never uses.
import { Random } from "../util/random.js";

export type ObserverKind = "minmax" | "percentile";

/** Observed range of a value over the calibration batches. */
export interface Range {
  min: number;
  max: number;
}

/** Elements kept per value by the percentile observer. */
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

function percentileObserver(seed: number): RangeObserver {
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
        const sorted = s.kept.slice(0, Math.min(s.seen, SAMPLE)).sort();
        out.set(name, {
          min: quantile(sorted, 1 - PERCENTILE / 100),
          max: quantile(sorted, PERCENTILE / 100),
        });
      }
      return out;
    },
  };
}

export const rangeObserver = (kind: ObserverKind, seed = 0): RangeObserver =>
  kind === "minmax" ? minMaxObserver() : percentileObserver(seed);
