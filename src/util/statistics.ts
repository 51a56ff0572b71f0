// Summary statistics for comparing runs over seeds: mean, sample standard deviation, Student's t
// 95% interval of a mean (small seed counts), and the percentile bootstrap (Efron & Tibshirani 1993,
// ch. 13) for statistics with no closed-form interval, such as Kendall's tau.
import { Random } from "./random.js";

export const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Sample standard deviation (n - 1 in the denominator); 0 for a single value. */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom (any t table). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t(0.975, df); beyond the table, the normal quantile with two Cornish-Fisher terms (Abramowitz & Stegun 26.7.5). */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new Error(`tQuantile975: ${df} degrees of freedom`);
  const z = 1.959964;
  const expansion = z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
  return (T975[df - 1] as number | undefined) ?? expansion;
}

export interface Summary {
  mean: number;
  sd: number;
  n: number;
  /** Student's t 95% interval of the mean; [mean, mean] for one value. */
  ci95: [number, number];
}

/** Mean, spread and the t interval of the mean of `xs` (e.g. one accuracy per seed). */
export function summarize(xs: readonly number[]): Summary {
  if (xs.length === 0) throw new Error("summarize: no values");
  const m = mean(xs);
  const sd = sampleSd(xs);
  const half = xs.length < 2 ? 0 : (tQuantile975(xs.length - 1) * sd) / Math.sqrt(xs.length);
  return { mean: m, sd, n: xs.length, ci95: [m - half, m + half] };
}

/** The q-quantile (0..1) of sorted values, linearly interpolated (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (at - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
}

/**
 * Percentile bootstrap 95% interval of `statistic` over `n` paired observations: the statistic is
 * recomputed on `resamples` draws of n indices with replacement; draws where it is undefined (NaN) are
 * skipped.
 */
export function bootstrap95(
  n: number,
  statistic: (indices: readonly number[]) => number,
  o: BootstrapOptions = {},
): [number, number] {
  const random = new Random(o.seed ?? 0);
  const values: number[] = [];
  for (let r = 0; r < (o.resamples ?? 2000); r++) {
    const value = statistic(Array.from({ length: n }, () => random.int(n)));
    if (!Number.isNaN(value)) values.push(value);
  }
  if (values.length === 0) return [Number.NaN, Number.NaN];
  values.sort((a, b) => a - b);
  return [quantile(values, 0.025), quantile(values, 0.975)];
}
