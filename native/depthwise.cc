// Depthwise convolution (one filter per channel: MobileNets, Howard et al. 2017, Sec. 3.1; the k x k
// convs of ShuffleNet and SPOS blocks) as an autograd Function whose backward avoids oneDNN's slow CPU
// paths (issue 18; `lithe bench engine` times it against ATen's per shape; F.conv2d uses it for kernels over 3):
//   - forward: ATen's conv2d (oneDNN), unchanged;
//   - input gradient at stride 1: ATen's conv2d of the output gradient with the flipped filters, which
//     runs at forward speed; at other strides, this file's plane scatter;
//   - filter gradient: this file's plane loops (oneDNN's takes up to 20x the forward at 5x5 and 7x7).
// Shapes: x (N, C, H, W), w (C, 1, kh, kw), gy (N, C, Ho, Wo) with Ho = (H + 2 ph - kh) / sh + 1, and
//   gw[c, a, b]                              = sum_{n, i, j} gy[n, c, i, j] x[n, c, i sh + a - ph, j sw + b - pw]
//   gx[n, c, i sh + a - ph, j sw + b - pw] += w[c, a, b] gy[n, c, i, j]
// (terms whose x index falls in the zero padding are left out).
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <vector>

#include "common.h"

namespace lithe {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct Geometry {
  int64_t n, c, h, w, ho, wo, kh, kw, sh, sw, ph, pw;
};

// Phase planes: the zero-padded input plane xpad (xpad[r, q] = x[r - ph, q - pw], 0 outside x) split by
// stride phase, phase (u, v)[i, j] = xpad[i sh + u, j sw + v], each `rows` x `cols` in row-major order,
// and the output-gradient plane copied to the same row length `cols` with zeros beyond column Wo. Then
// tap (a, b) of every output (i, j) reads phase (a % sh, b % sw) at (i + a / sh, j + b / sw): one
// contiguous run over the flattened plane at offset (a / sh) cols + b / sw, which the vector loops take
// whole (the zero columns make the terms that wrap into the next row vanish).
struct Phases {
  int64_t rows, cols;
  int64_t span;  // the flattened run of one plane each tap reads: Ho cols rounded up to whole vectors
  int64_t size;  // one phase plane's buffer: rows cols rounded up to whole vectors
};

constexpr int64_t kLanes = 16;  // two AVX2 registers of floats: two independent accumulator chains

Phases PhasesOf(const Geometry& g) {
  const int64_t cols = g.wo + (g.kw - 1) / g.sw + 1;
  const int64_t rows = g.ho + (g.kh - 1) / g.sh + 1;
  const int64_t span = (g.ho * cols + kLanes - 1) / kLanes * kLanes;
  return Phases{rows, cols, span, (rows * cols + kLanes - 1) / kLanes * kLanes};
}

// Dot and axpy over n = a multiple of kLanes elements, in kLanes-wide blocks the compiler keeps in vector
// registers (no scalar tail). Dot adds into `lanes`; the caller sums the lanes into a double now and then.
template <typename scalar_t>
inline __attribute__((always_inline)) void Dot(const scalar_t* a, const scalar_t* b, int64_t n, scalar_t* lanes) {
  scalar_t acc[kLanes];  // in registers: `lanes` may alias nothing, but the compiler cannot know
  std::copy(lanes, lanes + kLanes, acc);
  for (int64_t k = 0; k < n; k += kLanes) {
#pragma omp simd
    for (int64_t l = 0; l < kLanes; ++l) acc[l] += a[k + l] * b[k + l];
  }
  std::copy(acc, acc + kLanes, lanes);
}

// Products summed in scalar_t lanes before they go into the double total (bounds float rounding).
constexpr int64_t kFlushEvery = 1024;

template <typename scalar_t>
inline __attribute__((always_inline)) void Axpy(scalar_t alpha, const scalar_t* x, scalar_t* y, int64_t n) {
  for (int64_t k = 0; k < n; k += kLanes) {
#pragma omp simd
    for (int64_t l = 0; l < kLanes; ++l) y[k + l] += alpha * x[k + l];
  }
}

// The buffers' zero cells (padding, and the columns beyond Wo) are the same for every plane: the callers
// zero a buffer once and these write only the cells that hold data.

// gbuf (span) <- the output-gradient plane gy (Ho x Wo) in rows of `cols`.
template <typename scalar_t>
inline __attribute__((always_inline)) void SpreadRows(const scalar_t* gy, scalar_t* gbuf, const Geometry& g,
                                                      const Phases& p) {
  for (int64_t i = 0; i < g.ho; ++i) {
    const scalar_t* from = gy + i * g.wo;
    scalar_t* to = gbuf + i * p.cols;
#pragma omp simd
    for (int64_t j = 0; j < g.wo; ++j) to[j] = from[j];
  }
}

// The sh * sw phase planes of input plane x (H x W), phase (u, v) at xph + (u sw + v) stride: each phase
// row's columns that fall inside x.
template <typename scalar_t>
inline __attribute__((always_inline)) void SplitPhases(const scalar_t* x, scalar_t* xph, int64_t stride,
                                                       const Geometry& g, const Phases& p) {
  for (int64_t u = 0; u < g.sh; ++u)
    for (int64_t v = 0; v < g.sw; ++v) {
      scalar_t* out = xph + (u * g.sw + v) * stride;
      // phase column j reads x column j sw + v - pw: j in [j0, j1)
      const int64_t j0 = g.pw > v ? (g.pw - v + g.sw - 1) / g.sw : 0;
      const int64_t j1 = std::min(p.cols, (g.w - 1 + g.pw - v) / g.sw + 1);
      for (int64_t i = 0; i < p.rows; ++i) {
        const int64_t r = i * g.sh + u - g.ph;
        if (r < 0 || r >= g.h) continue;
        const scalar_t* row = x + r * g.w + v - g.pw;
        scalar_t* to = out + i * p.cols;
        if (g.sw == 1) {
#pragma omp simd
          for (int64_t j = j0; j < j1; ++j) to[j] = row[j];
        } else {
          for (int64_t j = j0; j < j1; ++j) to[j] = row[j * g.sw];
        }
      }
    }
}

// Offset of tap (a, b) in its phase plane, and the phase plane's index.
inline int64_t TapOffset(const Geometry& g, const Phases& p, int64_t a, int64_t b) {
  return (a / g.sh) * p.cols + b / g.sw;
}
inline int64_t TapPhase(const Geometry& g, int64_t a, int64_t b) { return (a % g.sh) * g.sw + b % g.sw; }

// One channel's filter gradient over the whole batch (plane by plane, so the buffers stay in L1, each tap
// adding into vector accumulators of its own), and one plane's input gradient; compiled for AVX2 as well as the baseline (the loader picks
// the clone the CPU runs). They are called once per channel or plane from the parallel loops, so the
// vector code is theirs, not the loops' lambdas'.
#define LITHE_CLONES __attribute__((target_clones("avx2", "default")))

template <typename scalar_t>
void FilterGradChannel(const scalar_t* x, const scalar_t* gy, scalar_t* gw, const Geometry& g, int64_t c,
                       scalar_t* buffer);
template <typename scalar_t>
void InputGradOfPlane(const scalar_t* gy, const scalar_t* w, scalar_t* gx, const Geometry& g, int64_t plane,
                      scalar_t* buffer);

#define LITHE_DEPTHWISE_KERNELS(scalar_t)                                                                   \
  template <>                                                                                               \
  LITHE_CLONES void FilterGradChannel<scalar_t>(const scalar_t* x, const scalar_t* gy, scalar_t* gw,        \
                                                const Geometry& g, int64_t c, scalar_t* buffer) {           \
    const Phases p = PhasesOf(g);                                                                           \
    const int64_t taps = g.kh * g.kw;                                                                       \
    scalar_t *gbuf = buffer, *xph = buffer + p.span, *lanes = xph + g.sh * g.sw * p.size + kLanes;          \
    std::fill(lanes, lanes + taps * kLanes, scalar_t(0));                                                   \
    std::vector<double> total(taps, 0.0);                                                                   \
    int64_t pending = 0;                                                                                    \
    for (int64_t n = 0; n < g.n; ++n) {                                                                     \
      const int64_t plane = n * g.c + c;                                                                    \
      SpreadRows(gy + plane * g.ho * g.wo, gbuf, g, p);                                                     \
      SplitPhases(x + plane * g.h * g.w, xph, p.size, g, p);                                                \
      for (int64_t a = 0; a < g.kh; ++a)                                                                    \
        for (int64_t b = 0; b < g.kw; ++b)                                                                  \
          Dot(gbuf, xph + TapPhase(g, a, b) * p.size + TapOffset(g, p, a, b), p.span,                       \
              lanes + (a * g.kw + b) * kLanes);                                                             \
      pending += p.span;                                                                                    \
      if (pending >= kFlushEvery || n == g.n - 1) {                                                         \
        for (int64_t t = 0; t < taps; ++t)                                                                  \
          for (int64_t l = 0; l < kLanes; ++l) total[t] += lanes[t * kLanes + l];                           \
        std::fill(lanes, lanes + taps * kLanes, scalar_t(0));                                               \
        pending = 0;                                                                                        \
      }                                                                                                     \
    }                                                                                                       \
    for (int64_t t = 0; t < taps; ++t) gw[c * taps + t] = static_cast<scalar_t>(total[t]);                  \
  }                                                                                                         \
  template <>                                                                                               \
  LITHE_CLONES void InputGradOfPlane<scalar_t>(const scalar_t* gy, const scalar_t* w, scalar_t* gx,         \
                                               const Geometry& g, int64_t plane, scalar_t* buffer) {        \
    const Phases p = PhasesOf(g);                                                                           \
    scalar_t *gbuf = buffer, *gph = buffer + p.span;                                                        \
    const scalar_t* filter = w + (plane % g.c) * g.kh * g.kw;                                               \
    SpreadRows(gy + plane * g.ho * g.wo, gbuf, g, p);                                                       \
    std::fill(gph, gph + g.sh * g.sw * p.size + kLanes, scalar_t(0));                                       \
    for (int64_t a = 0; a < g.kh; ++a)                                                                      \
      for (int64_t b = 0; b < g.kw; ++b)                                                                    \
        Axpy(filter[a * g.kw + b], gbuf, gph + TapPhase(g, a, b) * p.size + TapOffset(g, p, a, b),          \
             p.span);                                                                                       \
    scalar_t* out = gx + plane * g.h * g.w;                                                                 \
    for (int64_t r = 0; r < g.h; ++r)                                                                       \
      for (int64_t q = 0; q < g.w; ++q) {                                                                   \
        const int64_t rp = r + g.ph, qp = q + g.pw, i = rp / g.sh, j = qp / g.sw;                           \
        out[r * g.w + q] =                                                                                  \
            i < p.rows && j < p.cols ? gph[((rp % g.sh) * g.sw + qp % g.sw) * p.size + i * p.cols + j] : 0; \
      }                                                                                                     \
  }
LITHE_DEPTHWISE_KERNELS(float)
LITHE_DEPTHWISE_KERNELS(double)

Geometry GeometryOf(const at::Tensor& x, const at::Tensor& w, const at::Tensor& gy, at::IntArrayRef stride,
                    at::IntArrayRef padding) {
  return Geometry{x.size(0),  x.size(1),  x.size(2),  x.size(3),  gy.size(2), gy.size(3),
                  w.size(2),  w.size(3),  stride[0],  stride[1],  padding[0], padding[1]};
}

at::Tensor FilterGrad(const at::Tensor& x0, const at::Tensor& gy0, const at::Tensor& w, const Geometry& g) {
  at::Tensor x = x0.contiguous(), gy = gy0.contiguous();
  at::Tensor gw = at::empty_like(w, at::MemoryFormat::Contiguous);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "depthwise filter gradient", [&] {
    const scalar_t* xp = x.data_ptr<scalar_t>();
    const scalar_t* gp = gy.data_ptr<scalar_t>();
    scalar_t* out = gw.data_ptr<scalar_t>();
    const Phases p = PhasesOf(g);
    at::parallel_for(0, g.c, 1, [&](int64_t begin, int64_t end) {
      // gbuf, one input plane's phase planes, and kLanes accumulators per tap; zeroed once (SpreadRows)
      std::vector<scalar_t> buffer(p.span + g.sh * g.sw * p.size + kLanes + g.kh * g.kw * kLanes);
      for (int64_t c = begin; c < end; ++c) FilterGradChannel<scalar_t>(xp, gp, out, g, c, buffer.data());
    });
  });
  return gw;
}

