// c10d, libtorch's distributed engine, bound thinly: a TCPStore (the rendezvous rank 0 hosts), a
// ProcessGroupGloo over it, and its collectives (allreduce, broadcast, allgather, barrier) as async
// work handles; and one differentiable collective, a sum allreduce whose backward allreduces the
// gradient (what SyncBN's statistics need). Every policy (environment, checks, buckets, averaging)
// lives in src/dist/.
#include <chrono>
#include <stdexcept>

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/utils.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "common.h"

namespace lithe {

namespace {

using std::chrono::milliseconds;

struct StoreBox {
  c10::intrusive_ptr<c10d::Store> store;
};

struct GroupBox {
  c10::intrusive_ptr<c10d::ProcessGroup> group;
};

// A collective in flight: the handle, plus the tensors it reads and writes, kept alive until it ends
// (JS may dispose its own handles meanwhile).
struct WorkBox {
  c10::intrusive_ptr<c10d::Work> work;
  std::vector<at::Tensor> inputs;
  std::vector<at::Tensor> outputs;
};

// A dist handle is a plain object around the External, so that the error guard, which describes every
// External argument as a tensor, never mistakes it for one.
template <typename B>
Napi::Value Hold(Napi::Env env, B* box) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("box", Napi::External<B>::New(env, box, [](Napi::Env, B* b) { delete b; }));
  return o;
}

template <typename B>
B* Unbox(const Napi::CallbackInfo& info, size_t i, const char* what) {
  Napi::Value box = i < info.Length() && info[i].IsObject() ? info[i].As<Napi::Object>().Get("box") : Napi::Value();
  if (box.IsEmpty() || !box.IsExternal())
    throw std::invalid_argument("argument " + std::to_string(i) + " must be a " + what + " handle");
  return box.As<Napi::External<B>>().Data();
}

std::string Str(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsString())
    throw std::invalid_argument("argument " + std::to_string(i) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

at::Tensor Dense(const Napi::CallbackInfo& info, size_t i) {
  at::Tensor& t = T(info, i);
  if (!t.is_contiguous()) throw std::invalid_argument("collectives need a contiguous tensor");
  return t;
}

// tcpStore(host, port, isServer, worldSize, timeoutMs): rank 0 hosts the store, the others connect,
// retrying until the timeout. The server does not wait for workers here (src/dist checks who joined).
Napi::Value TcpStore(const Napi::CallbackInfo& info) {
  c10d::TCPStoreOptions opts;
  opts.port = static_cast<std::uint16_t>(Int(info, 1));
  opts.isServer = Bool(info, 2);
  opts.numWorkers = static_cast<std::size_t>(Int(info, 3));
  opts.waitWorkers = false;
  opts.timeout = milliseconds(Int(info, 4));
  return Hold(info.Env(), new StoreBox{c10::make_intrusive<c10d::TCPStore>(Str(info, 0), opts)});
}

// storeSet(store, key, value)
Napi::Value StoreSet(const Napi::CallbackInfo& info) {
  std::string v = Str(info, 2);
  Unbox<StoreBox>(info, 0, "store")->store->set(Str(info, 1), std::vector<uint8_t>(v.begin(), v.end()));
  return info.Env().Undefined();
}

// storeGet(store, key, timeoutMs): waits up to the timeout for the key, then returns its value.
Napi::Value StoreGet(const Napi::CallbackInfo& info) {
  auto& store = Unbox<StoreBox>(info, 0, "store")->store;
  std::string key = Str(info, 1);
  store->wait({key}, milliseconds(Int(info, 2)));
  std::vector<uint8_t> v = store->get(key);
  return Napi::String::New(info.Env(), std::string(v.begin(), v.end()));
}

// storeAdd(store, key, n) -> the counter's new value
Napi::Value StoreAdd(const Napi::CallbackInfo& info) {
  auto& store = Unbox<StoreBox>(info, 0, "store")->store;
  return Napi::Number::New(info.Env(), static_cast<double>(store->add(Str(info, 1), Int(info, 2))));
}

// gloo(store, rank, worldSize, timeoutMs, iface, host): a Gloo process group over the store; its device
// binds the network interface `iface` if given, else the address `host` if given, else the host's name.
Napi::Value Gloo(const Napi::CallbackInfo& info) {
  auto& store = Unbox<StoreBox>(info, 0, "store")->store;
  auto opts = c10d::ProcessGroupGloo::Options::create(milliseconds(Int(info, 3)));
  std::string iface = Str(info, 4);
  std::string host = Str(info, 5);
  opts->devices.push_back(!iface.empty()  ? c10d::ProcessGroupGloo::createDeviceForInterface(iface)
                          : !host.empty() ? c10d::ProcessGroupGloo::createDeviceForHostname(host)
                                          : c10d::ProcessGroupGloo::createDefaultDevice());
  opts->threads = 1;
  auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, static_cast<int>(Int(info, 1)),
                                                           static_cast<int>(Int(info, 2)), opts);
  return Hold(info.Env(), new GroupBox{group});
}

// nccl(...): this libtorch has no NCCL (Debian's is CPU-only); the binding says so rather than guessing.
Napi::Value Nccl(const Napi::CallbackInfo&) {
  throw std::runtime_error("this libtorch was built without NCCL; use the gloo backend");
}

c10d::ReduceOp OpOf(const std::string& name) {
  if (name == "sum") return c10d::ReduceOp::SUM;
  if (name == "max") return c10d::ReduceOp::MAX;
  if (name == "min") return c10d::ReduceOp::MIN;
  throw std::invalid_argument("unknown reduce op '" + name + "' (sum, max, min)");
}

// allreduce(group, tensors, op): reduces each tensor in place across ranks.
Napi::Value Allreduce(const Napi::CallbackInfo& info) {
  auto& group = Unbox<GroupBox>(info, 0, "process group")->group;
  std::vector<at::Tensor> ts = TList(info, 1);
  for (auto& t : ts)
    if (!t.is_contiguous()) throw std::invalid_argument("collectives need contiguous tensors");
  c10d::AllreduceOptions opts;
  opts.reduceOp = OpOf(Str(info, 2));
  auto work = ts.size() == 1 ? group->allreduce(ts, opts) : group->allreduce_coalesced(ts, {opts.reduceOp});
  return Hold(info.Env(), new WorkBox{work, ts, {}});
}

// broadcast(group, tensor, root): overwrites tensor in place with root's.
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  auto& group = Unbox<GroupBox>(info, 0, "process group")->group;
  std::vector<at::Tensor> ts{Dense(info, 1)};
  c10d::BroadcastOptions opts;
  opts.rootRank = Int(info, 2);
  return Hold(info.Env(), new WorkBox{group->broadcast(ts, opts), ts, {}});
}

