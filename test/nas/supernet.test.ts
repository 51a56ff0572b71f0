// The SPOS supernet: unsampled choices get no update at all (weights and momentum bit-identical),
// a path computes exactly what the extracted standalone network computes with the sliced weights,
// sliced BN updates only the statistics of the channels in use, BN recalibration changes only running
// statistics, and the counted cost of a path equals what the supernet runs on it (traced).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Genotype } from "../../src/arch/genotype.js";
import { makeGenotypeCounter } from "../../src/arch/genotype-counter.js";
import { positions, randomGenotype, SPOS_SMALL, type SposSpace } from "../../src/arch/spaces/spos.js";
import { manualSeed, noGrad, randint, randn, type Tensor } from "../../src/engine/index.js";
import { countArch, tracedCount } from "../../src/models/index.js";
import { extractSubnet } from "../../src/nas/extract.js";
import { Supernet, type SupernetArch } from "../../src/nas/supernet.js";
import { PathEvaluator } from "../../src/search/scoring.js";
import { SGD } from "../../src/train/sgd.js";
import { trainStep } from "../../src/train/step.js";
import { Random } from "../../src/util/random.js";

const archOf = (space: SposSpace = SPOS_SMALL): SupernetArch => ({
  family: "spos-supernet",
  space,
  inputSize: 28,
  inChannels: 1,
  classes: 10,
  stem: "small",
});

const snapshot = (ts: readonly (readonly [string, Tensor])[]) =>
  new Map(ts.map(([name, t]) => [name, Float32Array.from(t.toTypedArray() as Float32Array)]));

/** Names of tensors that differ between two snapshots. */
const changed = (a: Map<string, Float32Array>, b: Map<string, Float32Array>) =>
  [...a.keys()].filter(
    (k) => !(a.get(k) as Float32Array).every((v, i) => Object.is(v, (b.get(k) as Float32Array)[i])),
  );

/** The same genotype with every block choice moved to the next label (so no position keeps its choice). */
function otherChoices(space: SposSpace, g: Genotype): Genotype {
  const labels = space.choices.map((c) => c.label);
  const next: Record<string, string | number> = { ...g };
  for (const p of positions(space))
    next[p.block] = labels[(labels.indexOf(g[p.block] as string) + 1) % labels.length] as string;
  return next;
}

