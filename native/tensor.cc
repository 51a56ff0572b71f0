// Tensor handles and everything that is not an op: creation, typed-array I/O, metadata, autograd,
// random generator, threads and build information.
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "common.h"

namespace lithe {

// ---- dtype codes ----

at::ScalarType ToScalarType(int code) {
  switch (code) {
    case kF32: return at::kFloat;
    case kF64: return at::kDouble;
    case kI64: return at::kLong;
    case kU8: return at::kByte;
    case kBool: return at::kBool;
    case kI32: return at::kInt;
    default: throw std::invalid_argument("unknown dtype code " + std::to_string(code));
  }
}

int FromScalarType(at::ScalarType st) {
  switch (st) {
    case at::kFloat: return kF32;
    case at::kDouble: return kF64;
    case at::kLong: return kI64;
    case at::kByte: return kU8;
    case at::kBool: return kBool;
    case at::kInt: return kI32;
    default: throw std::invalid_argument(std::string("unsupported dtype ") + c10::toString(st));
  }
}

// ---- handles ----

// Handles that hold a tensor (not yet disposed or collected): a leak check that no allocator,
// thread count or GEMM kernel can move, unlike the process's resident memory. Per JS thread, like
// unreported_frees: handles and their finalizers live on the thread that made them, so no atomic.
static thread_local int64_t live_handles = 0;

void Release(Napi::Env env, Box* box) {
  if (box->bytes != 0) Napi::MemoryManagement::AdjustExternalMemory(env, -box->bytes);
  box->bytes = 0;
  if (box->t.defined()) --live_handles;
  box->t = at::Tensor();
}

// Handle finalizers are basic (NAPI_EXPERIMENTAL in binding.gyp): Node runs them inside GC rather
// than on a later event-loop turn, so handles and undisposed tensors do not pile up in a loop that
// never yields. They may not call into V8, so Wrap reports their frees along with its allocation.
static thread_local int64_t unreported_frees = 0;

// Reporting memory to V8 makes it collect sooner; that helps for tensors only the garbage collector
// frees, but inside tidy() (which frees deterministically) it only triggers needless full GCs that
// take a core from the OpenMP threads (measured: ~10 GCs per ShuffleNet step). The JS scope code
// turns reporting off while a scope is open. Views share their base's storage and are not counted.
static bool report_external_memory = true;

Napi::Value Wrap(Napi::Env env, at::Tensor t) {
  auto* box = new Box{std::move(t), 0};
  if (box->t.defined()) ++live_handles;
  if (report_external_memory && box->t.defined() && !box->t.is_view()) {
    box->bytes = static_cast<int64_t>(box->t.nbytes());
  }
  int64_t change = box->bytes - std::exchange(unreported_frees, 0);
  if (change != 0) Napi::MemoryManagement::AdjustExternalMemory(env, change);
  return Napi::External<Box>::New(env, box, [](Napi::BasicEnv, Box* b) {
    unreported_frees += b->bytes;
    if (b->t.defined()) --live_handles;
    delete b;
  });
}

Napi::Value WrapList(Napi::Env env, const std::vector<at::Tensor>& ts) {
  auto arr = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); ++i) arr.Set(static_cast<uint32_t>(i), Wrap(env, ts[i]));
  return arr;
}

bool IsTensor(const Napi::Value& v) { return v.IsExternal(); }

static std::invalid_argument ArgError(size_t i, const std::string& what) {
  return std::invalid_argument("argument " + std::to_string(i) + " " + what);
}

at::Tensor& T(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !IsTensor(info[i])) throw ArgError(i, "must be a tensor");
  Box* box = info[i].As<Napi::External<Box>>().Data();
  if (!box->t.defined()) throw ArgError(i, "is a disposed tensor");
  return box->t;
}

c10::optional<at::Tensor> OptT(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || info[i].IsNull() || info[i].IsUndefined()) return c10::nullopt;
  return T(info, i);
}

std::vector<at::Tensor> TList(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsArray()) throw ArgError(i, "must be an array of tensors");
  auto arr = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(arr.Length());
  for (uint32_t j = 0; j < arr.Length(); ++j) {
    Napi::Value v = arr.Get(j);
    if (!IsTensor(v)) throw ArgError(i, "element " + std::to_string(j) + " is not a tensor");
    Box* box = v.As<Napi::External<Box>>().Data();
    if (!box->t.defined()) throw ArgError(i, "element " + std::to_string(j) + " is a disposed tensor");
    out.push_back(box->t);
  }
  return out;
}

double Num(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsNumber()) throw ArgError(i, "must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

c10::optional<double> OptNum(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || info[i].IsNull() || info[i].IsUndefined()) return c10::nullopt;
  return Num(info, i);
}

