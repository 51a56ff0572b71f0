# Generates test/fixtures/torchvision-keys-<model>.json: the state-dict key lists of torchvision's
# mobilenet_v2 (width 1.0), resnet50 and vgg16_bn, which test/arch/baselines.test.ts and
# test/arch/vgg.test.ts compare with the names of the layer plans. Rerun from the package root with the Python that has torchvision:
#   /usr/bin/python3 scripts/gen-torchvision-keys.py
# It also prints each registered torchvision-equivalent model's parameter count (1000 classes), the
# numbers the test hard-codes.
import json
import os

import torchvision
from torchvision import models

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures")

KEYED = {"mobilenet_v2_x1_0": models.mobilenet_v2(), "resnet50": models.resnet50(), "vgg16_bn": models.vgg16_bn()}
for name, model in KEYED.items():
    path = os.path.join(FIXTURES, f"torchvision-keys-{name}.json")
    with open(path, "w") as f:
        doc = {"generator": "scripts/gen-torchvision-keys.py", "torchvision": torchvision.__version__}
        json.dump({**doc, "keys": list(model.state_dict().keys())}, f, indent=2)
        f.write("\n")
    print("wrote", os.path.relpath(path))

COUNTED = {f"mobilenet_v2 width {w}": models.mobilenet_v2(width_mult=w) for w in (0.35, 0.5, 0.75, 1.0, 1.4)}
COUNTED.update({name: getattr(models, name)() for name in ("resnet18", "resnet34", "resnet50")})
VGGS = [f"vgg{d}{bn}" for d in (11, 13, 16, 19) for bn in ("", "_bn")]
COUNTED.update({name: getattr(models, name)() for name in VGGS})
for name, model in COUNTED.items():
    print(f"{name}: {sum(p.numel() for p in model.parameters()):,} parameters")
