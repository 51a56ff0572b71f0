# Generates test/fixtures/lasso-golden.safetensors: scikit-learn's Lasso(fit_intercept=False) and
# LinearRegression(fit_intercept=False) on fixed seeded problems, the solvers the official
# channel-pruning code calls (yihui-he/channel-pruning lib/decompose.py), for test/prune/solvers.test.ts.
# Rerun from the package root with the Python that has torch and scikit-learn 1.2:
#   /usr/bin/python3 scripts/gen-lasso-golden.py
import json
import os

import numpy as np
import sklearn
import torch
from safetensors_writer import write_safetensors
from sklearn.linear_model import Lasso, LinearRegression

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "lasso-golden.safetensors")

rng = np.random.default_rng(20261203)
tensors = {}
metadata = {"generator": "scripts/gen-lasso-golden.py", "sklearn": sklearn.__version__}

# LASSO: correlated columns (as channel contributions are), a sparse truth plus noise.
n, p = 60, 12
mix = rng.normal(size=(p, p)) * 0.3 + np.eye(p)
x = rng.normal(size=(n, p)) @ mix
truth = np.zeros(p)
truth[[1, 4, 7, 10]] = [2.0, -1.5, 0.8, 1.2]
y = x @ truth + 0.1 * rng.normal(size=n)
tensors["lasso.x"] = torch.from_numpy(x)
tensors["lasso.y"] = torch.from_numpy(y)
for i, (alpha, positive) in enumerate([(0.001, False), (0.05, False), (0.3, False), (0.05, True), (0.3, True)]):
    model = Lasso(alpha=alpha, fit_intercept=False, positive=positive, tol=1e-12, max_iter=1_000_000)
    model.fit(x, y)
    name = f"lasso{i}"
    tensors[f"{name}.coef"] = torch.from_numpy(model.coef_.copy())
    metadata[f"{name}.options"] = json.dumps({"alpha": alpha, "positive": positive})

# Least squares: several outputs at once, as a conv layer's filters.
n, p, k = 80, 9, 4
x = rng.normal(size=(n, p))
y = x @ rng.normal(size=(p, k)) + 0.2 * rng.normal(size=(n, k))
model = LinearRegression(fit_intercept=False).fit(x, y)
tensors["lstsq.x"] = torch.from_numpy(x)
tensors["lstsq.y"] = torch.from_numpy(y)
tensors["lstsq.coef"] = torch.from_numpy(model.coef_.T.copy())  # [p, k]

write_safetensors(OUT, tensors, metadata)
print("wrote", os.path.relpath(OUT))
