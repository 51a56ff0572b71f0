// MetaPruning's PruningNet: generated weights take the shapes of the encoding's pruned network, the
// crop equals the leading slice of the generator's output computed by hand, every generator gets a
// gradient, each width has its own BN statistics, and the zoo network built from the pruned description
// (counted, traced, loaded with the generated weights) computes what the PruningNet computes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countArch, isFamily, planOf, validateArch } from "../../src/arch/index.js";
import {
  METAPRUNING_SCALES,
  narrowSpace,
  PRUNING_SPACES,
  type PruningSpace,
  prunedArch,
  scaledWidth,
  uniformGenotype,
} from "../../src/arch/spaces/pruning.js";
import { listOps } from "../../src/arch/walk.js";
import { F, manualSeed, noGrad, randint, randn, tidy } from "../../src/engine/index.js";
import { buildModel, tracedCount } from "../../src/models/index.js";
import { GeneratedConv2d, type PerWidthBatchNorm2d } from "../../src/nn/index.js";
import { PruningNet } from "../../src/prune/pruning-net.js";
import { pruningGenes, pruningProfilers } from "../../src/prune/space.js";
import type { Genotype } from "../../src/search/types.js";
import { Random } from "../../src/util/random.js";
import { assertClose } from "../helpers.js";

const input = { inputSize: 32, inChannels: 3, classes: 10, stem: "small" as const };
const small = (name: string, factor: number) => narrowSpace(PRUNING_SPACES[name] as PruningSpace, factor);
const SPACES = [
  small("mobilenet_v1", 0.125),
  small("mobilenet_v2", 0.125),
  small("resnet18", 0.125),
  small("resnet50", 0.0625),
];

const netOf = (space: PruningSpace) => {
  manualSeed(0);
  return new PruningNet({ family: "metapruning-net", space, ...input });
};
const randomGenotype = (space: PruningSpace, seed: number): Genotype => {
  const random = new Random(seed);
  return Object.fromEntries(space.genes.map((g) => [g.label, random.pick(space.scales)]));
};
const at = (a: readonly number[], i: number) => a[i] as number;
/** The PruningNet (eval mode, current path) and the zoo net of its pruned description with its generated weights give the same logits. */
function assertSameAsZoo(net: PruningNet): void {
  net.eval();
  const zoo = buildModel(net.prunedArch());
  zoo.loadStateDict(net.generatedStateDict());
  zoo.eval();
  const x = randn([2, 3, 32, 32]);
  const [a, b] = noGrad(() => [net.forward(x), zoo.forward(x)]);
  assertClose(a.toList(), b.toList(), { rtol: 1e-4, atol: 1e-5, what: "logits" });
}
const convsOf = (net: PruningNet) =>
  net.namedModules().filter((e): e is [string, GeneratedConv2d] => e[1] instanceof GeneratedConv2d);

describe("pruning spaces", () => {
  it("use the official 31 scales 0.10..1.00 and int(base * scale) widths", () => {
    assert.equal(METAPRUNING_SCALES.length, 31);
    assert.equal(METAPRUNING_SCALES[0], 0.1);
    assert.equal(METAPRUNING_SCALES[30], 1);
    assert.equal(scaledWidth(44, 0.28), 12); // int(12.32)
    assert.equal(scaledWidth(100, 0.29), 28); // 0.29 * 100 = 28.999999999999996 in Python too
    assert.equal(scaledWidth(5, 0.1), 1); // never zero channels
  });

  it("with a divisor, widths are multiples of it (at most the base) and never fall as scales grow", () => {
    assert.equal(scaledWidth(44, 0.28, 8), 8);
    assert.equal(scaledWidth(44, 1, 8), 40); // rounded down even at full scale
    assert.equal(scaledWidth(5, 0.5, 8), 5); // never wider than the base
    for (const base of [5, 22, 44, 132, 1280]) {
      const widths = METAPRUNING_SCALES.map((s) => scaledWidth(base, s, 4));
      assert.ok(
        widths.every((w, i) => i === 0 || w >= (widths[i - 1] as number)),
        `${base}: ${widths}`,
      );
      assert.ok(
        widths.every((w) => w === base || w % 4 === 0),
        `${base}: ${widths}`,
      );
    }
  });

  it("mobilenet_v2 is the official 1.4x base with 8 stage genes and a mid gene per expanding block", () => {
    const space = PRUNING_SPACES.mobilenet_v2 as PruningSpace;
    const ch = space.base.channels as { stem: number; stages: number[]; hidden: number[]; last: number };
    assert.deepEqual([ch.stem, ...ch.stages], [44, 22, 33, 44, 88, 132, 224, 448]); // stage_out_channel
    assert.equal(ch.hidden[0], 6 * 22);
    assert.equal(ch.last, 1280);
    assert.equal(space.genes.filter((g) => g.label.startsWith("stage_")).length, 8);
    assert.equal(space.genes.filter((g) => g.label.startsWith("mid_")).length, 16);
    assert.equal(space.hidden, 64);
  });

  it("the unpruned network of each space is the registered zoo network", () => {
    const at = (name: string) =>
      countArch(
        prunedArch(
          PRUNING_SPACES[name] as PruningSpace,
          uniformGenotype(PRUNING_SPACES[name] as PruningSpace, 1),
          {},
        ),
      );
    const zoo = (family: object) => countArch(validateArch(family));
    assert.equal(at("mobilenet_v1").flops, zoo({ family: "mobilenet_v1", width: 1 }).flops);
    assert.equal(at("resnet50").flops, zoo({ family: "resnet", depth: 50 }).flops);
    assert.equal(at("resnet18").params, zoo({ family: "resnet", depth: 18 }).params);
  });

  it("a gene sets all its slots; unnamed slots keep the base width", () => {
    const space = PRUNING_SPACES.resnet18 as PruningSpace;
    const g = { ...uniformGenotype(space, 1), stage_1: 0.52 };
    const arch = prunedArch(space, g, {});
    assert.ok(isFamily(arch, "resnet") && arch.channels);
    const ch = arch.channels;
    assert.equal(ch.stem, 33);
    assert.equal(ch.stages[0], 33);
    assert.equal(ch.stages[3], 512);
  });

  it("refuse a genotype without a gene, and a scale outside (0, 1]", () => {
    const space = PRUNING_SPACES.resnet18 as PruningSpace;
    const { mid_3: _, ...missing } = uniformGenotype(space, 1);
    assert.throws(() => prunedArch(space, missing, {}), /genotype label "mid_3" is undefined/);
    assert.throws(() => prunedArch(space, { ...missing, mid_3: 1.5 }, {}), /"mid_3" is 1.5/);
  });
});

