// The entropy (KL-divergence) calibration threshold of Migacz, "8-bit Inference with TensorRT" (GTC
// 2017): a histogram of |x| over [0, max|x|]; for each candidate threshold i bins wide, the reference P
// is the first i bins with the clipped tail added to the last, and Q is those bins (without the tail)
// merged into `levels` quantized bins and spread back over P's non-empty bins, as MXNet's
// _get_optimal_threshold builds them; both are smoothed (eps 1e-4 moved onto empty bins, as there and in
// ONNX Runtime's calibrator), and the threshold with the least KL(P || Q) wins.

/** Histogram bins of |x| (TensorRT's 2048). */
const ENTROPY_BINS = 2048;
const EPS = 1e-4;

/** Smoothed, normalized copy of counts `p` (ORT's smooth_distribution), or null if all are zero. */
function smoothed(p: Float64Array): Float64Array | null {
  let zeros = 0;
  for (const v of p) if (v === 0) zeros++;
  const nonzeros = p.length - zeros;
  if (nonzeros === 0) return null;
  const eps1 = (EPS * zeros) / nonzeros;
  const out = p.map((v) => (v === 0 ? EPS : v - eps1));
  const total = out.reduce((s, v) => s + v, 0);
  return out.map((v) => v / total);
}

/** KL(P || Q) of counts over the same bins, after smoothing both (infinite if Q cannot be smoothed). */
function klDivergence(p: Float64Array, q: Float64Array): number {
  const ps = smoothed(p);
  const qs = smoothed(q);
  if (ps === null || qs === null) return Number.POSITIVE_INFINITY;
  let kl = 0;
  for (let k = 0; k < ps.length; k++) {
    const pk = ps[k] as number;
    if (pk > 0) kl += pk * Math.log(pk / (qs[k] as number));
  }
  return kl;
}

/**
 * Q for the first i bins of `hist`: merged into `levels` bins (the remainder joins the last) and spread
 * back evenly over the bins where the reference `p` is not empty.
 */
function quantizedReference(hist: Float64Array, p: Float64Array, levels: number): Float64Array {
  const i = p.length;
  const merged = Math.floor(i / levels);
  const q = new Float64Array(i);
  for (let level = 0; level < levels; level++) {
    const start = level * merged;
    const end = level === levels - 1 ? i : start + merged;
    let sum = 0;
    let nonzero = 0;
    for (let k = start; k < end; k++) {
      sum += hist[k] as number;
      if ((p[k] as number) !== 0) nonzero++;
    }
    if (nonzero > 0) for (let k = start; k < end; k++) if ((p[k] as number) !== 0) q[k] = sum / nonzero;
  }
  return q;
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
  for (let i = levels; i <= bins; i++) {
    // P: the first i bins, the clipped tail (bins i..) folded into the last.
    const p = hist.slice(0, i);
    p[i - 1] = (p[i - 1] as number) + tail;
    const kl = klDivergence(p, quantizedReference(hist, p, levels));
    if (kl < best.kl) best = { kl, i };
    if (i < bins) tail -= hist[i] as number;
  }
  return best.i * width;
}
