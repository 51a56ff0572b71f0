# Generates test/fixtures/engine-golden.safetensors: PyTorch reference inputs, outputs and gradients
# for test/engine/golden.test.ts. Rerun from the package root with the Python that has torch:
#   /usr/bin/python3 scripts/gen-engine-golden.py
# Per-case options go into the file's __metadata__ as JSON strings ("<case>.options").
import json
import os

import torch
import torch.nn.functional as F
from safetensors_writer import write_safetensors

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "engine-golden.safetensors")

torch.manual_seed(20240601)
torch.set_num_threads(1)

tensors = {}
metadata = {"generator": "scripts/gen-engine-golden.py", "torch": torch.__version__}


def put(name, t):
    assert name not in tensors, name
    tensors[name] = t.detach().clone().contiguous()


def options(case, **kw):
    metadata[f"{case}.options"] = json.dumps(kw)


def leaf(*shape, scale=1.0, shift=0.0):
    return (torch.randn(*shape) * scale + shift).requires_grad_()


# ---- conv2d: x, w, b?, y, upstream dy, gradients dx, dw, db? ----
CONV = [
    # name, N, Cin, H, W, Cout, k, stride, padding, dilation, groups, bias
    ("conv_g1_s1_p1", 2, 3, 6, 6, 4, 3, 1, 1, 1, 1, True),
    ("conv_g1_s2_p0", 2, 3, 7, 7, 4, 3, 2, 0, 1, 1, False),
    ("conv_g1_s2_p1", 1, 3, 8, 8, 5, 3, 2, 1, 1, 1, True),
    ("conv_pw_s1_p0", 2, 6, 4, 4, 8, 1, 1, 0, 1, 1, False),
    ("conv_g2_s1_p0", 2, 4, 6, 6, 6, 3, 1, 0, 1, 2, True),
    ("conv_g3_s2_p1", 2, 6, 7, 7, 9, 3, 2, 1, 1, 3, False),
    ("conv_g3_s1_p1", 1, 6, 5, 5, 6, 1, 1, 1, 1, 3, True),
    ("conv_dw_s1_p1", 2, 4, 6, 6, 4, 3, 1, 1, 1, 4, True),
    ("conv_dw_s2_p1", 2, 5, 7, 7, 5, 3, 2, 1, 1, 5, False),
    ("conv_dil2_p2", 2, 3, 8, 8, 4, 3, 1, 2, 2, 1, True),
    ("conv_dw_dil2_s2_p0", 1, 4, 9, 9, 4, 3, 2, 0, 2, 4, False),
]
for name, n, cin, h, w_, cout, k, stride, padding, dilation, groups, has_bias in CONV:
    x = leaf(n, cin, h, w_)
    w = leaf(cout, cin // groups, k, k, scale=0.5)
    b = leaf(cout) if has_bias else None
    y = F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    dy = torch.randn_like(y)
    y.backward(dy)
    options(name, stride=stride, padding=padding, dilation=dilation, groups=groups)
    put(f"{name}.x", x)
    put(f"{name}.w", w)
    put(f"{name}.y", y)
    put(f"{name}.dy", dy)
    put(f"{name}.dx", x.grad)
    put(f"{name}.dw", w.grad)
    if b is not None:
        put(f"{name}.b", b)
        put(f"{name}.db", b.grad)

# ---- batch_norm, training mode: two calls, momentum 0.1; gradients of the first call ----
for name, affine in (("bn_train_affine", True), ("bn_train_plain", False)):
    bn = torch.nn.BatchNorm2d(3, affine=affine, momentum=0.1)
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(3) * 0.5)
        bn.running_var.copy_(torch.rand(3) + 0.5)
        if affine:
            bn.weight.copy_(torch.randn(3) * 0.5 + 1)
            bn.bias.copy_(torch.randn(3) * 0.5)
    put(f"{name}.running_mean0", bn.running_mean)
    put(f"{name}.running_var0", bn.running_var)
    if affine:
        put(f"{name}.weight", bn.weight)
        put(f"{name}.bias", bn.bias)
    options(name, affine=affine, momentum=0.1, eps=1e-5)
    for step in (1, 2):
        x = leaf(4, 3, 5, 5, scale=2.0, shift=1.5)
        y = bn(x)
        put(f"{name}.x{step}", x)
        put(f"{name}.y{step}", y)
        put(f"{name}.running_mean{step}", bn.running_mean)
        put(f"{name}.running_var{step}", bn.running_var)
        if step == 1:
            dy = torch.randn_like(y)
            y.backward(dy)
            put(f"{name}.dy", dy)
            put(f"{name}.dx", x.grad)
            if affine:
                put(f"{name}.dweight", bn.weight.grad)
                put(f"{name}.dbias", bn.bias.grad)

# ---- batch_norm, eval mode with given running statistics ----
for name, affine in (("bn_eval_affine", True), ("bn_eval_plain", False)):
    x = leaf(2, 4, 3, 3, scale=1.5, shift=-0.5)
    rm = torch.randn(4) * 0.5
    rv = torch.rand(4) + 0.25
    weight = leaf(4, scale=0.5, shift=1.0) if affine else None
    bias = leaf(4, scale=0.5) if affine else None
    y = F.batch_norm(x, rm, rv, weight, bias, training=False, momentum=0.1, eps=1e-5)
    dy = torch.randn_like(y)
    y.backward(dy)
    options(name, affine=affine, eps=1e-5)
    put(f"{name}.x", x)
    put(f"{name}.running_mean", rm)
    put(f"{name}.running_var", rv)
    put(f"{name}.y", y)
    put(f"{name}.dy", dy)
    put(f"{name}.dx", x.grad)
    if affine:
        put(f"{name}.weight", weight)
        put(f"{name}.bias", bias)
        put(f"{name}.dweight", weight.grad)
        put(f"{name}.dbias", bias.grad)

