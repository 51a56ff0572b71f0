// Neural-network ops (convolution, normalisation, pooling, losses, resizing) and the fused SGD step.
#include <ATen/core/grad_mode.h>

#include "common.h"

namespace lithe {

namespace {

// conv2d(x, weight, bias | null, stride[2], padding[2], dilation[2], groups)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  auto bias = OptT(info, 2);
  return Wrap(info.Env(), at::conv2d(T(info, 0), T(info, 1), bias, Ints(info, 3), Ints(info, 4), Ints(info, 5),
                                     Int(info, 6)));
}

// batchNorm(x, weight | null, bias | null, runningMean | null, runningVar | null, training, momentum, eps)
// In training mode the running statistics are updated in place: r = (1 - momentum) r + momentum batch.
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  auto w = OptT(info, 1);
  auto b = OptT(info, 2);
  auto rm = OptT(info, 3);
  auto rv = OptT(info, 4);
  return Wrap(info.Env(), at::batch_norm(T(info, 0), w, b, rm, rv, Bool(info, 5), Num(info, 6), Num(info, 7), false));
}

// maxPool2d(x, kernel[2], stride[2], padding[2], ceilMode)
Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::max_pool2d(T(info, 0), Ints(info, 1), Ints(info, 2), Ints(info, 3), {1, 1}, Bool(info, 4)));
}

// avgPool2d(x, kernel[2], stride[2], padding[2], ceilMode, countIncludePad)
Napi::Value AvgPool2d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::avg_pool2d(T(info, 0), Ints(info, 1), Ints(info, 2), Ints(info, 3), Bool(info, 4),
                                         Bool(info, 5), c10::nullopt));
}

Napi::Value AdaptiveAvgPool2d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::adaptive_avg_pool2d(T(info, 0), Ints(info, 1)));
}

// linear(x, weight [out, in], bias | null)
Napi::Value Linear(const Napi::CallbackInfo& info) {
  auto bias = OptT(info, 2);
  return Wrap(info.Env(), at::linear(T(info, 0), T(info, 1), bias));
}

Napi::Value Dropout(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::dropout(T(info, 0), Num(info, 1), Bool(info, 2)));
}

Napi::Value LogSoftmax(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::log_softmax(T(info, 0), Int(info, 1)));
}

Napi::Value Softmax(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::softmax(T(info, 0), Int(info, 1))); }

// crossEntropy(logits [N, C], target [N] int64, labelSmoothing, reduction 0 none | 1 mean | 2 sum)
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::cross_entropy_loss(T(info, 0), T(info, 1), c10::nullopt, Int(info, 3), -100, Num(info, 2)));
}

Napi::Value OneHot(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::one_hot(T(info, 0), Int(info, 1))); }

// upsampleBilinear(x [N, C, H, W], size[2], alignCorners) -> [N, C, size0, size1]
Napi::Value UpsampleBilinear(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::upsample_bilinear2d(T(info, 0), Ints(info, 1), Bool(info, 2), c10::nullopt, c10::nullopt));
}

// sgdStep(params[], momentumBuffers[] (zero-initialised), lr, momentum, weightDecay, nesterov)
// torch.optim.SGD's update for every parameter that has a gradient; parameters without one are left
// alone, buffers included (SPOS: unsampled choices get no update at all). Dampening is 0, so a
// zero-initialised buffer gives PyTorch's first step (buf = d) exactly.
//   d = g + wd * p;  buf = momentum * buf + d;  d = nesterov ? d + momentum * buf : buf
//   p -= lr * d
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  auto params = TList(info, 0);
  auto bufs = TList(info, 1);
  double lr = Num(info, 2), momentum = Num(info, 3), wd = Num(info, 4);
  bool nesterov = Bool(info, 5);
  if (momentum != 0 && bufs.size() != params.size()) {
    throw std::invalid_argument("sgdStep needs one momentum buffer per parameter");
  }
  at::NoGradGuard no_grad;
  for (size_t i = 0; i < params.size(); ++i) {
    at::Tensor& p = params[i];
    const at::Tensor& g = p.grad();
    if (!g.defined()) continue;
    at::Tensor d = wd != 0 ? g.add(p, wd) : g;
    if (momentum != 0) {
      bufs[i].mul_(momentum).add_(d);
      d = nesterov ? d.add(bufs[i], momentum) : bufs[i];
    }
    p.add_(d, -lr);
  }
  return info.Env().Undefined();
}

}  // namespace

void RegisterNN(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "conv2d", Conv2d);
  Export(env, exports, "batchNorm", BatchNorm);
  Export(env, exports, "maxPool2d", MaxPool2d);
  Export(env, exports, "avgPool2d", AvgPool2d);
  Export(env, exports, "adaptiveAvgPool2d", AdaptiveAvgPool2d);
  Export(env, exports, "linear", Linear);
  Export(env, exports, "dropout", Dropout);
  Export(env, exports, "logSoftmax", LogSoftmax);
  Export(env, exports, "softmax", Softmax);
  Export(env, exports, "crossEntropy", CrossEntropy);
  Export(env, exports, "oneHot", OneHot);
  Export(env, exports, "upsampleBilinear", UpsampleBilinear);
  Export(env, exports, "sgdStep", SgdStep);
}

}  // namespace lithe
