// Math, reduction, shape and in-place ops: one thin function per ATen call. Autograd records every
// op automatically because ATen dispatches through its Autograd key.
#include "common.h"

namespace lithe {

namespace {

#define UNARY(NAME, EXPR)                                   \
  Napi::Value NAME(const Napi::CallbackInfo& info) {        \
    const at::Tensor& x = T(info, 0);                       \
    return Wrap(info.Env(), EXPR);                          \
  }

// Tensor-or-number second operand.
#define BINARY(NAME, OP)                                    \
  Napi::Value NAME(const Napi::CallbackInfo& info) {        \
    const at::Tensor& a = T(info, 0);                       \
    if (IsTensor(info[1])) return Wrap(info.Env(), OP(a, T(info, 1))); \
    return Wrap(info.Env(), OP(a, ScalarOf(info[1])));      \
  }

UNARY(Neg, at::neg(x))
UNARY(Exp, at::exp(x))
UNARY(Log, at::log(x))
UNARY(Sqrt, at::sqrt(x))
UNARY(Abs, at::abs(x))
UNARY(Tanh, at::tanh(x))
UNARY(Sigmoid, at::sigmoid(x))
UNARY(Relu, at::relu(x))
UNARY(Relu6, at::hardtanh(x, 0, 6))
UNARY(Hardswish, at::hardswish(x))
UNARY(Hardsigmoid, at::hardsigmoid(x))
UNARY(Contiguous, x.contiguous())
UNARY(Clone, x.clone())

BINARY(Add, at::add)
BINARY(Sub, at::sub)
BINARY(Mul, at::mul)
BINARY(Div, at::div)
BINARY(Pow, at::pow)
BINARY(Eq, at::eq)
BINARY(Ne, at::ne)
BINARY(Lt, at::lt)
BINARY(Le, at::le)
BINARY(Gt, at::gt)
BINARY(Ge, at::ge)

Napi::Value Maximum(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::maximum(T(info, 0), T(info, 1))); }
Napi::Value Minimum(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::minimum(T(info, 0), T(info, 1))); }
Napi::Value Matmul(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::matmul(T(info, 0), T(info, 1))); }
// linalgSolve(A, B): X with A X = B for square A (least squares by the normal equations, src/prune)
Napi::Value LinalgSolve(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::linalg_solve(T(info, 0), T(info, 1)));
}
Napi::Value Where(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::where(T(info, 0), T(info, 1), T(info, 2)));
}
// clamp(x, min | null, max | null)
Napi::Value Clamp(const Napi::CallbackInfo& info) {
  auto lo = OptNum(info, 1);
  auto hi = OptNum(info, 2);
  c10::optional<at::Scalar> min, max;
  if (lo) min = at::Scalar(*lo);
  if (hi) max = at::Scalar(*hi);
  return Wrap(info.Env(), at::clamp(T(info, 0), min, max));
}
Napi::Value To(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), T(info, 0).to(ToScalarType(static_cast<int>(Int(info, 1)))));
}
Napi::Value Equal(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::equal(T(info, 0), T(info, 1)));
}

// ---- reductions: an empty dims list reduces over every dimension ----

#define REDUCE(NAME, ALL, DIMS)                                        \
  Napi::Value NAME(const Napi::CallbackInfo& info) {                   \
    const at::Tensor& x = T(info, 0);                                  \
    auto dims = Ints(info, 1);                                         \
    bool keep = Bool(info, 2);                                         \
    if (dims.empty() && !keep) return Wrap(info.Env(), ALL(x));        \
    if (dims.empty()) {                                                \
      dims.resize(x.dim());                                            \
      for (int64_t d = 0; d < x.dim(); ++d) dims[d] = d;               \
    }                                                                  \
    return Wrap(info.Env(), DIMS(x, dims, keep));                      \
  }

REDUCE(Sum, at::sum, at::sum)
REDUCE(Mean, at::mean, at::mean)
REDUCE(Amax, at::max, at::amax)
REDUCE(Amin, at::min, at::amin)

