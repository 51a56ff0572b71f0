// LASSO by cyclic coordinate descent on the Gram matrix, the solver the official channel-pruning code
// calls (yihui-he/channel-pruning lib/decompose.py: sklearn.linear_model.Lasso). Objective exactly
// sklearn's, no intercept: (1 / (2n)) ||y - X b||^2 + alpha ||b||_1, optionally b >= 0. Only
// G = X^T X [p, p] and q = X^T y [p] are read, so the cost per sweep is O(p^2) whatever n is.
import { type Tensor, tidy } from "../engine/index.js";

export interface LassoProblem {
  /** X^T X, row-major [p, p]. */
  gram: Float64Array;
  /** X^T y [p]. */
  xty: Float64Array;
  /** Rows of X (sklearn's n_samples), the 1/(2n) of the objective. */
  rows: number;
}

export interface LassoOptions {
  alpha: number;
  /** Constrain b >= 0 (sklearn positive=True). */
  positive?: boolean;
  /** Stop when no coefficient moved by more than tol * max |b| in a sweep (sklearn's coordinate rule). */
  tol?: number;
  maxIter?: number;
  /** Warm start (sklearn warm_start=True): the previous solution; not modified. */
  init?: Float64Array;
}

/** The Gram form of the problem with design x [n, p] and target y [n], in float64. */
export function lassoProblem(x: Tensor, y: Tensor): LassoProblem {
  const [rows] = x.shape as [number, number];
  return tidy(() => {
    const xd = x.to("float64");
    const xt = xd.transpose(0, 1);
    // (p, n) x (n, p) -> (p, p); (p, n) x (n, 1) -> (p, 1)
    const gram = xt.matmul(xd).contiguous().toTypedArray() as Float64Array;
    const xty = xt.matmul(y.to("float64").reshape(rows, 1)).contiguous().toTypedArray() as Float64Array;
    return { gram: Float64Array.from(gram), xty: Float64Array.from(xty), rows };
  });
}

/** The coefficients b minimising sklearn's Lasso objective. */
export function lasso({ gram, xty, rows }: LassoProblem, o: LassoOptions): Float64Array {
  const p = xty.length;
  if (gram.length !== p * p)
    throw new Error(`lasso: Gram matrix has ${gram.length} entries, expected ${p * p}`);
  const tol = o.tol ?? 1e-4;
  const maxIter = o.maxIter ?? 1000;
  const threshold = rows * o.alpha;
  const b = o.init ? Float64Array.from(o.init) : new Float64Array(p);
  // g = G b, kept up to date, so rho_j = q_j - (G b)_j + G_jj b_j
  const gb = new Float64Array(p);
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++) gb[i] += (gram[i * p + j] as number) * (b[j] as number);
  for (let iter = 0; iter < maxIter; iter++) {
    let maxDelta = 0;
    let maxB = 0;
    for (let j = 0; j < p; j++) {
      const gjj = gram[j * p + j] as number;
      const old = b[j] as number;
      if (gjj === 0) continue;
      const rho = (xty[j] as number) - (gb[j] as number) + gjj * old;
      const shrunk = o.positive
        ? Math.max(rho - threshold, 0)
        : Math.sign(rho) * Math.max(Math.abs(rho) - threshold, 0);
      const next = shrunk / gjj;
      const delta = next - old;
      if (delta !== 0) {
        for (let i = 0; i < p; i++) gb[i] += (gram[i * p + j] as number) * delta;
        b[j] = next;
      }
      maxDelta = Math.max(maxDelta, Math.abs(delta));
      maxB = Math.max(maxB, Math.abs(next));
    }
    if (maxB === 0 || maxDelta <= tol * maxB) break;
  }
  return b;
}