// allgather(group, tensor): every rank's tensor, in rank order, in the work's outputs.
Napi::Value Allgather(const Napi::CallbackInfo& info) {
  auto& group = Unbox<GroupBox>(info, 0, "process group")->group;
  std::vector<at::Tensor> in{Dense(info, 1)};
  std::vector<std::vector<at::Tensor>> out(1);
  for (int r = 0; r < group->getSize(); ++r) out[0].push_back(at::empty_like(in[0]));
  return Hold(info.Env(), new WorkBox{group->allgather(out, in), in, out[0]});
}

// barrier(group)
Napi::Value Barrier(const Napi::CallbackInfo& info) {
  auto& group = Unbox<GroupBox>(info, 0, "process group")->group;
  return Hold(info.Env(), new WorkBox{group->barrier(), {}, {}});
}

// The sum over ranks of a tensor, contiguous and new, waited for within the timeout.
at::Tensor SumOverRanks(const c10::intrusive_ptr<c10d::ProcessGroup>& group, const at::Tensor& t, int64_t timeoutMs) {
  std::vector<at::Tensor> ts{t.contiguous().clone()};
  group->allreduce(ts)->wait(milliseconds(timeoutMs));
  return ts[0];
}

// d(sum over ranks of x_r)/dx_r: every rank's output feeds every rank's loss, so the gradient of x_r
// is the sum over ranks of the output's gradients: the backward is an allreduce too. Each rank runs
// the same graph, so the backward allreduces meet in the same order everywhere.
struct SumOverRanksBackward : torch::autograd::Node {
  c10::intrusive_ptr<c10d::ProcessGroup> group;
  int64_t timeoutMs;
  std::vector<int64_t> sizes;
  at::TensorOptions options;

  torch::autograd::variable_list apply(torch::autograd::variable_list&& grads) override {
    // a rank whose output got no gradient still takes part, with zeros
    const at::Tensor& g = grads[0].defined() ? grads[0] : at::zeros(sizes, options);
    return {SumOverRanks(group, g, timeoutMs)};
  }
  std::string name() const override { return "lithe::SumOverRanksBackward"; }
};

// allreduceAutograd(group, x, timeoutMs) -> the sum over ranks of x, as a new tensor whose gradient
// flows back to x through an allreduce; blocking (the forward waits, as the backward will).
Napi::Value AllreduceAutograd(const Napi::CallbackInfo& info) {
  auto& group = Unbox<GroupBox>(info, 0, "process group")->group;
  const at::Tensor& x = T(info, 1);
  const int64_t timeoutMs = Int(info, 2);
  at::Tensor out = SumOverRanks(group, x.detach(), timeoutMs);
  if (torch::autograd::GradMode::is_enabled() && x.requires_grad()) {
    auto node = std::shared_ptr<SumOverRanksBackward>(new SumOverRanksBackward(), torch::autograd::deleteNode);
    node->group = group;
    node->timeoutMs = timeoutMs;
    node->sizes = x.sizes().vec();
    node->options = x.options();
    node->set_next_edges(torch::autograd::collect_next_edges(x));
    torch::autograd::set_history(out, node);
  }
  return Wrap(info.Env(), out);
}

// workWait(work, timeoutMs) -> the work's output tensors (allgather) or []; throws the collective's
// error, or a timeout.
Napi::Value WorkWait(const Napi::CallbackInfo& info) {
  WorkBox* box = Unbox<WorkBox>(info, 0, "work");
  box->work->wait(milliseconds(Int(info, 1)));
  Napi::Value out = WrapList(info.Env(), box->outputs);
  box->inputs.clear();
  box->outputs.clear();
  return out;
}

// workDone(work) -> whether the collective has ended (successfully or not)
Napi::Value WorkDone(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Unbox<WorkBox>(info, 0, "work")->work->isCompleted());
}

}  // namespace

void RegisterDist(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "tcpStore", TcpStore);
  Export(env, exports, "storeSet", StoreSet);
  Export(env, exports, "storeGet", StoreGet);
  Export(env, exports, "storeAdd", StoreAdd);
  Export(env, exports, "gloo", Gloo);
  Export(env, exports, "nccl", Nccl);
  Export(env, exports, "allreduce", Allreduce);
  Export(env, exports, "broadcast", Broadcast);
  Export(env, exports, "allgather", Allgather);
  Export(env, exports, "barrier", Barrier);
  Export(env, exports, "workWait", WorkWait);
  Export(env, exports, "workDone", WorkDone);
  Export(env, exports, "allreduceAutograd", AllreduceAutograd);
}

}  // namespace lithe
