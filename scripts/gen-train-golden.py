# Generates test/fixtures/train-golden.safetensors for test/train/golden-trajectory.test.ts: PyTorch's first
# 10 training steps of a seeded shufflenet_v2_x0_5 (10 classes, 1x28x28 input, lithe's small stem) on one
# fixed batch, in float64. Holds the float32 initial state_dict ("initial.<key>"), the float32 batch ("x",
# "y"), the loss of every float64 step ("losses") and a few float64 tensors after the last step
# ("final.<key>"), plus the losses of the first float32 steps ("losses_float32"); the recipe is the
# metadata's "recipe".
# Why float64: the trajectory is chaotic in float32 (see the test), so other GEMM kernels or thread counts
# move it by 2-5% by step 9; in float64 they move it by ~1e-12, far below what a wrong gradient does.
# Rerun from the package root with the Python that has torchvision:
#   /usr/bin/python3 scripts/gen-train-golden.py
import copy
import ctypes
import json
import os

import torch
import torchvision
from safetensors_writer import write_safetensors
from torch import nn
from torchvision import models

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "train-golden.safetensors")

# Mirrors lithe's src/train: SGD with weight decay only on parameters with ndim > 1 (sgd.ts), cross-entropy
# with label smoothing (step.ts), lr_t = lr * (1 - t / steps) for 0-based step t (schedule.ts "linear").
RECIPE = {
    "model": "shufflenet_v2_x0_5",
    "classes": 10,
    "inChannels": 1,
    "inputSize": 28,
    "stem": "small",
    "batch": 16,
    "steps": 10,
    "lr": 0.1,
    "momentum": 0.9,
    "weightDecay": 4e-5,
    "labelSmoothing": 0.1,
    # float32 agrees under any summation order only this many steps in (see the test).
    "float32Steps": 2,
}
# Checked after the last step: conv weights (decayed), a BN affine term (not decayed), fc, BN running stats.
FINAL = [
    "conv1.0.weight",
    "stage2.0.branch2.0.weight",
    "stage3.0.branch1.1.weight",
    "conv5.1.running_mean",
    "conv5.1.running_var",
    "conv5.1.num_batches_tracked",
    "fc.weight",
    "fc.bias",
]


def openblas_core():
    """The OpenBLAS core this process's GEMMs run on (its kernels fix the rounding), or "none"."""
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "libopenblas" in line}
    if not libs:
        return "none"
    lib = ctypes.CDLL(libs.pop())
    lib.openblas_get_corename.restype = ctypes.c_char_p
    return lib.openblas_get_corename().decode()


torch.manual_seed(20240801)

# torchvision's network and init; small stem: conv1 stride 1 over 1 channel, no max-pool (28x28 into stage2).
model = models.shufflenet_v2_x0_5(num_classes=RECIPE["classes"])
model.conv1[0] = nn.Conv2d(RECIPE["inChannels"], 24, 3, 1, 1, bias=False)
model.maxpool = nn.Identity()
initial = {k: v.detach().clone() for k, v in model.state_dict().items()}

n, c, hw = RECIPE["batch"], RECIPE["inChannels"], RECIPE["inputSize"]
x = torch.randn(n, c, hw, hw)
y = torch.randint(0, RECIPE["classes"], (n,))


def train(model, x, steps):
    """The losses of `steps` training steps of `model` on the batch (x, y), as lithe's src/train makes them."""
    params = list(model.parameters())
    opt = torch.optim.SGD(
        [
            {"params": [p for p in params if p.ndim > 1], "weight_decay": RECIPE["weightDecay"]},
            {"params": [p for p in params if p.ndim <= 1], "weight_decay": 0.0},
        ],
        lr=RECIPE["lr"],
        momentum=RECIPE["momentum"],
    )
    criterion = nn.CrossEntropyLoss(label_smoothing=RECIPE["labelSmoothing"])
    model.train()
    losses = []
    for t in range(steps):
        for g in opt.param_groups:
            g["lr"] = RECIPE["lr"] * (1 - t / RECIPE["steps"])
        loss = criterion(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


losses32 = train(copy.deepcopy(model), x, RECIPE["float32Steps"])
model = model.double()
losses = train(model, x.double(), RECIPE["steps"])

final = model.state_dict()
tensors = {f"initial.{k}": v for k, v in initial.items()}
tensors["x"] = x
tensors["y"] = y
tensors["losses"] = torch.tensor(losses, dtype=torch.float64)
tensors["losses_float32"] = torch.tensor(losses32, dtype=torch.float32)
for k in FINAL:
    tensors[f"final.{k}"] = final[k].detach().clone()
meta = {
    "generator": "scripts/gen-train-golden.py",
    "torch": torch.__version__,
    "torchvision": torchvision.__version__,
    "recipe": json.dumps(RECIPE),
    "openblasCore": openblas_core(),
    "threads": str(torch.get_num_threads()),
}
write_safetensors(OUT, tensors, meta)
print("losses", " ".join(f"{v:.12f}" for v in losses))
print("float32 losses", " ".join(f"{v:.6f}" for v in losses32))
print(f"wrote {len(tensors)} tensors, {os.path.getsize(OUT)} bytes to {os.path.relpath(OUT)}")