describe("PruningNet", () => {
  for (const space of SPACES) {
    describe(space.name, () => {
      it("generates weights of the encoding's shapes, which load strictly into the zoo network", () =>
        tidy(() => {
          const net = netOf(space);
          const g = randomGenotype(space, 1);
          net.setPath(g);
          const arch = prunedArch(space, g, input);
          const shapes = new Map(
            listOps(planOf(arch), { c: 3, h: 32, w: 32 }).ops.flatMap((o) =>
              o.op === "conv"
                ? [[o.name, [o.output.c, (o.inputs[0]?.c as number) / (o.attrs.groups as number)]] as const]
                : [],
            ),
          );
          for (const [name, conv] of convsOf(net)) {
            const w = noGrad(() => conv.weight());
            assert.deepEqual(w.shape.slice(0, 2), shapes.get(name), name);
          }
          const zoo = buildModel(arch);
          zoo.loadStateDict(net.generatedStateDict());
        }));

      it("the crop is the leading [:out, :in] block of the generator's output, computed by hand", () =>
        tidy(() => {
          const net = netOf(space);
          net.setPath(randomGenotype(space, 2));
          const [name, conv] =
            convsOf(net).find(
              ([, c]) =>
                !c.depthwise && c.active && c.active.in < c.inChannels && c.active.out < c.outChannels,
            ) ?? (convsOf(net)[1] as [string, GeneratedConv2d]);
          const { in: cin, out: cout } = conv.active as { in: number; out: number };
          const [fc1, fc2] = [conv.generator.layers[0], conv.generator.layers[2]] as unknown as {
            weight: { toList(): number[]; shape: number[] };
            bias: { toList(): number[] };
          }[];
          // generator by hand: h = relu(W1 [in/IN, out/OUT] + b1); v = W2 h + b2
          const code = [cin / conv.inChannels, cout / conv.outChannels];
          const w1 = fc1.weight.toList();
          const b1 = fc1.bias.toList();
          const hidden = b1.map((b, j) =>
            Math.max(0, b + at(w1, 2 * j) * at(code, 0) + at(w1, 2 * j + 1) * at(code, 1)),
          );
          const w2 = fc2.weight.toList();
          const b2 = fc2.bias.toList();
          const [, inMax, k] = [conv.outChannels, conv.inChannels, conv.kernelSize];
          const expected: number[] = [];
          for (let o = 0; o < cout; o++)
            for (let i = 0; i < cin; i++)
              for (let e = 0; e < k * k; e++) {
                const row = (o * inMax + i) * k * k + e; // element of the [OUT, IN, k, k] view
                expected.push(
                  hidden.reduce((s, h, j) => s + h * at(w2, row * hidden.length + j), at(b2, row)),
                );
              }
          assertClose(noGrad(() => conv.weight()).toList(), expected, { rtol: 1e-4, atol: 1e-6, what: name });
        }));

      it("every generator and the classifier get a gradient", () =>
        tidy(() => {
          const net = netOf(space);
          net.setPath(randomGenotype(space, 3));
          const loss = F.crossEntropy(net.forward(randn([4, 3, 32, 32])), randint(0, 10, [4]));
          loss.backward();
          for (const [name, p] of net.namedParameters()) {
            assert.ok(p.grad, `${name} has no gradient`);
            assert.ok(p.grad.abs().sum().item() > 0, `${name} has an all-zero gradient`);
          }
        }));

      it("computes exactly what the zoo network with the generated weights computes", () =>
        tidy(() => {
          const net = netOf(space);
          const g = randomGenotype(space, 4);
          net.setPath(g);
          net.train();
          noGrad(() => net.forward(randn([8, 3, 32, 32]))); // running statistics of these widths
          assertSameAsZoo(net);
        }));

      it("the zoo network counts, when traced, the FLOPs and params the profilers promise", () => {
        const profilers = pruningProfilers(space, input);
        for (const seed of [5, 6, 7]) {
          const g = randomGenotype(space, seed);
          const traced = tidy(() => tracedCount(buildModel(prunedArch(space, g, input)), 3, 32));
          assert.equal(traced.flops, profilers.flops.measure(g));
          assert.equal(traced.params, profilers.params.measure(g));
        }
        assert.equal(
          profilers.flops.minimum?.(),
          profilers.flops.measure(uniformGenotype(space, Math.min(...space.scales))),
        );
      });
    });
  }

  it("runs a space with a divisor exactly like the zoo network with its generated weights", () =>
    tidy(() => {
      const space = { ...(SPACES[1] as PruningSpace), divisor: 4 };
      const net = netOf(space);
      net.setPath(randomGenotype(space, 8));
      const arch = net.prunedArch();
      assert.ok(isFamily(arch, "mobilenet_v2") && arch.channels);
      const { channels } = arch;
      assert.ok(
        channels.hidden.every((c) => c % 4 === 0),
        `${channels.hidden}`,
      );
      assertSameAsZoo(net);
    }));

  it("keeps separate BN statistics per width", () =>
    tidy(() => {
      const space = SPACES[0] as PruningSpace;
      const net = netOf(space);
      const bn = net.namedModules().find(([n]) => n === "feature.1.bn2")?.[1] as PerWidthBatchNorm2d;
      const before = new Map(
        [...bn.byWidth].map(([c, b]) => [c, (b.runningMean as { toList(): number[] }).toList()]),
      );
      const g = uniformGenotype(space, 0.52);
      net.setPath(g);
      const arch = prunedArch(space, g, input);
      assert.ok(isFamily(arch, "mobilenet_v1") && arch.channels);
      const used = arch.channels.blocks[0] as number;
      noGrad(() => net.forward(randn([4, 3, 32, 32])));
      for (const [c, b] of bn.byWidth) {
        const changed = (b.runningMean as { toList(): number[] })
          .toList()
          .some((v, i) => v !== before.get(c)?.[i]);
        assert.equal(changed, c === used, `width ${c}`);
      }
    }));

  it("refuses to run without an encoding, and an encoding that changes the network's structure", () => {
    const net = netOf(SPACES[0] as PruningSpace);
    assert.throws(() => net.forward(randn([1, 3, 32, 32])), /no encoding chosen/);
    const base = SPACES[2] as PruningSpace;
    const untied: PruningSpace = {
      ...base,
      genes: [
        { label: "stem", slots: ["stem"] },
        { label: "stage_1", slots: ["stages.0"] },
        ...base.genes.slice(1),
      ],
    };
    const loose = netOf(untied);
    const g = { ...uniformGenotype(untied, 1), stem: 0.5 };
    assert.throws(() => loose.setPath(g), /adds layer "layer1\.0\.downsample\.0"/);
  });

  it("genes of a space are its labels, each choosing among its scales", () => {
    const genes = pruningGenes(SPACES[1] as PruningSpace);
    assert.equal(genes.genes.length, 24);
    assert.deepEqual(genes.genes[0]?.values, METAPRUNING_SCALES);
    assert.equal(genes.ordered, true);
  });

  it("distinct genes keep one scale per different width: no network is searched twice", () => {
    const space = narrowSpace(PRUNING_SPACES.mobilenet_v2 as PruningSpace, 0.5); // stages.0 base 11
    const stage1 = (s: PruningSpace) =>
      pruningGenes(s, { distinct: true }).genes.find((g) => g.label === "stage_1")?.values as number[];
    const widths = new Set(METAPRUNING_SCALES.map((s) => Math.max(1, Math.floor(11 * s))));
    assert.equal(stage1(space).length, widths.size);
    assert.deepEqual(new Set(stage1(space).map((s) => Math.max(1, Math.floor(11 * s)))), widths);
    assert.deepEqual(stage1({ ...space, divisor: 4 }), [0.1, 0.73]); // widths 4 and 8
  });
});