at::Tensor InputGrad(const at::Tensor& gy0, const at::Tensor& w0, const Geometry& g, const at::Tensor& like) {
  if (g.sh == 1 && g.sw == 1 && g.ph < g.kh && g.pw < g.kw)
    return at::conv2d(gy0, w0.flip({2, 3}), {}, {1, 1}, {g.kh - 1 - g.ph, g.kw - 1 - g.pw}, {1, 1}, g.c);
  at::Tensor gy = gy0.contiguous(), w = w0.contiguous();
  at::Tensor gx = at::empty(like.sizes(), like.options().memory_format(at::MemoryFormat::Contiguous));
  AT_DISPATCH_FLOATING_TYPES(gy.scalar_type(), "depthwise input gradient", [&] {
    const scalar_t* gp = gy.data_ptr<scalar_t>();
    const scalar_t* wp = w.data_ptr<scalar_t>();
    scalar_t* out = gx.data_ptr<scalar_t>();
    const Phases p = PhasesOf(g);
    at::parallel_for(0, g.n * g.c, 16, [&](int64_t begin, int64_t end) {
      // gbuf and the phase planes of one input-gradient plane; zeroed once (SpreadRows)
      std::vector<scalar_t> buffer(p.span + g.sh * g.sw * p.size + kLanes);
      for (int64_t plane = begin; plane < end; ++plane)
        InputGradOfPlane<scalar_t>(gp, wp, out, g, plane, buffer.data());
    });
  });
  return gx;
}

