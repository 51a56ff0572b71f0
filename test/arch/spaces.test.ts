// Search spaces as data: spos_small's published shape, users' own spaces from JSON (checked, with a
// message naming the field), a oneshot architecture carrying its space inline, and the counter's exact
// extremes.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { countArch } from "../../src/arch/count.js";
import { makeGenotypeCounter } from "../../src/arch/genotype-counter.js";
import { resolveArch, resolveSpace } from "../../src/arch/resolve.js";
import { validateArch } from "../../src/arch/schema.js";
import { positions, randomGenotype, SPOS_SMALL, type SposSpace } from "../../src/arch/spaces/spos.js";
import { Random } from "../../src/util/random.js";
import { tempDir } from "../helpers.js";

const dir = tempDir("lithe-spaces-");
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};

/** A user's space: two kernel choices only, three blocks, channel scales 0.5 and 1. */
const custom: SposSpace = {
  name: "my_space",
  stem: 8,
  stemStride: 1,
  stages: [
    { repeats: 1, out: 16, stride: 2 },
    { repeats: 2, out: 32, stride: 2 },
  ],
  last: 64,
  dropout: 0,
  choices: [
    { label: "dw3", kind: "shuffle", k: 3 },
    { label: "xc", kind: "xception", k: 3 },
  ],
  scales: [0.5, 1],
};

describe("search spaces", () => {
  it("spos_small: 10 blocks in stages [2, 2, 4, 2], strides to 2x2 at 28 px", () => {
    const ps = positions(SPOS_SMALL);
    assert.equal(ps.length, 10);
    assert.deepEqual(
      ps.map((p) => p.stride),
      [2, 1, 2, 1, 2, 1, 1, 1, 2, 1],
    );
    const count = makeGenotypeCounter(SPOS_SMALL, {
      inputSize: 28,
      inChannels: 1,
      classes: 10,
      stem: "small",
    });
    assert.ok(count.minimum.flops < count.maximum.flops);
    const g = randomGenotype(SPOS_SMALL, new Random(2));
    const flops = count(g).flops;
    assert.ok(flops >= count.minimum.flops && flops <= count.maximum.flops);
  });

  it("reads a user's space from JSON, and an architecture can carry it inline", () => {
    const space = resolveSpace(file("space.json", custom));
    assert.deepEqual(space, custom);
    const genotype = { block_1: "xc", mid_1: 0.5, block_2: "dw3", block_3: "xc", mid_3: 1 };
    const arch = validateArch({
      family: "oneshot",
      space,
      genotype,
      inputSize: 28,
      inChannels: 1,
      classes: 4,
    });
    const counted = countArch(arch);
    const { layers: _layers, ...total } = counted;
    assert.deepEqual(makeGenotypeCounter(space, arch)(genotype), total);
    // A description file with the space inline resolves like any other architecture.
    assert.equal(resolveArch(file("arch.json", arch)).family, "oneshot");
  });

  it("refuses a bad space with a message naming the field", () => {
    const bad = (change: Record<string, unknown>) => file("bad.json", { ...custom, ...change });
    assert.throws(
      () => resolveSpace(bad({ stages: [{ repeats: 1, out: 17, stride: 2 }] })),
      /stages\.0\.out.*odd/,
    );
    assert.throws(
      () => resolveSpace(bad({ choices: [custom.choices[0], custom.choices[0]] })),
      /duplicate choice label "dw3"/,
    );
    assert.throws(() => resolveSpace(bad({ scales: [0.01] })), /scale 0.01 leaves no mid channels/);
    assert.throws(() => resolveSpace(bad({ kernels: 3 })), /kernels/);
    assert.throws(
      () => resolveSpace(bad({ choices: [{ label: "a", kind: "shuffle", k: 4 }] })),
      /odd kernel/,
    );
    assert.throws(() => resolveSpace(file("broken.json", "{ nope")), /invalid JSON/);
    assert.throws(
      () => resolveSpace(join(dir, "missing.json")),
      /neither a registered search space .* nor a file/,
    );
  });

  it("refuses a genotype that does not fit the inline space", () => {
    assert.throws(
      () => validateArch({ family: "oneshot", space: custom, genotype: { block_1: "shuffle3x3" } }),
      /genotype\.block_1.*one of "dw3", "xc"/,
    );
  });
});
