# Generates test/fixtures/<lithe model>-torchvision.safetensors: a seeded torchvision model's full
# state_dict (BN statistics and affine terms randomised), a fixed input and its eval-mode logits, for
# test/models/torchvision-weights.test.ts. Rerun from the package root with the Python that has
# torchvision:
#   /usr/bin/python3 scripts/gen-model-golden.py
# resnet18 is left out: its 11M parameters would make a 45 MB fixture.
import json
import os
import struct

import torch
import torchvision
from torchvision import models

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures")

# lithe model name -> torchvision constructor
MODELS = {
    "shufflenet_v2_x0_5": lambda: models.shufflenet_v2_x0_5(num_classes=10),
    "mobilenet_v2_x0_35": lambda: models.mobilenet_v2(width_mult=0.35, num_classes=10),
}

torch.set_num_threads(1)


def write_safetensors(path, named, meta):
    header = {"__metadata__": meta}
    blobs = []
    offset = 0
    for name, t in named.items():
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        raw = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


for seed, (name, make) in enumerate(MODELS.items()):
    torch.manual_seed(20240700 + seed)
    model = make()
    with torch.no_grad():
        for i, m in enumerate(mod for mod in model.modules() if isinstance(mod, torch.nn.BatchNorm2d)):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c) * 0.2)
            m.running_var.copy_(torch.rand(c) + 0.5)
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
    meta = {"generator": "scripts/gen-model-golden.py", "torch": torch.__version__, "torchvision": torchvision.__version__}
    path = os.path.join(FIXTURES, f"{name}-torchvision.safetensors")
    write_safetensors(path, tensors, meta)
    print(f"wrote {len(tensors)} tensors, {os.path.getsize(path)} bytes to {os.path.relpath(path)}; logits |max| {y.abs().max():.4g}")
