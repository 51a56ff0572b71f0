// Golden-value tests of the engine against PyTorch (fixture written by scripts/gen-engine-golden.py).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { F, noGrad, sgdStep, type Tensor, zerosLike } from "../../src/engine/index.js";
import { BatchNorm2d, channelShuffle, Parameter } from "../../src/nn/index.js";
import { goldenFixture } from "../golden.js";

const { tensors, get, leaf, options, cases, expectClose } = goldenFixture("engine-golden.safetensors");

const CONV = [
  "conv_g1_s1_p1",
  "conv_g1_s2_p0",
  "conv_g1_s2_p1",
  "conv_pw_s1_p0",
  "conv_g2_s1_p0",
  "conv_g3_s2_p1",
  "conv_g3_s1_p1",
  "conv_dw_s1_p1",
  "conv_dw_s2_p1",
  "conv_dil2_p2",
  "conv_dw_dil2_s2_p0",
];
const BN_TRAIN = ["bn_train_affine", "bn_train_plain"];
const BN_EVAL = ["bn_eval_affine", "bn_eval_plain"];
const CE = ["s0", "s01"].flatMap((s) => ["mean", "sum", "none"].map((r) => `ce_${s}_${r}`));
const SGD = ["sgd_m09_wd4e5", "sgd_nesterov_wd1e4", "sgd_m0", "sgd_nograd"];
const UNARY: [string, (x: Tensor) => Tensor][] = [
  ["max_pool_k3_s2_p1", (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 })],
  ["avg_pool_k3_s2_p1", (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: true })],
  ["adaptive_avg_pool_1", (x) => F.adaptiveAvgPool2d(x, 1)],
  ["hardswish", F.hardswish],
  ["hardsigmoid", F.hardsigmoid],
  ["relu6", F.relu6],
  ["log_softmax", (x) => F.logSoftmax(x, 1)],
];

test("the fixture holds exactly the cases these tests check", () => {
  const inFile = cases();
  const checked = [...CONV, ...BN_TRAIN, ...BN_EVAL, "bn_cumulative", ...CE, ...SGD, "shuffle_g3"].sort();
  assert.deepEqual(inFile, checked);
  for (const [name] of UNARY) assert.ok(tensors.has(`${name}.y`), `no unary case ${name}`);
});

describe("conv2d forward and backward", () => {
  for (const name of CONV) {
    test(name, () => {
      const hasBias = tensors.has(`${name}.b`);
      const x = leaf(`${name}.x`);
      const w = leaf(`${name}.w`);
      const b = hasBias ? leaf(`${name}.b`) : null;
      const y = F.conv2d(x, w, b, options<F.Conv2dOptions>(name));
      expectClose(y, `${name}.y`);
      y.backward(get(`${name}.dy`));
      expectClose(x.grad, `${name}.dx`);
      expectClose(w.grad, `${name}.dw`);
      if (b) expectClose(b.grad, `${name}.db`);
    });
  }
});

interface BnOptions {
  affine: boolean;
  momentum: number | null;
  eps: number;
}

describe("batch norm, training mode (momentum 0.1, two calls)", () => {
  for (const name of BN_TRAIN) {
    const o = options<BnOptions>(name);
    test(`${name} via F.batchNorm`, () => {
      const runningMean = get(`${name}.running_mean0`).clone();
      const runningVar = get(`${name}.running_var0`).clone();
      const weight = o.affine ? leaf(`${name}.weight`) : null;
      const bias = o.affine ? leaf(`${name}.bias`) : null;
      for (const step of [1, 2]) {
        const x = leaf(`${name}.x${step}`);
        const y = F.batchNorm(x, {
          weight,
          bias,
          runningMean,
          runningVar,
          training: true,
          momentum: o.momentum ?? undefined,
          eps: o.eps,
        });
        expectClose(y, `${name}.y${step}`);
        expectClose(runningMean, `${name}.running_mean${step}`);
        expectClose(runningVar, `${name}.running_var${step}`);
        if (step === 1) {
          y.backward(get(`${name}.dy`));
          expectClose(x.grad, `${name}.dx`);
          if (weight && bias) {
            expectClose(weight.grad, `${name}.dweight`);
            expectClose(bias.grad, `${name}.dbias`);
          }
        }
      }
    });
    test(`${name} via nn.BatchNorm2d`, () => {
      const bn = new BatchNorm2d(3, { affine: o.affine, momentum: o.momentum, eps: o.eps });
      noGrad(() => {
        bn.runningMean?.copy_(get(`${name}.running_mean0`));
        bn.runningVar?.copy_(get(`${name}.running_var0`));
        bn.weight?.copy_(get(`${name}.weight`));
        bn.bias?.copy_(get(`${name}.bias`));
      });
      for (const step of [1, 2]) {
        const x = leaf(`${name}.x${step}`);
        const y = bn.forward(x);
        expectClose(y, `${name}.y${step}`);
        expectClose(bn.runningMean, `${name}.running_mean${step}`);
        expectClose(bn.runningVar, `${name}.running_var${step}`);
        if (step === 1) {
          y.backward(get(`${name}.dy`));
          expectClose(x.grad, `${name}.dx`);
          if (bn.weight && bn.bias) {
            expectClose(bn.weight.grad, `${name}.dweight`);
            expectClose(bn.bias.grad, `${name}.dbias`);
          }
        }
      }
      assert.equal(bn.numBatchesTracked?.item(), 2);
    });
  }
});

