# Generates test/fixtures/quant-golden.safetensors: PyTorch 1.13 reference outputs and gradients of
# fake quantization for test/engine/quantize.test.ts and test/nn/quantizer.test.ts. LSQ and PACT are
# written out here from their papers with torch's own ops, independently of lithe's TypeScript.
# Rerun from the package root with the Python that has torch:
#   /usr/bin/python3 scripts/gen-quant-golden.py
import json
import math
import os

import torch
from safetensors_writer import write_safetensors

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "quant-golden.safetensors")

torch.manual_seed(20261202)
torch.set_num_threads(1)

tensors = {}
metadata = {"generator": "scripts/gen-quant-golden.py", "torch": torch.__version__}


def put(name, t):
    assert name not in tensors, name
    tensors[name] = t.detach().clone().contiguous()


def grid(bits, signed):
    return (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)


# ---- fixed scales: per tensor and per channel, straight-through backward ----
for bits, signed in [(8, True), (4, False), (2, True), (1, True)]:
    case = f"fixed_tensor_b{bits}{'s' if signed else 'u'}"
    qmin, qmax = grid(bits, signed)
    x = (torch.randn(6, 5) * 2).requires_grad_()
    scale = torch.tensor([0.3])
    zp = torch.tensor([0], dtype=torch.int32)
    y = torch.fake_quantize_per_tensor_affine(x, scale, zp, qmin, qmax)
    dy = torch.randn_like(y)
    y.backward(dy)
    for k, v in dict(x=x, scale=scale, y=y, dy=dy, dx=x.grad).items():
        put(f"{case}.{k}", v)
    metadata[f"{case}.options"] = json.dumps({"bits": bits, "signed": signed})

for bits in [8, 4, 3]:
    case = f"fixed_channel_b{bits}"
    qmin, qmax = grid(bits, True)
    w = (torch.randn(4, 3, 3, 3) * 0.5).requires_grad_()
    scale = w.detach().abs().flatten(1).amax(1) / qmax
    zp = torch.zeros(4, dtype=torch.int32)
    y = torch.fake_quantize_per_channel_affine(w, scale, zp, 0, qmin, qmax)
    dy = torch.randn_like(y)
    y.backward(dy)
    for k, v in dict(x=w, scale=scale, y=y, dy=dy, dx=w.grad).items():
        put(f"{case}.{k}", v)
    metadata[f"{case}.options"] = json.dumps({"bits": bits, "signed": True})


# ---- LSQ (Esser et al. 2020) on torch's learnable fake-quantize ops: the step starts at 2 mean|x| / sqrt(Qp)
# (per channel: over each output channel's elements) and its gradient is scaled by 1 / sqrt(N Qp), N the
# elements one step serves. Both are computed here from the paper, apart from lithe's LsqQuantizer. ----
for name, shape, bits, signed in [
    ("lsq_act_b4", (2, 3, 4, 4), 4, False),
    ("lsq_weight_b4", (4, 3, 3, 3), 4, True),
    ("lsq_weight_b2", (4, 3, 3, 3), 2, True),
    ("lsq_act_b8", (2, 3, 4, 4), 8, False),
]:
    qmin, qmax = grid(bits, signed)
    x = torch.randn(*shape)
    if not signed:
        x = x.relu() * 1.5
    x.requires_grad_()
    per_channel = name.startswith("lsq_weight")
    if per_channel:
        s0 = x.detach().abs().flatten(1).mean(1) * 2 / math.sqrt(qmax)
    else:
        s0 = (x.detach().abs().mean() * 2 / math.sqrt(qmax)).reshape(1)
    s = s0.clone().requires_grad_()
    g = 1.0 / math.sqrt(x.numel() // s.numel() * qmax)
    zp = torch.zeros_like(s0)
    if per_channel:
        y = torch._fake_quantize_learnable_per_channel_affine(x, s, zp, 0, qmin, qmax, g)
    else:
        y = torch._fake_quantize_learnable_per_tensor_affine(x, s, zp, qmin, qmax, g)
    dy = torch.randn_like(y)
    y.backward(dy)
    for k, v in dict(x=x, scale0=s0, y=y, dy=dy, dx=x.grad, dscale=s.grad).items():
        put(f"{name}.{k}", v)
    metadata[f"{name}.options"] = json.dumps(
        {"bits": bits, "signed": signed, **({"channels": shape[0]} if per_channel else {})}
    )


# ---- PACT (Choi et al. 2018): y = quantize(clamp(x, 0, alpha)), d y / d alpha = 1 where x >= alpha ----
for bits, alpha in [(4, 2.0), (2, 1.0)]:
    case = f"pact_b{bits}"
    qmax = 2**bits - 1
    x = (torch.randn(3, 4, 5) * 1.5).requires_grad_()
    a = torch.tensor([alpha], requires_grad=True)
    clipped = torch.where(x < a, x, a).clamp(min=0)
    step = a.detach() / qmax
    q = clipped * (1.0 / step)  # as fake_quantize_per_tensor_affine rounds: x * (1 / scale), ties to even
    y = (q + (torch.round(q) - q).detach()) * step
    dy = torch.randn_like(y)
    y.backward(dy)
    for k, v in dict(x=x, y=y, dy=dy, dx=x.grad, dalpha=a.grad).items():
        put(f"{case}.{k}", v)
    metadata[f"{case}.options"] = json.dumps({"bits": bits, "alpha": alpha})

write_safetensors(OUT, tensors, metadata)
print(f"wrote {len(tensors)} tensors to {OUT}")
