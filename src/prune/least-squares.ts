// Linear least squares without intercept, as the official channel-pruning code reconstructs a pruned
// layer (yihui-he/channel-pruning lib/decompose.py: sklearn LinearRegression(fit_intercept=False)):
// W = argmin ||Y - X W||_F^2 by the normal equations (X^T X) W = X^T Y in float64, which is the
// lstsq solution whenever X has full column rank. A relative ridge (X^T X + r * mean(diag) * I) keeps it
// defined where sampled inputs are rank-deficient (a dead ReLU channel, a 2x2 map's few distinct points)
// and stands in for lstsq's minimum-norm answer there.
import { linalgSolve, type Tensor, tensor, tidy } from "../engine/index.js";

/** W [p, k] minimising ||y - x W||^2 (+ the relative ridge) for x [n, p], y [n, k]; the result is float64. */
export function leastSquares(x: Tensor, y: Tensor, ridge = 0): Tensor {
  const [n, p] = x.shape as [number, number];
  if (y.shape[0] !== n) throw new Error(`least squares: ${n} rows of x but ${y.shape[0]} of y`);
  if (n < p && ridge === 0) throw new Error(`least squares: ${n} samples cannot determine ${p} unknowns`);
  return tidy(() => {
    const xd = x.to("float64");
    const xt = xd.transpose(0, 1);
    // (p, n) x (n, p) -> (p, p); (p, n) x (n, k) -> (p, k)
    const gram = xt.matmul(xd);
    const eye = tensor(
      Float64Array.from({ length: p * p }, (_, i) => (i % (p + 1) === 0 ? 1 : 0)),
      {
        shape: [p, p],
      },
    );
    const damped = ridge === 0 ? gram : gram.add(eye.mul((ridge * gram.mul(eye).sum().item()) / p));
    return linalgSolve(damped, xt.matmul(y.to("float64")));
  });
}
