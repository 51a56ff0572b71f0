// Module behaviour: state-dict names and loading, modes, gradients, BatchNorm2d, Conv2d init, channel ops, tidy.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  arange,
  F,
  manualSeed,
  noGrad,
  randint,
  randn,
  type Tensor,
  tidy,
  zeros,
} from "../../src/engine/index.js";
import {
  AdaptiveAvgPool2d,
  BatchNorm2d,
  Conv2d,
  channelShuffle,
  channelSplit,
  Flatten,
  Linear,
  type Module,
  ReLU,
  Sequential,
} from "../../src/nn/index.js";

/** conv -> (bn, relu) -> pool -> flatten -> linear, with a nested Sequential at index 1. */
function smallNet(seed: number): Sequential {
  manualSeed(seed);
  return new Sequential(
    new Conv2d(3, 4, 3),
    new Sequential(new BatchNorm2d(4), new ReLU()),
    new AdaptiveAvgPool2d(1),
    new Flatten(),
    new Linear(4, 2),
  );
}

const snapshot = (m: Module) => new Map([...m.stateDict()].map(([k, t]) => [k, t.toList()]));

test("Sequential names children by index, nested ones with dotted paths", () => {
  const net = smallNet(0);
  assert.deepEqual(
    [...net.stateDict().keys()],
    [
      "0.weight",
      "0.bias",
      "1.0.weight",
      "1.0.bias",
      "4.weight",
      "4.bias",
      "1.0.running_mean",
      "1.0.running_var",
      "1.0.num_batches_tracked",
    ],
  );
  assert.deepEqual(
    net.namedModules().map(([name]) => name),
    ["", "0", "1", "1.0", "1.1", "2", "3", "4"],
  );
});

test("stateDict holds the parameters and buffers themselves, num_batches_tracked as an int64 scalar", () => {
  const net = smallNet(0);
  const bn = (net.layers[1] as Sequential).layers[0] as BatchNorm2d;
  const state = net.stateDict();
  assert.equal(state.get("0.weight"), (net.layers[0] as Conv2d).weight);
  assert.equal(state.get("1.0.running_mean"), bn.runningMean);
  const counter = state.get("1.0.num_batches_tracked") as Tensor;
  assert.equal(counter.dtype, "int64");
  assert.deepEqual(counter.shape, []);
  assert.equal(counter.item(), 0);
  assert.deepEqual(state.get("1.0.running_var")?.toList(), [1, 1, 1, 1]);

  tidy(() => net.forward(randn([2, 3, 6, 6])));
  assert.equal(counter.item(), 1, "a training-mode forward counts the batch");
  assert.ok(
    state
      .get("1.0.running_mean")
      ?.toList()
      .some((v) => v !== 0),
    "running mean updated in place",
  );
});

test("loadStateDict copies every value, and later changes to the source do not leak in", () => {
  const source = smallNet(1);
  tidy(() => source.forward(randn([2, 3, 6, 6])));
  const target = smallNet(2);
  assert.notDeepEqual(snapshot(target), snapshot(source));

  target.loadStateDict(source.stateDict());
  assert.deepEqual(snapshot(target), snapshot(source));
  noGrad(() => (source.layers[0] as Conv2d).weight.add_(1));
  assert.notDeepEqual(snapshot(target).get("0.weight"), snapshot(source).get("0.weight"));
});

test("loadStateDict refuses a wrong shape, naming the entry and both shapes, and changes nothing", () => {
  const target = smallNet(3);
  const before = snapshot(target);
  const state = new Map(smallNet(4).stateDict());
  state.set("4.weight", zeros([2, 8]));
  assert.throws(() => target.loadStateDict(state), {
    message: 'loadStateDict: "4.weight" has shape [2, 8] but the model needs [2, 4]',
  });
  assert.deepEqual(snapshot(target), before, "entries before the bad one were not copied");
});

test("strict loadStateDict refuses missing and unexpected names", () => {
  const target = smallNet(5);
  const missing = new Map(smallNet(6).stateDict());
  missing.delete("1.0.running_var");
  assert.throws(() => target.loadStateDict(missing), {
    message: 'loadStateDict: missing 1 entries, first "1.0.running_var"',
  });
  const unexpected = new Map(smallNet(6).stateDict());
  unexpected.set("5.weight", zeros([1]));
  assert.throws(() => target.loadStateDict(unexpected), {
    message: 'loadStateDict: 1 unexpected entries, first "5.weight"',
  });
});

test("loadStateDict with strict false loads what matches and keeps the rest", () => {
  const target = smallNet(7);
  const keptVar = target.stateDict().get("1.0.running_var")?.toList();
  const source = smallNet(8);
  const state = new Map(source.stateDict());
  state.delete("1.0.running_var");
  state.set("head.weight", zeros([3]));
  target.loadStateDict(state, { strict: false });
  assert.deepEqual(snapshot(target).get("0.weight"), snapshot(source).get("0.weight"));
  assert.deepEqual(snapshot(target).get("4.bias"), snapshot(source).get("4.bias"));
  assert.deepEqual(target.stateDict().get("1.0.running_var")?.toList(), keptVar);
});