# ---- BatchNorm2d(momentum=None): cumulative average over 3 batches, then eval on a 4th ----
name = "bn_cumulative"
bn = torch.nn.BatchNorm2d(3, momentum=None)
with torch.no_grad():
    bn.weight.copy_(torch.randn(3) * 0.5 + 1)
    bn.bias.copy_(torch.randn(3) * 0.5)
put(f"{name}.weight", bn.weight)
put(f"{name}.bias", bn.bias)
options(name, affine=True, momentum=None, eps=1e-5)
for step in (1, 2, 3):
    x = torch.randn(2, 3, 4, 4) * (step + 0.5) + step
    y = bn(x)
    put(f"{name}.x{step}", x)
    put(f"{name}.y{step}", y)
    put(f"{name}.running_mean{step}", bn.running_mean)
    put(f"{name}.running_var{step}", bn.running_var)
bn.eval()
x = torch.randn(2, 3, 4, 4) * 2 + 1
put(f"{name}.x_eval", x)
put(f"{name}.y_eval", bn(x))

# ---- cross_entropy: label smoothing 0 / 0.1, reductions mean / sum / none; gradient wrt logits ----
logits0 = torch.randn(6, 5) * 2
target = torch.randint(0, 5, (6,))
put("ce.logits", logits0)
put("ce.target", target)
for smoothing, tag in ((0.0, "s0"), (0.1, "s01")):
    for reduction in ("mean", "sum", "none"):
        name = f"ce_{tag}_{reduction}"
        logits = logits0.clone().requires_grad_()
        loss = F.cross_entropy(logits, target, reduction=reduction, label_smoothing=smoothing)
        dy = torch.randn_like(loss)
        loss.backward(dy)
        options(name, labelSmoothing=smoothing, reduction=reduction)
        put(f"{name}.loss", loss)
        put(f"{name}.dy", dy)
        put(f"{name}.dlogits", logits.grad)

# ---- pools, activations, log_softmax: x, y, dy, dx ----
def unary(name, x, fn):
    y = fn(x)
    dy = torch.randn_like(y)
    y.backward(dy)
    put(f"{name}.x", x)
    put(f"{name}.y", y)
    put(f"{name}.dy", dy)
    put(f"{name}.dx", x.grad)


unary("max_pool_k3_s2_p1", leaf(2, 3, 7, 7), lambda x: F.max_pool2d(x, 3, 2, 1))
unary("avg_pool_k3_s2_p1", leaf(2, 3, 7, 7), lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=True))
unary("adaptive_avg_pool_1", leaf(2, 4, 5, 5), lambda x: F.adaptive_avg_pool2d(x, 1))
# Activation inputs span every piece of the piecewise functions, breakpoints included.
breakpoints = torch.tensor([-6.0, -3.0, 0.0, 3.0, 6.0])


def act_x():
    return torch.cat([breakpoints, torch.linspace(-8, 8, 31), torch.randn(12) * 4]).requires_grad_()


unary("hardswish", act_x(), F.hardswish)
unary("hardsigmoid", act_x(), F.hardsigmoid)
unary("relu6", act_x(), F.relu6)
unary("log_softmax", leaf(4, 10, scale=3.0), lambda x: F.log_softmax(x, dim=1))

# ---- torch.optim.SGD: 3 steps over 3 parameters with fixed gradients; params after each step ----
SGD = [
    # name, lr, momentum, weight decay, nesterov, indices of parameters that never get a gradient
    ("sgd_m09_wd4e5", 0.1, 0.9, 4e-5, False, ()),
    ("sgd_nesterov_wd1e4", 0.05, 0.9, 1e-4, True, ()),
    ("sgd_m0", 0.1, 0.0, 0.0, False, ()),
    ("sgd_nograd", 0.1, 0.9, 1e-4, False, (1,)),
]
SHAPES = [(3, 4), (4,), (2, 2, 3)]
for name, lr, momentum, wd, nesterov, no_grad in SGD:
    params = [torch.randn(*s).requires_grad_() for s in SHAPES]
    opt = torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=wd, nesterov=nesterov)
    options(name, lr=lr, momentum=momentum, weightDecay=wd, nesterov=nesterov, noGrad=list(no_grad))
    for i, p in enumerate(params):
        put(f"{name}.p{i}", p)
    for step in (1, 2, 3):
        for i, p in enumerate(params):
            if i in no_grad:
                p.grad = None
            else:
                p.grad = torch.randn_like(p)
                put(f"{name}.p{i}.g{step}", p.grad)
        opt.step()
        for i, p in enumerate(params):
            put(f"{name}.p{i}.step{step}", p)

# ---- ShuffleNet channel shuffle ----
x = torch.randn(2, 6, 3, 3)
put("shuffle_g3.x", x)
put("shuffle_g3.y", x.view(2, 3, 2, 3, 3).transpose(1, 2).reshape(2, 6, 3, 3))
options("shuffle_g3", groups=3)

write_safetensors(OUT, tensors, metadata)
print(f"wrote {len(tensors)} tensors, {os.path.getsize(OUT)} bytes to {os.path.relpath(OUT)}")