int64_t Int(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsNumber()) throw ArgError(i, "must be an integer");
  return info[i].As<Napi::Number>().Int64Value();
}

bool Bool(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsBoolean()) throw ArgError(i, "must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

std::vector<int64_t> Ints(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsArray()) throw ArgError(i, "must be an array of integers");
  auto arr = info[i].As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t j = 0; j < arr.Length(); ++j) {
    Napi::Value v = arr.Get(j);
    if (!v.IsNumber()) throw ArgError(i, "element " + std::to_string(j) + " is not a number");
    out[j] = v.As<Napi::Number>().Int64Value();
  }
  return out;
}

at::Scalar ScalarOf(const Napi::Value& v) {
  if (v.IsBoolean()) return at::Scalar(v.As<Napi::Boolean>().Value());
  if (!v.IsNumber()) throw std::invalid_argument("expected a number or a boolean");
  double d = v.As<Napi::Number>().DoubleValue();
  // Integral JS numbers act like Python ints (they keep integer tensors integral).
  if (std::nearbyint(d) == d && std::abs(d) < 9.0e15) return at::Scalar(static_cast<int64_t>(d));
  return at::Scalar(d);
}

namespace {

at::TensorOptions Opts(const Napi::CallbackInfo& info, size_t i) {
  return at::TensorOptions().dtype(ToScalarType(static_cast<int>(Int(info, i))));
}

// ---- creation ----

// fromBuffer(bytes: ArrayBuffer | TypedArray, shape, dtype) copies the bytes into a new tensor.
Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  const uint8_t* data = nullptr;
  size_t length = 0;
  if (info[0].IsTypedArray()) {
    auto ta = info[0].As<Napi::TypedArray>();
    auto buf = ta.ArrayBuffer();
    data = static_cast<const uint8_t*>(buf.Data()) + ta.ByteOffset();
    length = ta.ByteLength();
  } else if (info[0].IsArrayBuffer()) {
    auto buf = info[0].As<Napi::ArrayBuffer>();
    data = static_cast<const uint8_t*>(buf.Data());
    length = buf.ByteLength();
  } else {
    throw ArgError(0, "must be an ArrayBuffer or a typed array");
  }
  auto t = at::empty(Ints(info, 1), Opts(info, 2));
  if (t.nbytes() != length) {
    throw std::invalid_argument("buffer holds " + std::to_string(length) + " bytes but shape " +
                                c10::str(t.sizes()) + " needs " + std::to_string(t.nbytes()));
  }
  if (length != 0) std::memcpy(t.data_ptr(), data, length);
  return Wrap(info.Env(), t);
}

Napi::Value Zeros(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::zeros(Ints(info, 0), Opts(info, 1))); }
Napi::Value Ones(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::ones(Ints(info, 0), Opts(info, 1))); }
Napi::Value Full(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::full(Ints(info, 0), ScalarOf(info[1]), Opts(info, 2)));
}
Napi::Value Rand(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::rand(Ints(info, 0), Opts(info, 1))); }
Napi::Value Randn(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::randn(Ints(info, 0), Opts(info, 1))); }
Napi::Value Randint(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::randint(Int(info, 0), Int(info, 1), Ints(info, 2), Opts(info, 3)));
}
Napi::Value Randperm(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::randperm(Int(info, 0), at::TensorOptions().dtype(at::kLong)));
}
Napi::Value Arange(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::arange(ScalarOf(info[0]), ScalarOf(info[1]), ScalarOf(info[2]), Opts(info, 3)));
}
Napi::Value ZerosLike(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::zeros_like(T(info, 0))); }

// ---- metadata and I/O ----

Napi::Value Shape(const Napi::CallbackInfo& info) {
  auto sizes = T(info, 0).sizes();
  auto arr = Napi::Array::New(info.Env(), sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) arr.Set(static_cast<uint32_t>(i), static_cast<double>(sizes[i]));
  return arr;
}
Napi::Value DType(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), FromScalarType(T(info, 0).scalar_type()));
}

// toBuffer(t) -> ArrayBuffer holding a contiguous copy of the data (bool as one byte each).
Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  at::Tensor c = T(info, 0).detach().contiguous();
  auto buf = Napi::ArrayBuffer::New(info.Env(), c.nbytes());
  if (c.nbytes() != 0) std::memcpy(buf.Data(), c.data_ptr(), c.nbytes());
  return buf;
}

Napi::Value Item(const Napi::CallbackInfo& info) {
  at::Tensor& t = T(info, 0);
  if (t.numel() != 1) throw std::invalid_argument("item() needs a tensor with one element, got shape " + c10::str(t.sizes()));
  return Napi::Number::New(info.Env(), t.item().toDouble());
}