struct DepthwiseConv : torch::autograd::Function<DepthwiseConv> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& w,
                            const std::vector<int64_t>& stride, const std::vector<int64_t>& padding) {
    ctx->save_for_backward({x, w});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    return at::conv2d(x, w, {}, stride, padding, {1, 1}, x.size(1));
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[0], &w = saved[1], &gy = grads[0];
    const auto stride = ctx->saved_data["stride"].toIntVector();
    const auto padding = ctx->saved_data["padding"].toIntVector();
    RECORD_FUNCTION("lithe::depthwise_conv2d_backward", std::vector<c10::IValue>({gy, x, w}));
    const Geometry g = GeometryOf(x, w, gy, stride, padding);
    at::Tensor gx = ctx->needs_input_grad(0) ? InputGrad(gy, w, g, x) : at::Tensor();
    at::Tensor gw = ctx->needs_input_grad(1) ? FilterGrad(x, gy, w, g) : at::Tensor();
    return {gx, gw, at::Tensor(), at::Tensor()};
  }
};

// depthwiseConv2d(x (N, C, H, W), weight (C, 1, kh, kw), stride[2], padding[2]) -> (N, C, Ho, Wo), no bias.
Napi::Value DepthwiseConv2dOp(const Napi::CallbackInfo& info) {
  const at::Tensor &x = T(info, 0), &w = T(info, 1);
  TORCH_CHECK(x.dim() == 4 && w.dim() == 4 && w.size(0) == x.size(1) && w.size(1) == 1,
              "needs x (N, C, H, W) and weight (C, 1, kh, kw), got ", x.sizes(), " and ", w.sizes());
  TORCH_CHECK(x.scalar_type() == w.scalar_type() && at::isFloatingType(x.scalar_type()),
              "needs floating-point x and weight of one dtype");
  const std::vector<int64_t> stride = Ints(info, 2), padding = Ints(info, 3);
  TORCH_CHECK(stride.size() == 2 && padding.size() == 2 && stride[0] > 0 && stride[1] > 0 && padding[0] >= 0 &&
                  padding[1] >= 0,
              "needs two positive strides and two non-negative paddings");
  return Wrap(info.Env(), DepthwiseConv::apply(x, w, stride, padding));
}

}  // namespace

void RegisterDepthwise(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "depthwiseConv2d", DepthwiseConv2dOp);
}

}  // namespace lithe
