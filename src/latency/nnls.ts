// Non-negative least squares: x >= 0 minimising |A x - b|, by Lawson and Hanson's active-set method
// (Solving Least Squares Problems, 1974, ch. 23, algorithm NNLS; scipy.optimize.nnls follows it) on
// the normal equations, which are small here: a few features by a few dozen measured networks.
// Columns are scaled to unit norm first, so one tolerance serves features of any magnitude.

const dot = (u: readonly number[], v: readonly number[]) => u.reduce((s, x, i) => s + x * v[i], 0);

/** Solves m z = y by Gaussian elimination with partial pivoting; a variable without a pivot is 0. */
function solve(m: readonly (readonly number[])[], y: readonly number[]): number[] {
  const n = y.length;
  const a = m.map((row, i) => [...row, y[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    // a column dependent on those before it (collinear features): its variable stays 0
    if (Math.abs(a[c][c]) < 1e-12) a[c] = a[c].map((_, j) => (j === c ? 1 : 0));
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / a[c][c];
      for (let j = c; j <= n; j++) a[r][j] -= f * a[c][j];
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) z[r] = (a[r][n] - dot(a[r].slice(r + 1, n), z.slice(r + 1))) / a[r][r];
  return z;
}

/** x >= 0 minimising |A x - b|, A given as rows (one per measurement); an all-zero column gets 0. */
export function nnls(rows: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = rows[0]?.length ?? 0;
  const norms = Array.from({ length: n }, (_, j) => Math.hypot(...rows.map((r) => r[j])) || 1);
  const cols = norms.map((norm, j) => rows.map((r) => r[j] / norm));
  const gram = cols.map((u) => cols.map((v) => dot(u, v))); // A'A
  const atb = cols.map((u) => dot(u, b)); // A'b
  const tol = 1e-10 * Math.hypot(...b);

  let x = new Array<number>(n).fill(0);
  const passive = new Array<boolean>(n).fill(false);
  /** The unconstrained least-squares solution on the passive columns, 0 elsewhere. */
  const passiveSolution = () => {
    const idx = passive.flatMap((p, j) => (p ? [j] : []));
    const sub = solve(
      idx.map((i) => idx.map((j) => gram[i][j])),
      idx.map((i) => atb[i]),
    );
    const z = new Array<number>(n).fill(0);
    idx.forEach((j, k) => {
      z[j] = sub[k];
    });
    return z;
  };
  for (let iteration = 0; iteration < 3 * n; iteration++) {
    // w = A'(b - A x), minus the gradient: a positive entry off the passive set would lower the residual
    const w = atb.map((v, j) => v - dot(gram[j], x));
    let enter = -1;
    for (let j = 0; j < n; j++) if (!passive[j] && w[j] > tol && (enter < 0 || w[j] > w[enter])) enter = j;
    if (enter < 0) break;
    passive[enter] = true;
    for (;;) {
      const z = passiveSolution();
      if (passive.every((p, j) => !p || z[j] > 0)) {
        x = z;
        break;
      }
      // move from x towards z until the first passive coefficient reaches 0, and drop every one at 0
      let alpha = 1;
      for (let j = 0; j < n; j++)
        if (passive[j] && z[j] <= 0) alpha = Math.min(alpha, x[j] / (x[j] - z[j]) || 0);
      x = x.map((v, j) => v + alpha * (z[j] - v));
      for (let j = 0; j < n; j++)
        if (passive[j] && x[j] <= tol) {
          passive[j] = false;
          x[j] = 0;
        }
    }
  }
  return x.map((v, j) => v / norms[j]);
}
