// The four micro-benchmarks behind ShuffleNet V2's practical guidelines (Ma et al., ECCV 2018,
// Sec. 2, Tables 1-4) as layer plans, and the direction the paper reports for each. All inputs are
// 56x56 feature maps; every network stacks its unit 10 times, as in the paper. Convs have no bias.
//
// - G1 (Table 1), equal channel width minimises MAC: 10 blocks of two 1x1 convs, c1 -> c2 -> c1,
//   (c1, c2) = (128, 128), (90, 180), (52, 312), (36, 432): 2*c1*c2 = 32768, 32400, 32448, 31104
//   multiply-adds per pixel and block (the paper's own shapes: FLOPs equal within 5.4%).
// - G2 (Table 2), group convolution raises MAC: 10 1x1 convs c -> c with g groups,
//   (g, c) = (1, 128), (2, 180), (4, 256), (8, 360): c^2/g = 16384, 16200, 16384, 16200 (within 1.2%).
// - G3 (Table 3, appendix Fig. 2), fragmentation lowers parallelism: 10 blocks of 1x1 convs.
//   The paper gives the block layouts and says only that channels are adjusted for equal FLOPs, so
//   the shapes here are ours: n fragments of width c / sqrt(n) each cost what one c -> c conv costs.
//     1-fragment             one conv c -> c
//     2-fragment-series      two convs c2 -> c2 in a row, c2 = round(c / sqrt(2))
//     4-fragment-series      four convs c4 -> c4 in a row, c4 = c / 2
//     2-fragment-parallel    two convs c2 -> c2 side by side on the same input, outputs added
//     4-fragment-parallel    four convs c4 -> c4 side by side, outputs added (pairwise: 3 adds)
//   at c = 64, 128, 256 (the channel counts of the paper's ARM column); FLOPs equal within 2%.
// - G4 (Table 4), element-wise ops are not free: ResNet's bottleneck unit, 1x1 (4c -> c) -> 3x3
//   (c -> c) -> 1x1 (c -> 4c), each conv followed by BN (folded at inference), ReLU after the first
//   two and after the shortcut add; variants without the ReLUs, without the shortcut, without both,
//   at c = 32, 64, 128 (c is the bottleneck width; 4c in and out, as ResNet-50's conv2_x at c = 64).
//   The convs, and so the FLOPs, are the same in the four variants.
import { bn, conv, indexed, relu } from "../arch/blocks.js";
import type { Node, Shape } from "../arch/plan.js";

export type GuidelineId = "G1" | "G2" | "G3" | "G4";
export const GUIDELINE_IDS: readonly GuidelineId[] = ["G1", "G2", "G3", "G4"];

/** Feature-map side of every guideline benchmark (the paper's 56x56). */
export const GUIDELINE_HW = 56;
/** Units stacked in each benchmark network (the paper's 10). */
export const GUIDELINE_REPEATS = 10;

export interface GuidelineConfig {
  /** Row label, e.g. "1:2 (c1=90, c2=180)". */
  label: string;
  /** Rows with the same group are compared with each other (G3 and G4: one group per c). */
  group: string;
  plan: Node;
  input: Shape;
  /** Multiply-adds per image the construction intends (checked against the counter in the tests). */
  flops: number;
}

export interface GuidelineTable {
  id: GuidelineId;
  title: string;
  /** What the paper reports, in words. */
  paper: string;
  /** The measured direction that counts as agreeing with the paper, in words. */
  criterion: string;
  configs: GuidelineConfig[];
  /** Whether the median latencies of one group (in config order) agree with the paper. */
  agrees(ms: readonly number[]): boolean;
}

const HW = GUIDELINE_HW;
const PIXELS = HW * HW;
const map = (c: number): Shape => ({ c, h: HW, w: HW });
/** `unit` repeated GUIDELINE_REPEATS times, named "0".."9". */
const stack = (unit: () => Node): Node => ({
  op: "seq",
  layers: Array.from({ length: GUIDELINE_REPEATS }, (_, i) => [String(i), unit()] as const),
});
const pw = (out: number, groups = 1): Node => conv(out, 1, { groups });
const argmin = (xs: readonly number[]) => xs.indexOf(Math.min(...xs));
const argmax = (xs: readonly number[]) => xs.indexOf(Math.max(...xs));

function g1(): GuidelineTable {
  const shapes: [string, number, number][] = [
    ["1:1", 128, 128],
    ["1:2", 90, 180],
    ["1:6", 52, 312],
    ["1:12", 36, 432],
  ];
  return {
    id: "G1",
    title: "Table 1 (G1): 10 blocks of two 1x1 convs c1 -> c2 -> c1 at equal FLOPs",
    paper: "equal widths (1:1) are fastest; speed drops as c1:c2 departs from 1:1",
    criterion: "1:1 is the fastest",
    configs: shapes.map(([ratio, c1, c2]) => ({
      label: `${ratio} (c1=${c1}, c2=${c2})`,
      group: "",
      plan: stack(() => ({ op: "seq", layers: indexed(pw(c2), pw(c1)) })),
      input: map(c1),
      flops: GUIDELINE_REPEATS * PIXELS * 2 * c1 * c2,
    })),
    agrees: (ms) => argmin(ms) === 0,
  };
}

