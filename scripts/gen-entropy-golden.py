# Generates test/fixtures/entropy-golden.safetensors: KL-divergence calibration thresholds (Migacz,
# "8-bit Inference with TensorRT", GTC 2017) for test/quant/entropy.test.ts, computed here with numpy
# and scipy.stats.entropy after MXNet's _get_optimal_threshold (P with the clipped tail in its last bin,
# Q merged from the unclipped bins and spread over P's non-empty ones, both smoothed with eps 1e-4), on a
# 2048-bin histogram of |x|, independently of lithe's TypeScript.
# Rerun from the package root with the Python that has torch and scipy:
#   /usr/bin/python3 scripts/gen-entropy-golden.py
import json
import os

import numpy as np
import torch
from scipy.stats import entropy
from safetensors_writer import write_safetensors

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "entropy-golden.safetensors")
BINS = 2048


def smooth(p, eps=1e-4):
    zeros = (p == 0).astype(np.float64)
    nonzeros = 1 - zeros
    n_zeros = zeros.sum()
    n_nonzeros = p.size - n_zeros
    if n_nonzeros == 0:
        return None
    return p.astype(np.float64) + eps * zeros - eps * n_zeros / n_nonzeros * nonzeros


def threshold(x, levels):
    a = np.abs(x.astype(np.float64))
    max_abs = float(a.max())
    width = max_abs / BINS
    idx = np.minimum(BINS - 1, np.floor(a / width).astype(np.int64))
    hist = np.bincount(idx, minlength=BINS).astype(np.float64)
    kls = []
    for i in range(levels, BINS + 1):
        sliced = hist[:i]
        p = sliced.copy()
        p[-1] += hist[i:].sum()
        nonzero = p != 0
        merged = i // levels
        q = np.zeros(i)
        for j in range(levels):
            start = j * merged
            stop = i if j == levels - 1 else start + merged
            norm = nonzero[start:stop].sum()
            if norm != 0:
                q[start:stop] = sliced[start:stop].sum() / norm
        q[~nonzero] = 0
        ps, qs = smooth(p), smooth(q)
        kls.append(np.inf if qs is None else entropy(ps, qs))
    return (levels + int(np.argmin(kls))) * width


rng = np.random.default_rng(20261203)
cases = {
    "gaussian_outliers": (np.concatenate([rng.normal(0, 1, 20000), [25.0, -30.0, 40.0]]), 128),
    "relu_gaussian": (np.maximum(0, rng.normal(0.2, 1, 20000)), 256),
    "laplace": (rng.laplace(0, 1, 20000), 128),
    "uniform": (rng.uniform(0, 3, 20000), 256),
}
tensors = {}
metadata = {"generator": "scripts/gen-entropy-golden.py", "numpy": np.__version__}
for name, (x, levels) in cases.items():
    x = x.astype(np.float32)
    tensors[f"{name}.x"] = torch.from_numpy(x)
    tensors[f"{name}.threshold"] = torch.tensor([threshold(x, levels)], dtype=torch.float64)
    metadata[f"{name}.options"] = json.dumps({"levels": levels})
    print(name, levels, float(tensors[f"{name}.threshold"]), float(np.abs(x).max()))
write_safetensors(OUT, tensors, metadata)
