# Generates test/fixtures/statistics-golden.json: SciPy's Student t 95% interval of a mean, Kendall's
# tau-b (with ties) and its percentile-bootstrap 95% interval (200,000 resamples, so the interval is
# the ideal bootstrap's to about 0.005), for test/util/statistics.test.ts.
# Rerun from the package root with the Python that has SciPy 1.10:
#   /usr/bin/python3 scripts/gen-statistics-golden.py
import json
import os

import numpy as np
import scipy
from scipy import stats

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "statistics-golden.json")

rng = np.random.default_rng(20261203)
means = []
for n in [2, 3, 5, 8, 20, 40]:
    xs = rng.normal(loc=73.0, scale=0.8, size=n).round(3)
    lo, hi = stats.t.interval(0.95, n - 1, loc=xs.mean(), scale=stats.sem(xs))
    means.append({"values": xs.tolist(), "mean": xs.mean(), "sd": xs.std(ddof=1), "ci95": [lo, hi]})

taus = []
for n, noise in [(8, 1.0), (20, 0.7), (24, 2.0)]:
    a = rng.normal(size=n).round(1)  # rounded: ties on the proxy side
    b = (a + noise * rng.normal(size=n)).round(1)
    tau = stats.kendalltau(a, b, variant="b").statistic

    def statistic(i):
        return stats.kendalltau(a[i], b[i], variant="b").statistic

    draws = np.array([statistic(rng.integers(0, n, size=n)) for _ in range(200_000)])
    draws = draws[~np.isnan(draws)]
    taus.append(
        {
            "a": a.tolist(),
            "b": b.tolist(),
            "tau": tau,
            "ci95": [np.quantile(draws, 0.025), np.quantile(draws, 0.975)],
        }
    )

with open(OUT, "w") as f:
    json.dump({"generator": "scripts/gen-statistics-golden.py", "scipy": scipy.__version__, "means": means, "kendall": taus}, f, indent=1)
    f.write("\n")