// argmax(x, dim | null, keepdim)
Napi::Value Argmax(const Napi::CallbackInfo& info) {
  c10::optional<int64_t> dim;
  if (!info[1].IsNull() && !info[1].IsUndefined()) dim = Int(info, 1);
  return Wrap(info.Env(), at::argmax(T(info, 0), dim, Bool(info, 2)));
}
// topk(x, k, dim, largest, sorted) -> [values, indices]
Napi::Value Topk(const Napi::CallbackInfo& info) {
  auto r = at::topk(T(info, 0), Int(info, 1), Int(info, 2), Bool(info, 3), Bool(info, 4));
  return WrapList(info.Env(), {std::get<0>(r), std::get<1>(r)});
}

// ---- shape ----

Napi::Value View(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).view(Ints(info, 1))); }
Napi::Value Reshape(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).reshape(Ints(info, 1))); }
Napi::Value Permute(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).permute(Ints(info, 1))); }
Napi::Value Expand(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).expand(Ints(info, 1))); }
Napi::Value Flip(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).flip(Ints(info, 1))); }
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), T(info, 0).transpose(Int(info, 1), Int(info, 2)));
}
Napi::Value Narrow(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), T(info, 0).narrow(Int(info, 1), Int(info, 2), Int(info, 3)));
}
// slice(x, dim, start, end, step)
Napi::Value Slice(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), T(info, 0).slice(Int(info, 1), Int(info, 2), Int(info, 3), Int(info, 4)));
}
Napi::Value Chunk(const Napi::CallbackInfo& info) {
  return WrapList(info.Env(), T(info, 0).chunk(Int(info, 1), Int(info, 2)));
}
// split(x, sizes[], dim)
Napi::Value Split(const Napi::CallbackInfo& info) {
  return WrapList(info.Env(), T(info, 0).split_with_sizes(Ints(info, 1), Int(info, 2)));
}
Napi::Value Cat(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::cat(TList(info, 0), Int(info, 1))); }
Napi::Value Stack(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::stack(TList(info, 0), Int(info, 1))); }
Napi::Value Flatten(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), T(info, 0).flatten(Int(info, 1), Int(info, 2)));
}
// squeeze(x, dim | null)
Napi::Value Squeeze(const Napi::CallbackInfo& info) {
  if (info[1].IsNull() || info[1].IsUndefined()) return Wrap(info.Env(), T(info, 0).squeeze());
  return Wrap(info.Env(), T(info, 0).squeeze(Int(info, 1)));
}
Napi::Value Unsqueeze(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).unsqueeze(Int(info, 1))); }
Napi::Value IndexSelect(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::index_select(T(info, 0), Int(info, 1), T(info, 2)));
}
Napi::Value Gather(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::gather(T(info, 0), Int(info, 1), T(info, 2)));
}
// pad(x, pads[] as in F.pad: last dim first, value)
Napi::Value Pad(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::constant_pad_nd(T(info, 0), Ints(info, 1), Num(info, 2)));
}

// ---- in place (return nothing; the JS wrapper returns the same tensor) ----

// add_(x, other, alpha): x += alpha * other
Napi::Value AddInPlace(const Napi::CallbackInfo& info) {
  at::Tensor& x = T(info, 0);
  at::Scalar alpha = ScalarOf(info[2]);
  if (IsTensor(info[1])) x.add_(T(info, 1), alpha);
  else x.add_(ScalarOf(info[1]), alpha);
  return info.Env().Undefined();
}
Napi::Value MulInPlace(const Napi::CallbackInfo& info) {
  at::Tensor& x = T(info, 0);
  if (IsTensor(info[1])) x.mul_(T(info, 1));
  else x.mul_(ScalarOf(info[1]));
  return info.Env().Undefined();
}
Napi::Value CopyInPlace(const Napi::CallbackInfo& info) {
  T(info, 0).copy_(T(info, 1));
  return info.Env().Undefined();
}
Napi::Value ZeroInPlace(const Napi::CallbackInfo& info) {
  T(info, 0).zero_();
  return info.Env().Undefined();
}
Napi::Value FillInPlace(const Napi::CallbackInfo& info) {
  T(info, 0).fill_(ScalarOf(info[1]));
  return info.Env().Undefined();
}
// uniform_(x, from, to) and normal_(x, mean, std) for weight initialisation
Napi::Value UniformInPlace(const Napi::CallbackInfo& info) {
  T(info, 0).uniform_(Num(info, 1), Num(info, 2));
  return info.Env().Undefined();
}
Napi::Value NormalInPlace(const Napi::CallbackInfo& info) {
  T(info, 0).normal_(Num(info, 1), Num(info, 2));
  return info.Env().Undefined();
}

}  // namespace

