// Reports which BLAS libtorch's linear algebra runs on (the library behind libblas.so.3) and, for
// OpenBLAS, the kernel core and thread count it picked. Light translation unit: no ATen here.
#include <dlfcn.h>
#include <napi.h>

namespace lithe {

namespace {

void* OpenLoadedBlas() {
  for (const char* name : {"libblas.so.3", "libopenblas.so.0", "libopenblas.so"}) {
    if (void* h = dlopen(name, RTLD_LAZY | RTLD_NOLOAD)) return h;
  }
  return nullptr;
}

Napi::Value BlasRuntime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto out = Napi::Object::New(env);
  void* h = OpenLoadedBlas();
  if (h == nullptr) return env.Null();
  if (void* gemm = dlsym(h, "sgemm_")) {
    Dl_info where;
    if (dladdr(gemm, &where) != 0 && where.dli_fname != nullptr) out.Set("library", where.dli_fname);
  }
  using Str = char* (*)();
  using Int = int (*)();
  if (auto corename = reinterpret_cast<Str>(dlsym(h, "openblas_get_corename"))) out.Set("openblasCore", corename());
  if (auto config = reinterpret_cast<Str>(dlsym(h, "openblas_get_config"))) out.Set("openblasConfig", config());
  if (auto threads = reinterpret_cast<Int>(dlsym(h, "openblas_get_num_threads"))) out.Set("openblasThreads", threads());
  dlclose(h);
  return out;
}

}  // namespace

void RegisterBlas(Napi::Env env, Napi::Object exports) {
  exports.Set("blasRuntime", Napi::Function::New(env, BlasRuntime, "blasRuntime"));
}

}  // namespace lithe