function g2(): GuidelineTable {
  const shapes: [number, number][] = [
    [1, 128],
    [2, 180],
    [4, 256],
    [8, 360],
  ];
  return {
    id: "G2",
    title: "Table 2 (G2): 10 1x1 group convs c -> c at equal FLOPs",
    paper: "more groups is slower (g=8 far slower than g=1)",
    criterion: "g=1 is the fastest and g=8 the slowest",
    configs: shapes.map(([g, c]) => ({
      label: `g=${g} (c=${c})`,
      group: "",
      plan: stack(() => pw(c, g)),
      input: map(c),
      flops: (GUIDELINE_REPEATS * PIXELS * c * c) / g,
    })),
    agrees: (ms) => argmin(ms) === 0 && argmax(ms) === ms.length - 1,
  };
}

/** Convs of width `c` on the same input, outputs summed: a + b, or (a + b) + (c + d). */
function parallel(c: number, n: 2 | 4): Node {
  const pair = (): Node => ({ op: "add", main: [["0", pw(c)]], shortcut: ["1", pw(c)], after: null });
  if (n === 2) return pair();
  return { op: "add", main: [["0", pair()]], shortcut: ["1", pair()], after: null };
}

/** The G3 fragment widths: n fragments of width c / sqrt(n) cost what one c -> c conv costs. */
export const fragmentWidth = (c: number, n: number): number => Math.round(c / Math.sqrt(n));

function g3(): GuidelineTable {
  const configs: GuidelineConfig[] = [];
  for (const c of [64, 128, 256]) {
    const c2 = fragmentWidth(c, 2);
    const c4 = fragmentWidth(c, 4);
    const flops = (width: number, n: number) => GUIDELINE_REPEATS * PIXELS * n * width * width;
    const series = (width: number, n: number): Node => ({
      op: "seq",
      layers: indexed(...Array.from({ length: n }, () => pw(width))),
    });
    const rows: [string, number, number, () => Node][] = [
      ["1-fragment", c, 1, () => pw(c)],
      ["2-fragment-series", c2, 2, () => series(c2, 2)],
      ["4-fragment-series", c4, 4, () => series(c4, 4)],
      ["2-fragment-parallel", c2, 2, () => parallel(c2, 2)],
      ["4-fragment-parallel", c4, 4, () => parallel(c4, 4)],
    ];
    for (const [label, width, n, unit] of rows) {
      configs.push({
        label: `${label} (${n} x ${width} ch)`,
        group: `c=${c}`,
        plan: stack(unit),
        input: map(width),
        flops: flops(width, n),
      });
    }
  }
  return {
    id: "G3",
    title: "Table 3 (G3): 10 blocks of 1, 2 or 4 1x1-conv fragments in series or in parallel at equal FLOPs",
    paper: "more fragments is slower; 1-fragment is fastest (the gap is smaller on CPU/ARM than on GPU)",
    criterion: "1-fragment fastest, and 4 fragments slower than 2 in series and in parallel",
    configs,
    agrees: ([one, s2, s4, p2, p4]) =>
      argmin([one, s2, s4, p2, p4] as number[]) === 0 &&
      (s4 as number) > (s2 as number) &&
      (p4 as number) > (p2 as number),
  };
}

/** ResNet's bottleneck unit at width c (4c in and out), optionally without ReLUs and/or the shortcut. */
export function bottleneck(c: number, o: { relu: boolean; shortcut: boolean }): Node {
  const act = (): Node[] => (o.relu ? [relu] : []);
  const main = [...[conv(c, 1), bn(), ...act()], ...[conv(c, 3), bn(), ...act()], ...[conv(4 * c, 1), bn()]];
  if (o.shortcut) return { op: "add", main: indexed(...main), shortcut: null, after: o.relu ? "relu" : null };
  return { op: "seq", layers: indexed(...main, ...act()) };
}

function g4(): GuidelineTable {
  const variants: [string, boolean, boolean][] = [
    ["ReLU + shortcut", true, true],
    ["no ReLU", false, true],
    ["no shortcut", true, false],
    ["no ReLU, no shortcut", false, false],
  ];
  const configs: GuidelineConfig[] = [];
  for (const c of [32, 64, 128]) {
    for (const [label, withRelu, shortcut] of variants) {
      configs.push({
        label,
        group: `c=${c}`,
        plan: stack(() => bottleneck(c, { relu: withRelu, shortcut })),
        input: map(4 * c),
        flops: GUIDELINE_REPEATS * PIXELS * (4 * c * c + 9 * c * c + 4 * c * c),
      });
    }
  }
  return {
    id: "G4",
    title: "Table 4 (G4): 10 ResNet bottleneck units (4c -> c -> c -> 4c) with and without ReLU and shortcut",
    paper: "removing ReLU and shortcut speeds the unit up (about 20% on GPU and ARM)",
    criterion: "ReLU + shortcut is the slowest and no ReLU, no shortcut the fastest",
    configs,
    agrees: (ms) => argmax(ms) === 0 && argmin(ms) === ms.length - 1,
  };
}

/** The four tables, in the paper's order. */
export function guidelineTables(): GuidelineTable[] {
  return [g1(), g2(), g3(), g4()];
}

/** The configs of a table split into its groups, in order. */
export function groupsOf(t: GuidelineTable): [string, GuidelineConfig[]][] {
  const out = new Map<string, GuidelineConfig[]>();
  for (const c of t.configs) out.set(c.group, [...(out.get(c.group) ?? []), c]);
  return [...out];
}
