// Mixed-precision search on the one-shot core: a quantization space's genes (two per block, cheapest
// first), its BitOps profiler against the analytic count of each path's own description, a path
// setting every layer's widths, a winner whose weights load into its description and compute what the
// supernet computed on that path, and a BitOps limit refused where no widths are chosen.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { archLayerBits, countBitOps } from "../../src/arch/count.js";
import type { Genotype } from "../../src/arch/genotype.js";
import { QUANT_SPACES } from "../../src/arch/spaces/quant.js";
import { SPOS_SMALL } from "../../src/arch/spaces/spos.js";
import { manualSeed, noGrad, randn } from "../../src/engine/index.js";
import { buildModel } from "../../src/models/index.js";
import { QUANT_SEARCH, quantGenes, quantProfilers } from "../../src/nas/quant-search.js";
import { pathArch, type QuantSupernetArch } from "../../src/nas/quant-supernet.js";
import { sposProfilers } from "../../src/nas/spos.js";
import { Conv2d, Linear } from "../../src/nn/index.js";
import { costLimits } from "../../src/search/constraints.js";
import { sampleGenotype } from "../../src/search/genes.js";
import { Random } from "../../src/util/random.js";

const arch: QuantSupernetArch = {
  family: "quant-supernet",
  space: QUANT_SPACES.quant_resnet18_x0_25 as QuantSupernetArch["space"],
  inputSize: 28,
  inChannels: 1,
  classes: 10,
  stem: "small",
};

describe("mixed-precision quantization search", () => {
  const genes = quantGenes(arch);

  test("two genes per ResNet-18 block, widths cheapest first", () => {
    assert.equal(genes.genes.length, 16);
    assert.deepEqual(genes.genes[0], { label: "layer1.0.w", values: [2, 3, 4] });
    assert.deepEqual(genes.genes[15], { label: "layer4.1.a", values: [2, 3, 4] });
    assert.equal(genes.ordered, true);
  });

  test("the BitOps profiler equals the count of each path's own description", () => {
    const { bitops } = quantProfilers(arch);
    const random = new Random(3);
    for (let i = 0; i < 5; i++) {
      const g = sampleGenotype(genes, random);
      assert.equal(bitops?.measure(g), countBitOps(pathArch(arch, g)));
    }
    const cheapest = Object.fromEntries(genes.genes.map((x) => [x.label, 2])) as Genotype;
    assert.equal(bitops?.minimum?.(), countBitOps(pathArch(arch, cheapest)));
  });

  test("a path sets every layer's widths, and the winner computes what the supernet did", () => {
    manualSeed(5);
    const net = QUANT_SEARCH.build(arch);
    const g = sampleGenotype(genes, new Random(9));
    net.setPath(g);
    const expected = archLayerBits(pathArch(arch, g));
    for (const [path, m] of net.namedModules())
      if (m instanceof Conv2d || m instanceof Linear)
        assert.deepEqual(m.quantizer?.bits, expected?.get(path), path);
    const x = randn([4, 1, 28, 28]);
    net.eval();
    const y = noGrad(() => net.forward(x)).toList();
    const { arch: best, weights } = QUANT_SEARCH.winner(net, g);
    const model = buildModel(best).eval();
    model.loadStateDict(weights);
    assert.deepEqual(noGrad(() => model.forward(x)).toList(), y);
  });

  test("a BitOps limit needs a space that chooses bit widths", () => {
    const spos = sposProfilers(SPOS_SMALL, { inputSize: 32, inChannels: 3, classes: 10, stem: "small" });
    assert.throws(
      () => costLimits(spos, { bitops: 1e9 }),
      /BitOps limit \(option limits\.bitops\) needs a space that chooses bit widths/,
    );
    const q = costLimits(quantProfilers(arch), { bitops: 1e9 });
    assert.equal(q.constraints[0]?.profiler.name, "bitops");
  });
});
