// Channel operations of ShuffleNet: channel shuffle (V1, Zhang et al. 2018, Sec. 3.1) and channel
// split (V2, Ma et al. 2018, Sec. 4).
import { cat, F, type Tensor } from "../engine/index.js";

/** (N, C, H, W) -> (N, g, C/g, H, W) -> (N, C/g, g, H, W) -> (N, C, H, W) */
export function channelShuffle(x: Tensor, groups: number): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (x.ndim !== 4 || c % groups !== 0) {
    throw new Error(
      `channelShuffle: needs an (N, C, H, W) input with C divisible by ${groups}, got [${x.shape}]`,
    );
  }
  return x
    .view(n, groups, c / groups, h, w)
    .transpose(1, 2)
    .reshape(n, c, h, w);
}

/** (N, C, H, W) -> [(N, k, H, W), (N, C - k, H, W)] with k = C/2 unless given; both contiguous, and the
 * backward is one concat (the fused op of native/fused.cc). */
export function channelSplit(x: Tensor, first?: number): [Tensor, Tensor] {
  const c = x.shape[1] ?? 0;
  const k = first ?? c / 2;
  if (!Number.isInteger(k) || k <= 0 || k >= c) {
    throw new Error(`channelSplit: cannot split ${c} channels at ${k}`);
  }
  return F.splitChannels(x, k);
}

/** channelShuffle(cat([a, b], 1), 2), fused into one pass when a and b have one shape (V2 units). */
export function concatShuffle(a: Tensor, b: Tensor): Tensor {
  const same = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  return same && a.ndim === 4 ? F.interleaveChannels(a, b) : channelShuffle(cat([a, b], 1), 2);
}
