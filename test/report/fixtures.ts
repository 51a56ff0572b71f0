// Tiny deterministic run directories as lithe writes them (two trainings, an evolution and a random
// search), a quantized description, a latency table and a latency model, and a description of each
// one's space and input, for the report tests; the first training's log.jsonl ends in a
// truncated line.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { oneshotArchOf } from "../../src/arch/families/oneshot.js";
import { narrowSpace, PRUNING_SPACES, prunedArch, uniformGenotype } from "../../src/arch/spaces/pruning.js";
import { SPOS_SPACES, type SposSpace } from "../../src/arch/spaces/spos.js";
import { tableEntries } from "../../src/nas/latency-table.js";
import { LATENCY_FEATURES } from "../../src/prune/latency-model.js";

const jsonl = (lines: readonly unknown[]) => lines.map((l) => `${JSON.stringify(l)}\n`).join("");

function training(dir: string, family: string, offset: number, truncated: boolean): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "run.json"), JSON.stringify({ arch: { family }, config: { epochs: 2 } }));
  const lines = [
    { type: "step", step: 1, epoch: 0, loss: 2.3 - offset, top1: 0.1, lr: 0.1 },
    { type: "step", step: 2, epoch: 0, loss: 2.1 - offset, top1: 0.2, lr: 0.075 },
    { type: "epoch", step: 2, epoch: 0, train_loss: 2.2, train_top1: 0.15, test_top1: 0.3 + offset },
    { type: "step", step: 3, epoch: 1, loss: 1.9 - offset, top1: 0.3, lr: 0.05 },
    { type: "step", step: 4, epoch: 1, loss: 1.7 - offset, top1: 0.4, lr: 0.025 },
    { type: "epoch", step: 4, epoch: 1, train_loss: 1.8, train_top1: 0.35, test_top1: 0.4 + offset },
  ];
  writeFileSync(join(dir, "log.jsonl"), jsonl(lines) + (truncated ? '{"type":"step","step":5,"lo' : ""));
}

function search(dir: string, method: string, scores: readonly number[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "search-state.json"), JSON.stringify({ version: 1, method, candidates: [] }));
  const candidates = scores.map((score, i) => ({
    genotype: {
      block_1: i % 2 ? "shuffle3x3" : "xception",
      mid_1: 0.2 * (i + 1),
      block_2: "shuffle5x5",
      mid_2: 1,
    },
    score,
    costs: { flops: 1e6 * (5 + i), params: 1e5 * (9 - i) },
    generation: Math.floor(i / 2),
    origin: i < 2 ? "random" : "mutation",
  }));
  writeFileSync(join(dir, "search.jsonl"), jsonl(candidates));
}

/** ShuffleNet V2 0.5x at 32 px in 4 bits: 57 conv and linear layers. */
const QUANTIZED = {
  family: "shufflenet_v2",
  width: 0.5,
  inputSize: 32,
  inChannels: 3,
  classes: 10,
  stem: "small",
  quant: { weights: 4, activations: 4 },
};

/** A small SPOS space: 3 block positions, 2 mid widths. */
const TINY_SPACE: SposSpace = {
  ...SPOS_SPACES.spos_small,
  name: "tiny",
  stages: [
    { repeats: 1, out: 24, stride: 2 },
    { repeats: 2, out: 32, stride: 2 },
  ],
  last: 64,
  scales: [0.5, 1],
} as SposSpace;

const SPOS_INPUT = { inputSize: 28, inChannels: 1, classes: 10, stem: "small" } as const;

/** A genotype of TINY_SPACE and the keys of its stem, blocks and head. */
export const ONESHOT_GENOTYPE = {
  block_1: "xception",
  mid_1: 0.5,
  block_2: "shuffle7x7",
  mid_2: 1,
  block_3: "shuffle3x3",
  mid_3: 0.5,
};
export const ONESHOT_KEYS = [
  "stem-in:1-hw:28",
  "xception-in:16-out:24-mid:6-hw:28-stride:2",
  "shuffle7x7-in:24-out:32-mid:16-hw:14-stride:2",
  "shuffle3x3-in:32-out:32-mid:8-hw:7-stride:1",
  "head-in:32-hw:7-classes:10",
];

