// Op profiler: self time per ATen op (and per autograd node), gathered through ATen's RecordFunction
// callbacks. Convolutions are keyed by their kind ("conv dw fwd", "conv 1x1 bwd", "conv kxk fwd")
// read from the weight's shape, and everything a convolution calls is charged to it.
// RecordFunction::inputs() asserts a flag that only debug builds of libtorch set; build this file as
// release code, as libtorch itself is.
#ifndef NDEBUG
#define NDEBUG
#endif
#include <ATen/record_function.h>

#include <chrono>
#include <map>
#include <mutex>

#include "common.h"

namespace lithe {

namespace {

struct Frame {
  std::string key;
  bool conv;  // children inherit a convolution's key
  int64_t startNs;
  int64_t childNs = 0;
};

struct Totals {
  int64_t selfNs = 0;
  int64_t calls = 0;
};

thread_local std::vector<Frame> stack;
std::mutex totalsMutex;
std::map<std::string, Totals> totals;
c10::optional<at::CallbackHandle> handle;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// "conv dw|1x1|kxk fwd|bwd" for a convolution op, "" for anything else. The weight is [O, I/g, kh, kw];
// depthwise when I/g == 1 with more than one output channel.
// lithe's own depthwise backward (native/depthwise.cc) records (grad, input, weight) like ATen's.
std::string ConvKey(const at::RecordFunction& fn) {
  const std::string name = fn.name();
  const bool ours = name == "lithe::depthwise_conv2d_backward";
  if (!ours && (name.rfind("aten::", 0) != 0 || name.find("conv") == std::string::npos)) return "";
  const bool backward = name.find("backward") != std::string::npos;
  auto inputs = fn.inputs();
  const size_t at = ours || name == "aten::convolution_backward" ? 2 : 1;
  if (inputs.size() <= at || !inputs[at].isTensor()) return "";
  const at::Tensor& w = inputs[at].toTensor();
  if (!w.defined() || w.dim() != 4) return "";
  const char* kind = w.size(1) == 1 && w.size(0) > 1 ? "dw" : (w.size(2) == 1 && w.size(3) == 1 ? "1x1" : "kxk");
  return std::string("conv ") + kind + (backward ? " bwd" : " fwd");
}

std::unique_ptr<at::ObserverContext> OnStart(const at::RecordFunction& fn) {
  if (!stack.empty() && stack.back().conv) {
    stack.push_back(Frame{stack.back().key, true, NowNs()});
    return nullptr;
  }
  std::string conv = ConvKey(fn);
  const bool isConv = !conv.empty();
  stack.push_back(Frame{isConv ? conv : std::string(fn.name()), isConv, NowNs()});
  return nullptr;
}

void OnEnd(const at::RecordFunction&, at::ObserverContext*) {
  if (stack.empty()) return;  // started before the profiler was switched on
  Frame frame = std::move(stack.back());
  stack.pop_back();
  const int64_t total = NowNs() - frame.startNs;
  const bool inherited = !stack.empty() && stack.back().conv;
  if (!stack.empty()) stack.back().childNs += total;
  std::lock_guard<std::mutex> lock(totalsMutex);
  Totals& t = totals[frame.key];
  t.selfNs += total - frame.childNs;
  if (!inherited) t.calls += 1;
}

// profileStart(): clears the totals and starts recording every op on every thread.
Napi::Value ProfileStart(const Napi::CallbackInfo& info) {
  if (handle) throw std::invalid_argument("the op profiler is already running");
  {
    std::lock_guard<std::mutex> lock(totalsMutex);
    totals.clear();
  }
  handle = at::addGlobalCallback(at::RecordFunctionCallback(OnStart, OnEnd).needsInputs(true));
  return info.Env().Undefined();
}

// profileStop() -> [[key, selfMicroseconds, calls], ...]
Napi::Value ProfileStop(const Napi::CallbackInfo& info) {
  if (!handle) throw std::invalid_argument("the op profiler is not running");
  at::removeCallback(*handle);
  handle.reset();
  std::lock_guard<std::mutex> lock(totalsMutex);
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, totals.size());
  uint32_t i = 0;
  for (const auto& [key, t] : totals) {
    Napi::Array row = Napi::Array::New(env, 3);
    row.Set(0u, Napi::String::New(env, key));
    row.Set(1u, Napi::Number::New(env, static_cast<double>(t.selfNs) / 1000.0));
    row.Set(2u, Napi::Number::New(env, static_cast<double>(t.calls)));
    out.Set(i++, row);
  }
  totals.clear();
  return out;
}

}  // namespace

void RegisterProfile(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "profileStart", ProfileStart);
  Export(env, exports, "profileStop", ProfileStop);
}

}  // namespace lithe