test("train() and eval() reach every sub-module, and eval BatchNorm stops updating its statistics", () => {
  const net = smallNet(9);
  const bn = (net.layers[1] as Sequential).layers[0] as BatchNorm2d;
  net.eval();
  assert.ok(net.namedModules().every(([, m]) => !m.training));
  const mean = bn.runningMean?.toList();
  tidy(() => net.forward(randn([2, 3, 6, 6])));
  assert.equal(bn.numBatchesTracked?.item(), 0);
  assert.deepEqual(bn.runningMean?.toList(), mean);
  net.train();
  assert.ok(net.namedModules().every(([, m]) => m.training));
  tidy(() => net.forward(randn([2, 3, 6, 6])));
  assert.equal(bn.numBatchesTracked?.item(), 1);
});

test("zeroGrad() sets every gradient to null", () => {
  const net = smallNet(10);
  tidy(() => F.crossEntropy(net.forward(randn([2, 3, 6, 6])), randint(0, 2, [2])).backward());
  assert.ok(
    net.parameters().every((p) => p.grad !== null),
    "backward filled every gradient",
  );
  net.zeroGrad();
  assert.ok(net.parameters().every((p) => p.grad === null));
});

test("BatchNorm2d with affine false has buffers but no parameters, and normalises", () => {
  const bn = new BatchNorm2d(3, { affine: false });
  assert.equal(bn.parameters().length, 0);
  assert.equal(bn.weight, null);
  assert.deepEqual([...bn.stateDict().keys()], ["running_mean", "running_var", "num_batches_tracked"]);
  const y = bn.forward(randn([8, 3, 4, 4]).mul(5).add(2));
  for (const m of y.mean([0, 2, 3]).toList()) assert.ok(Math.abs(m) < 1e-5, `channel mean ${m}`);
  for (const v of y.pow(2).mean([0, 2, 3]).toList())
    assert.ok(Math.abs(v - 1) < 1e-3, `channel variance ${v}`);
});

test("Conv2d's default init keeps weights and bias within ±1/sqrt(fan_in) and uses that range", () => {
  for (const [conv, fanIn] of [
    [new Conv2d(16, 32, 3), 16 * 9],
    [new Conv2d(8, 8, 3, { groups: 4 }), 2 * 9],
  ] as const) {
    const bound = 1 / Math.sqrt(fanIn);
    const w = conv.weight.toList();
    const b = conv.bias?.toList() ?? [];
    assert.ok(
      [...w, ...b].every((v) => Math.abs(v) <= bound),
      `within ±${bound}`,
    );
    const widest = Math.max(...w.map(Math.abs));
    assert.ok(widest > 0.9 * bound, `largest |w| ${widest} is near the bound ${bound}, not a narrower range`);
    assert.ok(
      b.some((v) => v !== 0),
      "bias initialised too",
    );
  }
});

test("channelShuffle reorders channels as the hand-computed permutation for groups 2 and 3", () => {
  const x = arange(0, 2 * 6 * 2 * 2, 1, "float32").view(2, 6, 2, 2);
  const perms: [number, number[]][] = [
    [2, [0, 3, 1, 4, 2, 5]],
    [3, [0, 2, 4, 1, 3, 5]],
  ];
  for (const [groups, perm] of perms) {
    const y = channelShuffle(x, groups);
    assert.deepEqual(y.shape, [2, 6, 2, 2]);
    const expected: number[] = [];
    for (let n = 0; n < 2; n++) {
      for (const c of perm) for (let k = 0; k < 4; k++) expected.push(n * 24 + c * 4 + k);
    }
    assert.deepEqual(y.toList(), expected, `groups ${groups}`);
  }
  assert.throws(() => channelShuffle(x, 4), /^Error: channelShuffle: .*divisible by 4, got \[2,6,2,2\]/);
});

test("channelSplit halves the channels, or splits at a given count", () => {
  const x = arange(0, 6, 1, "float32").view(1, 6, 1, 1);
  const [a, b] = channelSplit(x);
  assert.deepEqual(a.toList(), [0, 1, 2]);
  assert.deepEqual(b.toList(), [3, 4, 5]);
  assert.deepEqual(a.shape, [1, 3, 1, 1]);
  const [c, d] = channelSplit(x, 2);
  assert.deepEqual(
    [c.toList(), d.toList()],
    [
      [0, 1],
      [2, 3, 4, 5],
    ],
  );
  assert.throws(
    () => channelSplit(arange(0, 5, 1, "float32").view(1, 5, 1, 1)),
    /cannot split 5 channels at 2\.5/,
  );
});

test("parameters and buffers created inside tidy() outlive it", () => {
  let values: number[] = [];
  const { conv, bn } = tidy(() => {
    const made = { conv: new Conv2d(3, 4, 3), bn: new BatchNorm2d(4) };
    values = made.conv.weight.toList();
    return made;
  });
  assert.ok(conv.parameters().every((p) => !p.isDisposed));
  assert.equal(bn.stateDict().size, 5);
  assert.ok([...bn.stateDict().values()].every((t) => !t.isDisposed));
  assert.deepEqual(conv.weight.toList(), values);
  assert.deepEqual(bn.forward(conv.forward(randn([2, 3, 5, 5]))).shape, [2, 4, 3, 3]);
});
