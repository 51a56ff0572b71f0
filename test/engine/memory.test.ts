// Memory ownership: a long tidy()-scoped training loop leaves no tensor behind, tensors dropped outside scopes
// are collected inside a loop that never yields, and tidy/keep free exactly what they should. Leaks are
// counted in live tensor handles (the addon's count), which no allocator, thread count or CPU can move,
// unlike resident memory.
import assert from "node:assert/strict";
import { test } from "node:test";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import {
  F,
  getNumThreads,
  keep,
  liveTensors,
  manualSeed,
  randint,
  randn,
  scopeDepth,
  setNumThreads,
  sgdStep,
  type Tensor,
  tidy,
  zeros,
  zerosLike,
} from "../../src/engine/index.js";
import {
  AdaptiveAvgPool2d,
  BatchNorm2d,
  Conv2d,
  Flatten,
  Linear,
  ReLU,
  Sequential,
} from "../../src/nn/index.js";

const ITERATIONS = 10_000;

/** A full garbage collection (V8's gc(), exposed at run time), so the count of live tensors is exact. */
v8.setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;
const liveAfterGc = () => {
  collectGarbage();
  return liveTensors();
};

test("10,000 tidy() training steps leave exactly as many live tensors as after the first", (t) => {
  // One intra-op thread: these tensors are tiny, and a second OpenMP thread only adds barrier waits
  // (several times slower when another process is busy on the other core).
  const threads = getNumThreads();
  setNumThreads(1);
  t.after(() => setNumThreads(threads));
  manualSeed(0);
  const net = new Sequential(
    new Conv2d(3, 8, 3, { padding: 1 }),
    new BatchNorm2d(8),
    new ReLU(),
    new Conv2d(8, 8, 3, { padding: 1 }),
    new AdaptiveAvgPool2d(1),
    new Flatten(),
    new Linear(8, 10),
  );
  const params = net.parameters();
  const buffers = params.map((p) => keep(zerosLike(p)));
  const x = keep(randn([4, 3, 8, 8]));
  const y = keep(randint(0, 10, [4]));
  const before = params.map((p) => p.clone());

  let afterFirst = 0;
  let firstLoss = 0;
  let lastLoss = 0;
  const started = Date.now();
  for (let i = 1; i <= ITERATIONS; i++) {
    const loss = tidy(() => {
      net.zeroGrad();
      const l = F.crossEntropy(net.forward(x), y);
      l.backward();
      sgdStep(params, buffers, { lr: 0.01, momentum: 0.9, weightDecay: 1e-4 });
      return l.item();
    });
    if (i === 1) {
      firstLoss = loss;
      afterFirst = liveAfterGc();
    }
    lastLoss = loss;
  }
  const atEnd = liveAfterGc();
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  console.log(
    `memory: ${afterFirst} live tensors after step 1, ${atEnd} after ${ITERATIONS}; RSS ${mib(process.memoryUsage().rss)} MiB, ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  assert.equal(scopeDepth(), 0);
  // The loop really trained: the parameters moved and the loss on the fixed batch fell.
  assert.ok(
    params.every((p, k) => !p.equal(before[k] as Tensor)),
    "every parameter was updated",
  );
  assert.ok(lastLoss < firstLoss, `loss fell from ${firstLoss} to ${lastLoss}`);
  assert.equal(atEnd, afterFirst, "live tensors after the last step against after the first");
});

test("tensors dropped outside any scope are freed by GC inside a loop that never yields", () => {
  const MIB = 2 ** 20;
  const rounds = 400;
  const before = liveAfterGc();
  let elements = 0;
  // Each round leaves two 4 MiB tensors (zeros and the sum) to the garbage collector, which only the
  // external memory the addon reports to V8 makes run: no JS allocation in the loop would.
  for (let i = 0; i < rounds; i++) elements += zeros([MIB]).add(1).numel;
  const left = liveTensors() - before;
  const dropped = 2 * rounds;
  console.log(`gc: ${(elements * 4 * 2) / MIB} MiB in ${dropped} tensors dropped, ${left} still alive`);
  assert.ok(left < dropped / 4, `${left} of ${dropped} dropped tensors are still alive`);
});

test("tidy() frees what fn created and keeps what it returns", () => {
  const outside = zeros([3]);
  const created: Tensor[] = [];
  const returned = tidy(() => {
    const a = outside.add(1);
    const b = a.mul(2);
    created.push(a, b);
    return { sum: b.add(a), list: [a.sub(1)] };
  });
  assert.ok(
    created.every((t) => t.isDisposed),
    "intermediates are disposed",
  );
  assert.equal(returned.sum.isDisposed, false);
  assert.deepEqual(returned.sum.toList(), [3, 3, 3]);
  assert.equal(returned.list[0]?.isDisposed, false);
  assert.deepEqual(returned.list[0]?.toList(), [0, 0, 0]);
  assert.equal(outside.isDisposed, false, "a tensor from outside the scope is not freed");
});

test("a nested tidy() hands its result to the enclosing scope", () => {
  let inner: Tensor | undefined;
  const outer = tidy(() => {
    inner = tidy(() => zeros([2]).add(5));
    assert.equal(inner.isDisposed, false, "alive inside the parent scope");
    return inner.mul(2);
  });
  assert.equal(
    inner?.isDisposed,
    true,
    "freed when the parent scope ends, since the parent did not return it",
  );
  assert.deepEqual(outer.toList(), [10, 10]);

  const survivor = tidy(() => tidy(() => zeros([2]).add(7)));
  assert.equal(survivor.isDisposed, false, "returned through both scopes");
  assert.deepEqual(survivor.toList(), [7, 7]);
});

test("keep() exempts a tensor from every open scope", () => {
  let kept: Tensor | undefined;
  let dropped: Tensor | undefined;
  tidy(() => {
    tidy(() => {
      kept = keep(zeros([2]).add(1));
      dropped = zeros([2]).add(2);
    });
  });
  assert.equal(dropped?.isDisposed, true);
  assert.equal(kept?.isDisposed, false);
  assert.deepEqual(kept?.toList(), [1, 1]);
});

test("a throwing fn frees everything it created and closes its scope", () => {
  const created: Tensor[] = [];
  assert.throws(
    () =>
      tidy(() => {
        created.push(zeros([2]), zeros([3]).add(1));
        created.push(tidy(() => zeros([4])));
        throw new Error("boom");
      }),
    /^Error: boom$/,
  );
  assert.equal(created.length, 3);
  assert.ok(
    created.every((t) => t.isDisposed),
    "all three are disposed",
  );
  assert.equal(scopeDepth(), 0);
});