describe("batch norm, eval mode with given running statistics", () => {
  for (const name of BN_EVAL) {
    const o = options<BnOptions>(name);
    test(`${name} via F.batchNorm`, () => {
      const runningMean = get(`${name}.running_mean`).clone();
      const runningVar = get(`${name}.running_var`).clone();
      const weight = o.affine ? leaf(`${name}.weight`) : null;
      const bias = o.affine ? leaf(`${name}.bias`) : null;
      const x = leaf(`${name}.x`);
      const y = F.batchNorm(x, { weight, bias, runningMean, runningVar, training: false, eps: o.eps });
      expectClose(y, `${name}.y`);
      y.backward(get(`${name}.dy`));
      expectClose(x.grad, `${name}.dx`);
      if (weight && bias) {
        expectClose(weight.grad, `${name}.dweight`);
        expectClose(bias.grad, `${name}.dbias`);
      }
      // Eval mode must leave the running statistics alone.
      expectClose(runningMean, `${name}.running_mean`, { rtol: 0, atol: 0 });
      expectClose(runningVar, `${name}.running_var`, { rtol: 0, atol: 0 });
    });
    test(`${name} via nn.BatchNorm2d`, () => {
      const bn = new BatchNorm2d(4, { affine: o.affine, eps: o.eps }).eval();
      noGrad(() => {
        bn.runningMean?.copy_(get(`${name}.running_mean`));
        bn.runningVar?.copy_(get(`${name}.running_var`));
        bn.weight?.copy_(get(`${name}.weight`));
        bn.bias?.copy_(get(`${name}.bias`));
      });
      const x = leaf(`${name}.x`);
      const y = bn.forward(x);
      expectClose(y, `${name}.y`);
      y.backward(get(`${name}.dy`));
      expectClose(x.grad, `${name}.dx`);
      if (bn.weight && bn.bias) {
        expectClose(bn.weight.grad, `${name}.dweight`);
        expectClose(bn.bias.grad, `${name}.dbias`);
      }
      assert.equal(bn.numBatchesTracked?.item(), 0);
    });
  }
});

test("nn.BatchNorm2d with momentum null keeps a cumulative average, also after resetRunningStats", () => {
  const name = "bn_cumulative";
  const o = options<BnOptions>(name);
  assert.equal(o.momentum, null);
  const bn = new BatchNorm2d(3, { momentum: o.momentum, eps: o.eps });
  noGrad(() => {
    bn.weight?.copy_(get(`${name}.weight`));
    bn.bias?.copy_(get(`${name}.bias`));
  });
  for (const round of [1, 2]) {
    if (round === 2) bn.resetRunningStats();
    bn.train();
    for (const step of [1, 2, 3]) {
      expectClose(bn.forward(get(`${name}.x${step}`)), `${name}.y${step}`);
      expectClose(bn.runningMean, `${name}.running_mean${step}`);
      expectClose(bn.runningVar, `${name}.running_var${step}`);
    }
    assert.equal(bn.numBatchesTracked?.item(), 3);
    bn.eval();
    expectClose(bn.forward(get(`${name}.x_eval`)), `${name}.y_eval`);
  }
});

describe("cross entropy and its gradient wrt the logits", () => {
  for (const name of CE) {
    test(name, () => {
      const logits = leaf("ce.logits");
      const loss = F.crossEntropy(logits, get("ce.target"), options<F.CrossEntropyOptions>(name));
      expectClose(loss, `${name}.loss`);
      loss.backward(get(`${name}.dy`));
      expectClose(logits.grad, `${name}.dlogits`);
    });
  }
});

describe("pools, activations and log-softmax forward and backward", () => {
  for (const [name, fn] of UNARY) {
    test(name, () => {
      const x = leaf(`${name}.x`);
      const y = fn(x);
      expectClose(y, `${name}.y`);
      y.backward(get(`${name}.dy`));
      expectClose(x.grad, `${name}.dx`);
    });
  }
});

interface SgdCase {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  noGrad: number[];
}

describe("sgdStep matches torch.optim.SGD over three steps", () => {
  for (const name of SGD) {
    test(name, () => {
      const o = options<SgdCase>(name);
      const initial = [0, 1, 2].map((i) => get(`${name}.p${i}`));
      const params = initial.map((p) => new Parameter(p.clone()));
      const buffers = params.map((p) => zerosLike(p));
      for (const step of [1, 2, 3]) {
        params.forEach((p, i) => {
          p.grad = o.noGrad.includes(i) ? null : get(`${name}.p${i}.g${step}`);
        });
        sgdStep(params, buffers, o);
        params.forEach((p, i) => {
          expectClose(p, `${name}.p${i}.step${step}`);
        });
      }
      for (const i of o.noGrad) {
        assert.ok(params[i]?.equal(initial[i] as Tensor), `p${i} has no gradient but changed`);
        assert.equal(
          buffers[i]?.abs().max().item(),
          0,
          `p${i} has no gradient but its momentum buffer changed`,
        );
      }
    });
  }
});

test("channelShuffle matches view-transpose-reshape in PyTorch", () => {
  const { groups } = options<{ groups: number }>("shuffle_g3");
  expectClose(channelShuffle(get("shuffle_g3.x"), groups), "shuffle_g3.y", { rtol: 0, atol: 0 });
});
