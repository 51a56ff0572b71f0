// Fused channel ops of ShuffleNet V2 units (Ma et al. 2018, Sec. 4: "concat, channel shuffle and
// channel split can be merged into a single element-wise operation"), each an autograd Function whose
// forward and backward are one pass of plane copies:
//   interleave(a, b):  (N, C, H, W) x 2 -> (N, 2C, H, W), out[:, 2i] = a[:, i], out[:, 2i+1] = b[:, i]
//                      = channel_shuffle(cat(a, b), 2); backward deinterleaves the gradient.
//   deinterleave(x):   (N, 2C, H, W) -> (x[:, 0::2], x[:, 1::2]) contiguous; backward interleaves.
//   splitHalves(x, k): (N, C, H, W) -> (x[:, :k], x[:, k:]) contiguous; backward is one cat, where
//                      narrow views would cost two zero-filled full-size gradients and an add.
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cstring>

#include "common.h"

namespace lithe {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// A contiguous (N, C, H, W) tensor as N*C planes of H*W elements (`bytes` each).
struct Planes {
  int64_t n, c;
  size_t bytes;
};

Planes PlanesOf(const at::Tensor& t) {
  TORCH_CHECK(t.dim() == 4, "needs an (N, C, H, W) tensor, got ", t.sizes());
  return Planes{t.size(0), t.size(1), static_cast<size_t>(t.size(2) * t.size(3)) * t.element_size()};
}

// out (N, 2C, H, W) <- a, b (N, C, H, W): plane (n, 2i + j) of out is plane (n, i) of [a, b][j].
at::Tensor InterleaveKernel(const at::Tensor& a0, const at::Tensor& b0) {
  RECORD_FUNCTION("lithe::interleave", std::vector<c10::IValue>());
  TORCH_CHECK(a0.sizes() == b0.sizes() && a0.scalar_type() == b0.scalar_type(),
              "interleave: needs two tensors of one shape and dtype, got ", a0.sizes(), " and ", b0.sizes());
  at::Tensor a = a0.contiguous(), b = b0.contiguous();
  Planes p = PlanesOf(a);
  at::Tensor out = at::empty({p.n, 2 * p.c, a.size(2), a.size(3)}, a.options());
  const char* src[2] = {static_cast<const char*>(a.data_ptr()), static_cast<const char*>(b.data_ptr())};
  char* dst = static_cast<char*>(out.data_ptr());
  at::parallel_for(0, p.n * p.c, 64, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      const int64_t n = k / p.c, i = k % p.c;
      for (int j = 0; j < 2; ++j) std::memcpy(dst + ((n * 2 * p.c) + 2 * i + j) * p.bytes, src[j] + k * p.bytes, p.bytes);
    }
  });
  return out;
}

// (even, odd) planes of x (N, 2C, H, W), each (N, C, H, W) contiguous.
std::vector<at::Tensor> DeinterleaveKernel(const at::Tensor& x0) {
  RECORD_FUNCTION("lithe::deinterleave", std::vector<c10::IValue>());
  at::Tensor x = x0.contiguous();
  Planes p = PlanesOf(x);
  TORCH_CHECK(p.c % 2 == 0, "deinterleave: needs an even channel count, got ", p.c);
  const int64_t half = p.c / 2;
  std::vector<at::Tensor> out{at::empty({p.n, half, x.size(2), x.size(3)}, x.options()),
                              at::empty({p.n, half, x.size(2), x.size(3)}, x.options())};
  const char* src = static_cast<const char*>(x.data_ptr());
  char* dst[2] = {static_cast<char*>(out[0].data_ptr()), static_cast<char*>(out[1].data_ptr())};
  at::parallel_for(0, p.n * half, 64, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      const int64_t n = k / half, i = k % half;
      for (int j = 0; j < 2; ++j) std::memcpy(dst[j] + k * p.bytes, src + ((n * p.c) + 2 * i + j) * p.bytes, p.bytes);
    }
  });
  return out;
}

// A missing output gradient (that output did not reach the loss) is zero.
at::Tensor OrZeros(const at::Tensor& g, const at::Tensor& like) { return g.defined() ? g : at::zeros_like(like); }

struct Interleave : torch::autograd::Function<Interleave> {
  static at::Tensor forward(AutogradContext*, const at::Tensor& a, const at::Tensor& b) { return InterleaveKernel(a, b); }
  static variable_list backward(AutogradContext*, variable_list grads) { return DeinterleaveKernel(grads[0]); }
};

struct Deinterleave : torch::autograd::Function<Deinterleave> {
  static variable_list forward(AutogradContext*, const at::Tensor& x) { return DeinterleaveKernel(x); }
  static variable_list backward(AutogradContext*, variable_list grads) {
    const at::Tensor& like = grads[0].defined() ? grads[0] : grads[1];
    return {InterleaveKernel(OrZeros(grads[0], like), OrZeros(grads[1], like))};
  }
};

struct SplitHalves : torch::autograd::Function<SplitHalves> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& x, int64_t k) {
    TORCH_CHECK(x.dim() == 4 && k > 0 && k < x.size(1), "splitHalves: cannot split ", x.sizes(), " at channel ", k);
    ctx->saved_data["k"] = k;
    ctx->saved_data["c"] = x.size(1);
    return {x.narrow(1, 0, k).contiguous(), x.narrow(1, k, x.size(1) - k).contiguous()};
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const int64_t k = ctx->saved_data["k"].toInt(), c = ctx->saved_data["c"].toInt();
    const at::Tensor& like = grads[0].defined() ? grads[0] : grads[1];
    auto part = [&](const at::Tensor& g, int64_t channels) {
      if (g.defined()) return g;
      auto sizes = like.sizes().vec();
      sizes[1] = channels;
      return at::zeros(sizes, like.options());
    };
    return {at::cat({part(grads[0], k), part(grads[1], c - k)}, 1), at::Tensor()};
  }
};

Napi::Value InterleaveOp(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Interleave::apply(T(info, 0), T(info, 1)));
}

Napi::Value DeinterleaveOp(const Napi::CallbackInfo& info) {
  return WrapList(info.Env(), Deinterleave::apply(T(info, 0)));
}

Napi::Value SplitHalvesOp(const Napi::CallbackInfo& info) {
  return WrapList(info.Env(), SplitHalves::apply(T(info, 0), Int(info, 1)));
}

}  // namespace

void RegisterFused(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "interleave", InterleaveOp);
  Export(env, exports, "deinterleave", DeinterleaveOp);
  Export(env, exports, "splitHalves", SplitHalvesOp);
}

}  // namespace lithe
