// The entropy (KL-divergence) calibration threshold of Migacz, "8-bit Inference with TensorRT" (GTC
// 2017): a histogram of |x| over [0, max|x|]; for each candidate threshold i bins wide, the reference P
// is the first i bins with the clipped tail added to the last, and Q is those bins (without the tail)
// merged into `levels` quantized bins and spread back over P's non-empty bins, as MXNet's
// _get_optimal_threshold builds them; both are smoothed (eps 1e-4 moved onto empty bins, as there and in
// ONNX Runtime's calibrator), and the threshold with the least KL(P || Q) wins.

/** Histogram bins of |x| (TensorRT's 2048). */
const ENTROPY_BINS = 2048;
const EPS = 1e-4;

/** Smoothed, normalized counts `p[0, n)` into `out` (ORT's smooth_distribution); false if all are zero. */
function smoothInto(p: Float64Array, n: number, out: Float64Array): boolean {
  let zeros = 0;
  for (let k = 0; k < n; k++) if (p[k] === 0) zeros++;
  const nonzeros = n - zeros;
  if (nonzeros === 0) return false;
  const eps1 = (EPS * zeros) / nonzeros;
  let total = 0;
  for (let k = 0; k < n; k++) {
    const v = p[k] as number;
    const smooth = v === 0 ? EPS : v - eps1;
    out[k] = smooth;
    total += smooth;
  }
  for (let k = 0; k < n; k++) out[k] = (out[k] as number) / total;
  return true;
}

/** Scratch arrays of `bins` values, reused for every candidate threshold (no allocation per candidate). */
interface Scratch {
  p: Float64Array;
  q: Float64Array;
  ps: Float64Array;
  qs: Float64Array;
}

/** KL(P || Q) of counts over their first n bins, after smoothing both (infinite if either cannot be). */
function klDivergence(s: Scratch, n: number): number {
  if (!smoothInto(s.p, n, s.ps) || !smoothInto(s.q, n, s.qs)) return Number.POSITIVE_INFINITY;
  let kl = 0;
  for (let k = 0; k < n; k++) {
    const pk = s.ps[k] as number;
    if (pk > 0) kl += pk * Math.log(pk / (s.qs[k] as number));
  }
  return kl;
}

/**
 * Q (into s.q) for the first n bins of `hist`: merged into `levels` bins (the remainder joins the last)
 * and spread back evenly over the bins where the reference s.p is not empty.
 */
function quantizedReference(hist: Float64Array, s: Scratch, n: number, levels: number): void {
  const merged = Math.floor(n / levels);
  s.q.fill(0, 0, n);
  for (let level = 0; level < levels; level++) {
    const start = level * merged;
    const end = level === levels - 1 ? n : start + merged;
    let sum = 0;
    let nonzero = 0;
    for (let k = start; k < end; k++) {
      sum += hist[k] as number;
      if ((s.p[k] as number) !== 0) nonzero++;
    }
    if (nonzero > 0) for (let k = start; k < end; k++) if ((s.p[k] as number) !== 0) s.q[k] = sum / nonzero;
  }
}

/**
 * The clipping threshold t of |x| for `values`, quantized onto `levels` magnitude levels (128 for values
 * of both signs, 256 for non-negative ones on uint8): the upper edge of the best i-bin prefix.
 */
export function entropyThreshold(values: ArrayLike<number>, levels: number, bins = ENTROPY_BINS): number {
  let maxAbs = 0;
  for (let k = 0; k < values.length; k++) maxAbs = Math.max(maxAbs, Math.abs(values[k] as number));
  if (maxAbs === 0 || bins <= levels) return maxAbs;
  const width = maxAbs / bins;
  const hist = new Float64Array(bins);
  for (let k = 0; k < values.length; k++)
    hist[Math.min(bins - 1, Math.floor(Math.abs(values[k] as number) / width))]++;
  let best = { kl: Number.POSITIVE_INFINITY, i: bins };
  let tail = 0;
  for (let k = levels; k < bins; k++) tail += hist[k] as number;
  const scratch: Scratch = {
    p: new Float64Array(bins),
    q: new Float64Array(bins),
    ps: new Float64Array(bins),
    qs: new Float64Array(bins),
  };
  for (let i = levels; i <= bins; i++) {
    // P: the first i bins, the clipped tail (bins i..) folded into the last.
    scratch.p.set(hist.subarray(0, i));
    scratch.p[i - 1] = (scratch.p[i - 1] as number) + tail;
    quantizedReference(hist, scratch, i, levels);
    const kl = klDivergence(scratch, i);
    if (kl < best.kl) best = { kl, i };
    if (i < bins) tail -= hist[i] as number;
  }
  return best.i * width;
}
