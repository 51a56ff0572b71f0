// Gradient-mode scopes: noGrad(fn) runs fn without recording an autograd graph.
import { native } from "./native.js";

export function isGradEnabled(): boolean {
  return native.gradEnabled();
}

/** Runs fn with gradient recording set to `enabled`, restoring the previous mode afterwards. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = native.gradEnabled();
  native.setGradEnabled(enabled);
  try {
    return fn();
  } finally {
    native.setGradEnabled(previous);
  }
}

/** Runs fn without recording gradients (like `with torch.no_grad()`). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}
