// Shared pieces of the addon: the tensor handle (a boxed at::Tensor behind a Napi::External),
// argument readers, dtype codes and the error guard that turns C++ exceptions into JS Errors.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include <optional>
#include <string>
#include <vector>

namespace lithe {

// One JS handle owns one reference to an at::Tensor. dispose() drops the reference early;
// the External's finalizer drops it when V8 collects the handle. `bytes` is what we reported to
// V8 as external memory for this handle.
struct Box {
  at::Tensor t;
  int64_t bytes = 0;
};

// dtype codes shared with src/engine/dtype.ts
enum DTypeCode : int { kF32 = 0, kF64 = 1, kI64 = 2, kU8 = 3, kBool = 4, kI32 = 5 };
at::ScalarType ToScalarType(int code);
int FromScalarType(at::ScalarType st);

// Wrap a tensor in a new handle (reports its size to V8).
Napi::Value Wrap(Napi::Env env, at::Tensor t);
Napi::Value WrapList(Napi::Env env, const std::vector<at::Tensor>& ts);
void Release(Napi::Env env, Box* box);

// Argument readers; each throws std::invalid_argument naming the argument on misuse.
at::Tensor& T(const Napi::CallbackInfo& info, size_t i);
c10::optional<at::Tensor> OptT(const Napi::CallbackInfo& info, size_t i);
std::vector<at::Tensor> TList(const Napi::CallbackInfo& info, size_t i);
bool IsTensor(const Napi::Value& v);
double Num(const Napi::CallbackInfo& info, size_t i);
c10::optional<double> OptNum(const Napi::CallbackInfo& info, size_t i);
int64_t Int(const Napi::CallbackInfo& info, size_t i);
bool Bool(const Napi::CallbackInfo& info, size_t i);
std::vector<int64_t> Ints(const Napi::CallbackInfo& info, size_t i);
at::Scalar ScalarOf(const Napi::Value& v);

using Fn = Napi::Value (*)(const Napi::CallbackInfo&);

// Runs an op; any C++ or libtorch exception becomes a JS Error "<op>: <message> (<arg shapes>)".
Napi::Value Guarded(const Napi::CallbackInfo& info);

// Registers fn under `name`, wrapped by Guarded.
void Export(Napi::Env env, Napi::Object exports, const char* name, Fn fn);

void RegisterTensor(Napi::Env env, Napi::Object exports);
void RegisterOps(Napi::Env env, Napi::Object exports);
void RegisterNN(Napi::Env env, Napi::Object exports);
void RegisterBlas(Napi::Env env, Napi::Object exports);
void RegisterQuant(Napi::Env env, Napi::Object exports);
void RegisterProfile(Napi::Env env, Napi::Object exports);
void RegisterFused(Napi::Env env, Napi::Object exports);
void RegisterDist(Napi::Env env, Napi::Object exports);
void RegisterDepthwise(Napi::Env env, Napi::Object exports);

}  // namespace lithe
