# Generates test/fixtures/resample-pil.json for test/data/loader.test.ts: PIL's bilinear resize of a
# float ("F" mode) image over boxes (what RandomResizedCrop does) and torchvision's Resize + CenterCrop.
# Rerun from the package root with the Python that has torchvision:
#   /usr/bin/python3 scripts/gen-resample-golden.py
import json
import os
import subprocess

import numpy as np
import PIL
import torchvision
import torchvision.transforms.functional as TF
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "test", "fixtures", "resample-pil.json")

H, W = 13, 17
pixels = np.random.RandomState(20240601).randint(0, 256, size=(H, W)).astype(np.uint8)
image = Image.fromarray(pixels.astype(np.float32), mode="F")

# (top, left, height, width) source boxes and output (height, width): shrink, enlarge, copy, mixed
boxes = [((2, 3, 9, 12), (4, 5)), ((0, 0, 13, 17), (30, 21)), ((4, 5, 6, 6), (6, 6)), ((1, 0, 12, 10), (7, 13))]
cases = []
for (top, left, h, w), (out_h, out_w) in boxes:
    out = image.resize((out_w, out_h), Image.BILINEAR, box=(left, top, left + w, top + h))
    cases.append({"box": [top, left, h, w], "out": [out_h, out_w], "values": np.asarray(out).ravel().tolist()})

# Resize(shorter side) then CenterCrop, the evaluation transform
center = []
for resize, size in [(11, 9), (20, 16)]:
    out = TF.center_crop(TF.resize(image, resize, interpolation=TF.InterpolationMode.BILINEAR), size)
    center.append({"resize": resize, "size": size, "values": np.asarray(out).ravel().tolist()})

with open(OUT, "w") as f:
    json.dump(
        {
            "generator": "scripts/gen-resample-golden.py",
            "pil": PIL.__version__,
            "torchvision": torchvision.__version__,
            "shape": [H, W],
            "pixels": pixels.ravel().tolist(),
            "boxes": cases,
            "center": center,
        },
        f,
    )
# in the layout `npm run lint` expects
subprocess.run(["npx", "biome", "format", "--write", OUT], cwd=ROOT, check=True, capture_output=True)