void RegisterOps(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "neg", Neg);
  Export(env, exports, "exp", Exp);
  Export(env, exports, "log", Log);
  Export(env, exports, "sqrt", Sqrt);
  Export(env, exports, "abs", Abs);
  Export(env, exports, "tanh", Tanh);
  Export(env, exports, "sigmoid", Sigmoid);
  Export(env, exports, "relu", Relu);
  Export(env, exports, "relu6", Relu6);
  Export(env, exports, "hardswish", Hardswish);
  Export(env, exports, "hardsigmoid", Hardsigmoid);
  Export(env, exports, "contiguous", Contiguous);
  Export(env, exports, "clone", Clone);
  Export(env, exports, "add", Add);
  Export(env, exports, "sub", Sub);
  Export(env, exports, "mul", Mul);
  Export(env, exports, "div", Div);
  Export(env, exports, "pow", Pow);
  Export(env, exports, "eq", Eq);
  Export(env, exports, "ne", Ne);
  Export(env, exports, "lt", Lt);
  Export(env, exports, "le", Le);
  Export(env, exports, "gt", Gt);
  Export(env, exports, "ge", Ge);
  Export(env, exports, "maximum", Maximum);
  Export(env, exports, "minimum", Minimum);
  Export(env, exports, "matmul", Matmul);
  Export(env, exports, "linalgSolve", LinalgSolve);
  Export(env, exports, "where", Where);
  Export(env, exports, "clamp", Clamp);
  Export(env, exports, "to", To);
  Export(env, exports, "equal", Equal);
  Export(env, exports, "sum", Sum);
  Export(env, exports, "mean", Mean);
  Export(env, exports, "amax", Amax);
  Export(env, exports, "amin", Amin);
  Export(env, exports, "argmax", Argmax);
  Export(env, exports, "topk", Topk);
  Export(env, exports, "view", View);
  Export(env, exports, "reshape", Reshape);
  Export(env, exports, "permute", Permute);
  Export(env, exports, "expand", Expand);
  Export(env, exports, "flip", Flip);
  Export(env, exports, "transpose", Transpose);
  Export(env, exports, "narrow", Narrow);
  Export(env, exports, "slice", Slice);
  Export(env, exports, "chunk", Chunk);
  Export(env, exports, "split", Split);
  Export(env, exports, "cat", Cat);
  Export(env, exports, "stack", Stack);
  Export(env, exports, "flatten", Flatten);
  Export(env, exports, "squeeze", Squeeze);
  Export(env, exports, "unsqueeze", Unsqueeze);
  Export(env, exports, "indexSelect", IndexSelect);
  Export(env, exports, "gather", Gather);
  Export(env, exports, "pad", Pad);
  Export(env, exports, "add_", AddInPlace);
  Export(env, exports, "mul_", MulInPlace);
  Export(env, exports, "copy_", CopyInPlace);
  Export(env, exports, "zero_", ZeroInPlace);
  Export(env, exports, "fill_", FillInPlace);
  Export(env, exports, "uniform_", UniformInPlace);
  Export(env, exports, "normal_", NormalInPlace);
}

}  // namespace lithe
