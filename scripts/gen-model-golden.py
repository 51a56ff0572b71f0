# Generates test/fixtures/<lithe model>-torchvision.safetensors for test/models/torchvision-weights.test.ts:
# a seeded torchvision model's full state_dict (BN running statistics from a calibration batch, then every
# BN term jittered), a fixed input and its eval-mode logits. Rerun from the package root with the Python
# that has torchvision:
#   /usr/bin/python3 scripts/gen-model-golden.py
# resnet18 is left out: its 11M parameters would make a 45 MB fixture.
import os

import torch
import torchvision
from safetensors_writer import write_safetensors
from torchvision import models

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures")

# lithe model name -> torchvision constructor
MODELS = {
    "shufflenet_v2_x0_5": lambda: models.shufflenet_v2_x0_5(num_classes=10),
    "mobilenet_v2_x0_35": lambda: models.mobilenet_v2(width_mult=0.35, num_classes=10),
}

torch.set_num_threads(1)


for seed, (name, make) in enumerate(MODELS.items()):
    torch.manual_seed(20240700 + seed)
    model = make()
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    # Running statistics from one calibration batch keep activations well scaled (with arbitrary
    # statistics the logits barely depend on the input); then every BN term is jittered.
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():
        model(torch.randn(8, 3, 64, 64))
        for i, m in enumerate(bns):
            c = m.num_features
            m.running_mean.add_(torch.randn(c) * 0.1 * m.running_var.sqrt())
            m.running_var.mul_(torch.rand(c) * 0.5 + 0.75)
            m.weight.copy_(torch.rand(c) * 0.5 + 0.75)
            m.bias.copy_(torch.randn(c) * 0.2)
            m.num_batches_tracked.fill_(1000 + i)
    model.eval()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        y = model(x)
    tensors = {k: v.detach().clone() for k, v in model.state_dict().items()}
    assert "input" not in tensors and "logits" not in tensors
    tensors["input"] = x
    tensors["logits"] = y
    meta = {
        "generator": "scripts/gen-model-golden.py",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
    }
    path = os.path.join(FIXTURES, f"{name}-torchvision.safetensors")
    write_safetensors(path, tensors, meta)
    print(f"wrote {len(tensors)} tensors, {os.path.getsize(path)} bytes to {os.path.relpath(path)}")
