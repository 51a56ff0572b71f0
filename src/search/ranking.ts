// Ranking agreement between two scorings of the same architectures (e.g. supernet-inherited accuracy
// vs. accuracy trained standalone): Kendall's tau-b (Kendall 1945), which corrects for ties and is
// what the NAS literature reports for one-shot ranking quality; with a percentile-bootstrap interval
// over the architectures, since a tau from 20 points is uncertain by +-0.3.
import { type BootstrapOptions, bootstrap95 } from "../util/statistics.js";

/** Kendall's tau-b of paired scores: 1 same order, -1 reversed, 0 unrelated; NaN if either side is constant. */
export function kendallTau(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`kendallTau: ${a.length} and ${b.length} scores do not pair up`);
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign((a[i] as number) - (a[j] as number));
      const db = Math.sign((b[i] as number) - (b[j] as number));
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  }
  return (
    (concordant - discordant) /
    Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB))
  );
}

/** Kendall's tau-b of paired scores and its bootstrap 95% interval (architectures resampled with replacement). */
export function kendallTauInterval(
  a: readonly number[],
  b: readonly number[],
  o: BootstrapOptions = {},
): { tau: number; ci95: [number, number] } {
  const tau = kendallTau(a, b);
  const pick = (xs: readonly number[], indices: readonly number[]) => indices.map((i) => xs[i] as number);
  return { tau, ci95: bootstrap95(a.length, (idx) => kendallTau(pick(a, idx), pick(b, idx)), o) };
}
