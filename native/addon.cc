// Node-API entry point: the handle helpers, the error guard and the registration of every op table.
#include <deque>
#include <sstream>
#include <stdexcept>

#include "common.h"

namespace lithe {

namespace {

struct Entry {
  const char* name;
  Fn fn;
};

// Entries live as long as the process: their addresses are the functions' data pointers.
std::deque<Entry>& Entries() {
  static std::deque<Entry> entries;
  return entries;
}

const char* DTypeName(at::ScalarType st) {
  switch (st) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kLong: return "int64";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    case at::kInt: return "int32";
    default: return c10::toString(st);
  }
}

// "[2, 3, 8, 8] float32" for each tensor argument, so an error names the shapes involved.
std::string DescribeArgs(const Napi::CallbackInfo& info) {
  std::ostringstream out;
  bool first = true;
  auto describe = [&](const Napi::Value& v) {
    if (!IsTensor(v)) return;
    Box* box = v.As<Napi::External<Box>>().Data();
    if (!first) out << ", ";
    first = false;
    if (!box->t.defined()) {
      out << "<disposed>";
      return;
    }
    out << box->t.sizes() << " " << DTypeName(box->t.scalar_type());
  };
  for (size_t i = 0; i < info.Length(); ++i) {
    if (info[i].IsArray()) {
      auto arr = info[i].As<Napi::Array>();
      for (uint32_t j = 0; j < arr.Length(); ++j) describe(arr.Get(j));
    } else {
      describe(info[i]);
    }
  }
  return out.str();
}

// libtorch messages can span lines; keep them on one line.
std::string OneLine(const std::string& msg) {
  std::string out;
  bool space = false;
  for (char c : msg) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

Napi::Error OpError(const Napi::CallbackInfo& info, const char* name, const std::string& msg) {
  std::string args = DescribeArgs(info);
  std::string text = std::string(name) + ": " + OneLine(msg);
  if (!args.empty()) text += " (inputs: " + args + ")";
  return Napi::Error::New(info.Env(), text);
}

}  // namespace

Napi::Value Guarded(const Napi::CallbackInfo& info) {
  const Entry* entry = static_cast<const Entry*>(info.Data());
  try {
    return entry->fn(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw OpError(info, entry->name, e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw OpError(info, entry->name, e.what());
  }
}

void Export(Napi::Env env, Napi::Object exports, const char* name, Fn fn) {
  Entries().push_back(Entry{name, fn});
  exports.Set(name, Napi::Function::New(env, Guarded, name, &Entries().back()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  RegisterTensor(env, exports);
  RegisterOps(env, exports);
  RegisterNN(env, exports);
  RegisterBlas(env, exports);
  RegisterQuant(env, exports);
  RegisterProfile(env, exports);
  RegisterFused(env, exports);
  RegisterDist(env, exports);
  RegisterDepthwise(env, exports);
  return exports;
}

}  // namespace lithe

static Napi::Object InitLithe(Napi::Env env, Napi::Object exports) { return lithe::Init(env, exports); }

NODE_API_MODULE(lithe_native, InitLithe)