describe("SPOS supernet", () => {
  it("leaves the weights and momentum buffers of unsampled choices bit-identical through a step", () => {
    manualSeed(1);
    const net = new Supernet(archOf());
    const optimizer = new SGD(net.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 4e-5 });
    const x = randn([8, 1, 28, 28]);
    const y = randint(0, 10, [8], "int64");
    const first = randomGenotype(SPOS_SMALL, new Random(3));
    const second = otherChoices(SPOS_SMALL, first);
    // Two steps on `first` give its choices non-zero momentum, so a leak into them would show.
    net.setPath(first);
    trainStep(net, optimizer, x, y);
    trainStep(net, optimizer, x, y);
    const buffers = () => optimizer.buffers().map(([p, b]) => [nameOf.get(p) as string, b] as const);
    const nameOf = new Map(net.namedParameters().map(([n, p]) => [p as Tensor, n]));
    const weightsBefore = snapshot(net.namedParameters());
    const buffersBefore = snapshot(buffers());
    net.setPath(second);
    trainStep(net, optimizer, x, y);
    const weightsAfter = snapshot(net.namedParameters());
    const buffersAfter = snapshot(buffers());

    const onPath = (name: string) => {
      const m = /^features\.(\d+)\.([^.]+)\./.exec(name);
      return !m || second[`block_${Number(m[1]) + 1}`] === m[2];
    };
    const offPath = [...weightsBefore.keys()].filter((n) => !onPath(n));
    assert.ok(offPath.length > 50, `expected many unsampled parameters, got ${offPath.length}`);
    const movedWeights = changed(weightsBefore, weightsAfter);
    const movedBuffers = changed(buffersBefore, buffersAfter);
    assert.deepEqual(
      movedWeights.filter((n) => !onPath(n)),
      [],
      "unsampled weights changed",
    );
    assert.deepEqual(
      movedBuffers.filter((n) => !onPath(n)),
      [],
      "unsampled momentum buffers changed",
    );
    // The sampled path did train: its first conv of every block moved.
    for (const p of positions(SPOS_SMALL)) {
      const prefix = `features.${p.index}.${second[p.block]}.`;
      assert.ok(
        movedWeights.some((n) => n.startsWith(prefix)),
        `${prefix}* did not change`,
      );
    }
  });

  it("computes on a path exactly what the extracted standalone network computes", () => {
    manualSeed(2);
    const net = new Supernet(archOf());
    const random = new Random(11);
    const x = randn([4, 1, 28, 28]);
    for (let trial = 0; trial < 4; trial++) {
      const g = randomGenotype(SPOS_SMALL, random);
      net.setPath(g);
      net.train();
      noGrad(() => net.forward(randn([16, 1, 28, 28]))); // non-trivial BN statistics for this path
      net.eval();
      const fromSupernet = noGrad(() => net.forward(x)).toTypedArray();
      const { model } = extractSubnet(net, g);
      model.eval();
      const fromStandalone = noGrad(() => model.forward(x)).toTypedArray();
      assert.deepEqual(fromStandalone, fromSupernet, `path ${trial}`);
    }
  });

  it("updates only the running statistics of the channels a path uses", () => {
    manualSeed(3);
    const net = new Supernet(archOf());
    const g = randomGenotype(SPOS_SMALL, new Random(5));
    const narrow: Genotype = { ...g, mid_3: 0.2 };
    net.setPath(narrow);
    net.train();
    const bnName = `features.2.${narrow.block_3}.branch_main.1.running_mean`;
    const stats = net.namedBuffers().find(([n]) => n === bnName)?.[1] as Tensor;
    const before = Float32Array.from(stats.toTypedArray() as Float32Array);
    noGrad(() => net.forward(randn([8, 1, 28, 28])));
    const after = stats.toTypedArray() as Float32Array;
    const used = Math.floor(Math.floor(96 / 2) * 0.2); // mid channels of block 3 (out 96) at scale 0.2
    const moved = after.map((v, i) => (v === before[i] ? 0 : 1));
    assert.equal(
      moved.slice(0, used).reduce((s, v) => s + v, 0),
      used,
      "the used channels' statistics moved",
    );
    assert.equal(
      moved.slice(used).reduce((s, v) => s + v, 0),
      0,
      "no unused channel's statistics moved",
    );
  });

  it("counts a path as the analytic counter does, and runs what it counts (traced)", () => {
    const net = new Supernet(archOf());
    const count = makeGenotypeCounter(SPOS_SMALL, archOf());
    const random = new Random(9);
    for (let trial = 0; trial < 3; trial++) {
      const g = randomGenotype(SPOS_SMALL, random);
      const { arch } = extractSubnet(net, g);
      const { layers: _layers, ...analytic } = countArch(arch);
      assert.deepEqual(count(g), analytic);
      net.setPath(g);
      const traced = tracedCount(net, 1, 28);
      assert.equal(traced.flops, analytic.flops, "traced FLOPs of the supernet path");
      assert.equal(traced.activations, analytic.activations, "traced activations of the supernet path");
    }
  });

  it("scores a path deterministically and recalibration changes only running statistics", async () => {
    manualSeed(4);
    const net = new Supernet(archOf());
    const batch = () => ({ x: randn([16, 1, 28, 28]), y: randint(0, 10, [16], "int64") });
    const evaluator = new PathEvaluator(net, [batch(), batch()], [batch(), batch()]);
    const g = randomGenotype(SPOS_SMALL, new Random(6));
    const params = snapshot(net.namedParameters());
    const first = await evaluator.evaluate(g);
    await evaluator.evaluate(randomGenotype(SPOS_SMALL, new Random(7)));
    const again = await evaluator.evaluate(g);
    assert.equal(again, first);
    assert.deepEqual(changed(params, snapshot(net.namedParameters())), []);
  });

  it("refuses a genotype that is not a path of its space, naming the label", () => {
    const net = new Supernet(archOf());
    const g = randomGenotype(SPOS_SMALL, new Random(1));
    assert.throws(() => net.setPath({ ...g, block_2: "conv9x9" }), /"block_2" is "conv9x9"/);
    assert.throws(() => net.setPath({ ...g, mid_4: 0.3 }), /"mid_4" is 0\.3/);
    assert.throws(() => net.forward(randn([1, 1, 28, 28])), /no path chosen/);
  });
});