Napi::Value SetReportExternalMemory(const Napi::CallbackInfo& info) {
  report_external_memory = Bool(info, 0);
  return info.Env().Undefined();
}

Napi::Value Dispose(const Napi::CallbackInfo& info) {
  if (!IsTensor(info[0])) throw ArgError(0, "must be a tensor");
  Release(info.Env(), info[0].As<Napi::External<Box>>().Data());
  return info.Env().Undefined();
}

Napi::Value LiveHandles(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(live_handles));
}

Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  if (!IsTensor(info[0])) throw ArgError(0, "must be a tensor");
  return Napi::Boolean::New(info.Env(), !info[0].As<Napi::External<Box>>().Data()->t.defined());
}

// ---- autograd ----

Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), T(info, 0).requires_grad());
}
Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  T(info, 0).set_requires_grad(Bool(info, 1));
  return info.Env().Undefined();
}
Napi::Value IsLeaf(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), T(info, 0).is_leaf()); }

// backward(t, grad | null, retainGraph)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  auto grad = OptT(info, 1);
  T(info, 0).backward(grad.value_or(at::Tensor()), Bool(info, 2), false);
  return info.Env().Undefined();
}

Napi::Value Grad(const Napi::CallbackInfo& info) {
  const at::Tensor& g = T(info, 0).grad();
  if (!g.defined()) return info.Env().Null();
  return Wrap(info.Env(), g);
}

// setGrad(t, g | null): null drops the gradient (the parameter then gets no optimizer update).
Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  auto g = OptT(info, 1);
  T(info, 0).mutable_grad() = g.value_or(at::Tensor());
  return info.Env().Undefined();
}

// setData(t, src): t now holds src's data, dtype included, keeping its handle and requires_grad
// (PyTorch's `param.data = src`, which Module.to uses).
Napi::Value SetData(const Napi::CallbackInfo& info) {
  T(info, 0).set_data(T(info, 1));
  return info.Env().Undefined();
}

Napi::Value Detach(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).detach()); }

Napi::Value GradEnabled(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled()); }
Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  at::GradMode::set_enabled(Bool(info, 0));
  return info.Env().Undefined();
}

// ---- random generator ----

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_current_seed(static_cast<uint64_t>(Int(info, 0)));
  return info.Env().Undefined();
}
Napi::Value GetRngState(const Napi::CallbackInfo& info) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return Wrap(info.Env(), gen.get_state());
}
Napi::Value SetRngState(const Napi::CallbackInfo& info) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(T(info, 0));
  return info.Env().Undefined();
}

// ---- runtime ----

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  at::set_num_threads(static_cast<int>(Int(info, 0)));
  return info.Env().Undefined();
}
Napi::Value GetNumThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), at::get_num_threads()); }
Napi::Value ShowConfig(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), at::show_config() + "\n" + at::get_parallel_info());
}

}  // namespace

void RegisterTensor(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "fromBuffer", FromBuffer);
  Export(env, exports, "zeros", Zeros);
  Export(env, exports, "ones", Ones);
  Export(env, exports, "full", Full);
  Export(env, exports, "rand", Rand);
  Export(env, exports, "randn", Randn);
  Export(env, exports, "randint", Randint);
  Export(env, exports, "randperm", Randperm);
  Export(env, exports, "arange", Arange);
  Export(env, exports, "zerosLike", ZerosLike);
  Export(env, exports, "shape", Shape);
  Export(env, exports, "dtype", DType);
  Export(env, exports, "toBuffer", ToBuffer);
  Export(env, exports, "item", Item);
  Export(env, exports, "dispose", Dispose);
  Export(env, exports, "setReportExternalMemory", SetReportExternalMemory);
  Export(env, exports, "isDisposed", IsDisposed);
  Export(env, exports, "liveHandles", LiveHandles);
  Export(env, exports, "requiresGrad", RequiresGrad);
  Export(env, exports, "setRequiresGrad", SetRequiresGrad);
  Export(env, exports, "isLeaf", IsLeaf);
  Export(env, exports, "backward", Backward);
  Export(env, exports, "grad", Grad);
  Export(env, exports, "setGrad", SetGrad);
  Export(env, exports, "setData", SetData);
  Export(env, exports, "detach", Detach);
  Export(env, exports, "gradEnabled", GradEnabled);
  Export(env, exports, "setGradEnabled", SetGradEnabled);
  Export(env, exports, "manualSeed", ManualSeed);
  Export(env, exports, "getRngState", GetRngState);
  Export(env, exports, "setRngState", SetRngState);
  Export(env, exports, "setNumThreads", SetNumThreads);
  Export(env, exports, "getNumThreads", GetNumThreads);
  Export(env, exports, "showConfig", ShowConfig);
}

}  // namespace lithe
