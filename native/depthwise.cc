// Depthwise convolution (groups == channels, no bias, dilation 1) whose backward is lithe's own
// plane-by-plane loops, measured against oneDNN's (bench/depthwise.ts); the forward stays ATen's.
//   x [N, C, H, W], w [C, 1, kh, kw] -> y [N, C, OH, OW], y[n,c,o,p] = sum_ij w[c,i,j] x[n,c,o*s-pad+i,p*s-pad+j]
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>

#include "common.h"

namespace lithe {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct Geometry {
  int64_t n, c, h, w, oh, ow, kh, kw, sh, sw, ph, pw;
};

// The output rows o with 0 <= o*s - pad + i < size, for kernel offset i: [first, last).
inline void ValidRange(int64_t i, int64_t s, int64_t pad, int64_t size, int64_t out, int64_t& first, int64_t& last) {
  first = pad - i <= 0 ? 0 : (pad - i + s - 1) / s;
  last = size - 1 + pad - i < 0 ? 0 : std::min<int64_t>(out, (size - 1 + pad - i) / s + 1);
}

// gx[n, c] += sum over kernel taps of w[c, i, j] * g[n, c] scattered back to the input positions.
template <typename T>
void InputGrad(const Geometry& d, const T* g, const T* w, T* gx) {
  at::parallel_for(0, d.n * d.c, 16, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      const T* gp = g + k * d.oh * d.ow;
      const T* wp = w + (k % d.c) * d.kh * d.kw;
      T* xp = gx + k * d.h * d.w;
      std::fill(xp, xp + d.h * d.w, T(0));
      for (int64_t i = 0; i < d.kh; ++i) {
        int64_t o0, o1;
        ValidRange(i, d.sh, d.ph, d.h, d.oh, o0, o1);
        for (int64_t j = 0; j < d.kw; ++j) {
          int64_t p0, p1;
          ValidRange(j, d.sw, d.pw, d.w, d.ow, p0, p1);
          const T wv = wp[i * d.kw + j];
          for (int64_t o = o0; o < o1; ++o) {
            T* row = xp + (o * d.sh - d.ph + i) * d.w - d.pw + j;
            const T* grow = gp + o * d.ow;
            for (int64_t p = p0; p < p1; ++p) row[p * d.sw] += wv * grow[p];
          }
        }
      }
    }
  });
}

// gw[c, i, j] = sum over n and output positions of g[n, c, o, p] * x[n, c, o*s - pad + i, p*s - pad + j].
template <typename T>
void WeightGrad(const Geometry& d, const T* g, const T* x, T* gw) {
  at::parallel_for(0, d.c, 1, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      for (int64_t i = 0; i < d.kh; ++i) {
        int64_t o0, o1;
        ValidRange(i, d.sh, d.ph, d.h, d.oh, o0, o1);
        for (int64_t j = 0; j < d.kw; ++j) {
          int64_t p0, p1;
          ValidRange(j, d.sw, d.pw, d.w, d.ow, p0, p1);
          T sum = 0;
          for (int64_t n = 0; n < d.n; ++n) {
            const T* gp = g + (n * d.c + c) * d.oh * d.ow;
            const T* xp = x + (n * d.c + c) * d.h * d.w;
            for (int64_t o = o0; o < o1; ++o) {
              const T* xrow = xp + (o * d.sh - d.ph + i) * d.w - d.pw + j;
              const T* grow = gp + o * d.ow;
              for (int64_t p = p0; p < p1; ++p) sum += grow[p] * xrow[p * d.sw];
            }
          }
          gw[(c * d.kh + i) * d.kw + j] = sum;
        }
      }
    }
  });
}

struct Depthwise : torch::autograd::Function<Depthwise> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& w, std::vector<int64_t> stride,
                            std::vector<int64_t> padding) {
    TORCH_CHECK(x.dim() == 4 && w.dim() == 4 && w.size(1) == 1 && w.size(0) == x.size(1),
                "depthwiseConv2d: needs x [N, C, H, W] and w [C, 1, kh, kw], got ", x.sizes(), " and ", w.sizes());
    ctx->save_for_backward({x, w});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    return at::conv2d(x, w, {}, stride, padding, {1, 1}, x.size(1));
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    RECORD_FUNCTION("lithe::depthwise_conv2d_backward", std::vector<c10::IValue>());
    auto saved = ctx->get_saved_variables();
    at::Tensor x = saved[0].contiguous(), w = saved[1].contiguous(), g = grads[0].contiguous();
    auto s = ctx->saved_data["stride"].toIntVector();
    auto p = ctx->saved_data["padding"].toIntVector();
    Geometry d{x.size(0), x.size(1), x.size(2), x.size(3), g.size(2), g.size(3), w.size(2), w.size(3), s[0], s[1], p[0], p[1]};
    at::Tensor gx = at::empty_like(x), gw = at::empty_like(w);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "depthwise_conv2d_backward", [&] {
      InputGrad<scalar_t>(d, g.data_ptr<scalar_t>(), w.data_ptr<scalar_t>(), gx.data_ptr<scalar_t>());
      WeightGrad<scalar_t>(d, g.data_ptr<scalar_t>(), x.data_ptr<scalar_t>(), gw.data_ptr<scalar_t>());
    });
    return {gx, gw, at::Tensor(), at::Tensor()};
  }
};

// depthwiseConv2d(x, w, stride[2], padding[2])
Napi::Value DepthwiseConv2d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Depthwise::apply(T(info, 0), T(info, 1), Ints(info, 2), Ints(info, 3)));
}

}  // namespace

void RegisterDepthwise(Napi::Env env, Napi::Object exports) { Export(env, exports, "depthwiseConv2d", DepthwiseConv2d); }

}  // namespace lithe
