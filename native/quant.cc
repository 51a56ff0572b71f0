// Fake quantization (quantize then dequantize in float, so training sees the rounding) on libtorch's
// own ops, each with its autograd formula: the straight-through estimator for fixed quantization
// parameters, and LSQ's learned step (Esser et al., ICLR 2020) for the learnable ones.
#include "common.h"

namespace lithe {

namespace {

// fakeQuantizePerTensor(x, scale [1] float, zeroPoint [1] int32, qmin, qmax)
// y = (clamp(round(x / scale) + zp, qmin, qmax) - zp) * scale; dy/dx = 1 inside the range, 0 outside.
Napi::Value FakeQuantizePerTensor(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::fake_quantize_per_tensor_affine(T(info, 0), T(info, 1), T(info, 2), Int(info, 3),
                                                              Int(info, 4)));
}

// fakeQuantizePerChannel(x, scale [C] float, zeroPoint [C] int32, axis, qmin, qmax): one scale per slice
// along `axis` (axis 0 of a conv weight: per output channel).
Napi::Value FakeQuantizePerChannel(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::fake_quantize_per_channel_affine(T(info, 0), T(info, 1), T(info, 2), Int(info, 3),
                                                               Int(info, 4), Int(info, 5)));
}

// fakeQuantizeLearnablePerTensor(x, scale [1], zeroPoint [1] float, qmin, qmax, gradFactor): gradients
// flow to x (straight through), to the scale (LSQ's step gradient times gradFactor) and to the zero point.
Napi::Value FakeQuantizeLearnablePerTensor(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::_fake_quantize_learnable_per_tensor_affine(T(info, 0), T(info, 1), T(info, 2),
                                                                         Int(info, 3), Int(info, 4), Num(info, 5)));
}

// fakeQuantizeLearnablePerChannel(x, scale [C], zeroPoint [C] float, axis, qmin, qmax, gradFactor)
Napi::Value FakeQuantizeLearnablePerChannel(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(),
              at::_fake_quantize_learnable_per_channel_affine(T(info, 0), T(info, 1), T(info, 2), Int(info, 3),
                                                              Int(info, 4), Int(info, 5), Num(info, 6)));
}

}  // namespace

void RegisterQuant(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "fakeQuantizePerTensor", FakeQuantizePerTensor);
  Export(env, exports, "fakeQuantizePerChannel", FakeQuantizePerChannel);
  Export(env, exports, "fakeQuantizeLearnablePerTensor", FakeQuantizeLearnablePerTensor);
  Export(env, exports, "fakeQuantizeLearnablePerChannel", FakeQuantizeLearnablePerChannel);
}

}  // namespace lithe