/** An SPOS latency table of TINY_SPACE's 26 entries (i + 1) / 100 ms, as `lithe latency-table` writes one. */
export const LATENCY_TABLE = {
  version: 1,
  space: TINY_SPACE,
  input: SPOS_INPUT,
  runtime: "ort-node",
  runtimeVersion: "1.30.0",
  machine: { cpu: "test", cores: 2, os: "test", node: "v20" },
  settings: { batch: 1, threads: 1, warmup: 10, repeats: 30 },
  entries: Object.fromEntries(tableEntries(TINY_SPACE, SPOS_INPUT).map((e, i) => [e.key, (i + 1) / 100])),
  constantMs: 0.02,
  // errors 0, 5% and 20%
  accuracy: { architectures: 3, within10: 2 / 3, mape: 0.25 / 3, worst: 0.2 },
  checks: [
    { flops: 1e6, predictedMs: 0.5, measuredMs: 0.5 },
    { flops: 2e6, predictedMs: 0.95, measuredMs: 1 },
    { flops: 3e6, predictedMs: 1.2, measuredMs: 1 },
  ],
};

const PRUNING_SPACE = narrowSpace(PRUNING_SPACES.mobilenet_v1, 0.125);
const PRUNING_INPUT = { inputSize: 32, inChannels: 3, classes: 10, stem: "small" } as const;
/** The pruned net of the model card with latency per op. */
export const PRUNED_GENOTYPE = uniformGenotype(PRUNING_SPACE, 0.5);

/** A pruning latency model fitted on 8 uniform-width networks and checked on 2, as `lithe prune latency-model` writes one. */
export const LATENCY_MODEL = {
  version: 1,
  space: PRUNING_SPACE,
  input: PRUNING_INPUT,
  runtime: "ort-node",
  runtimeVersion: "1.30.0",
  machine: { cpu: "test", cores: 2, os: "test", node: "v20" },
  settings: { batch: 1, threads: 1, warmup: 10, repeats: 30, precision: "fp32" },
  features: [...LATENCY_FEATURES],
  coefficients: [0.05, 0.2, 1.5, 0, 0.03, 0.1, 0.4],
  accuracy: {
    fit: { architectures: 8, within10: 1, mape: 0.02, worst: 0.05 },
    check: { architectures: 2, within10: 0.5, mape: 0.08, worst: 0.12 },
  },
  measured: {
    fit: [0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1].map((s) => ({
      encoding: uniformGenotype(PRUNING_SPACE, s),
      ms: 0.1 + s,
    })),
    check: [0.25, 0.75].map((s) => ({ encoding: uniformGenotype(PRUNING_SPACE, s), ms: 0.2 + s })),
  },
};

/** Writes the fixture runs, a description, a latency table and a latency model under `root`; returns their paths. */
export function writeFixtureRuns(root: string): {
  training: string[];
  searches: string[];
  arch: string;
  lut: string;
  latencyModel: string;
  /** Descriptions of the latency table's and the latency model's space and input. */
  oneshot: string;
  pruned: string;
} {
  const t = [join(root, "train-a"), join(root, "supernet-b")];
  training(t[0] as string, "shufflenet_v2", 0, true);
  training(t[1] as string, "spos-supernet", 0.1, false);
  const s = [join(root, "search-evolution"), join(root, "search-random")];
  search(s[0] as string, "evolution", [0.2, 0.3, 0.35, 0.5]);
  search(s[1] as string, "random", [0.25, 0.1, 0.3]);
  const arch = join(root, "arch.json");
  writeFileSync(arch, JSON.stringify(QUANTIZED));
  const lut = join(root, "lut.json");
  writeFileSync(lut, JSON.stringify(LATENCY_TABLE));
  const latencyModel = join(root, "latency-model.json");
  writeFileSync(latencyModel, JSON.stringify(LATENCY_MODEL));
  const oneshot = join(root, "oneshot.json");
  writeFileSync(oneshot, JSON.stringify(oneshotArchOf(TINY_SPACE, SPOS_INPUT, ONESHOT_GENOTYPE)));
  const pruned = join(root, "pruned.json");
  writeFileSync(pruned, JSON.stringify(prunedArch(PRUNING_SPACE, PRUNED_GENOTYPE, PRUNING_INPUT)));
  return { training: t, searches: s, arch, lut, latencyModel, oneshot, pruned };
}
