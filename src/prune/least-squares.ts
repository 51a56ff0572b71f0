// Linear least squares without intercept, as the official channel-pruning code reconstructs a pruned
// layer (yihui-he/channel-pruning lib/decompose.py: sklearn LinearRegression(fit_intercept=False)):
// W = argmin ||Y - X W||_F^2 by the normal equations (X^T X) W = X^T Y in float64, which is the
// lstsq solution whenever X has full column rank.
import { linalgSolve, type Tensor, tidy } from "../engine/index.js";

/** W [p, k] minimising ||y - x W||^2 for x [n, p], y [n, k] (any float dtype; the result is float64). */
export function leastSquares(x: Tensor, y: Tensor): Tensor {
  const [n, p] = x.shape as [number, number];
  if (y.shape[0] !== n) throw new Error(`least squares: ${n} rows of x but ${y.shape[0]} of y`);
  if (n < p) throw new Error(`least squares: ${n} samples cannot determine ${p} unknowns`);
  return tidy(() => {
    const xd = x.to("float64");
    const xt = xd.transpose(0, 1);
    // (p, n) x (n, p) -> (p, p); (p, n) x (n, k) -> (p, k)
    return linalgSolve(xt.matmul(xd), xt.matmul(y.to("float64")));
  });
}
