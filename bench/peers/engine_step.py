# PyTorch peer of bench/engine.ts: ShuffleNet V2 1.0x (CIFAR stem) training steps; prints one JSON line.
# Usage: /usr/bin/python3 bench/peers/engine_step.py THREADS [STEPS] [WARMUP] [BATCH]
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torchvision

DISPATCH_CALLS = 100_000


def cifar_shufflenet_v2() -> nn.Module:
    model = torchvision.models.shufflenet_v2_x1_0(num_classes=10)
    model.conv1[0] = nn.Conv2d(3, 24, 3, 1, 1, bias=False)  # stride 1 for 32x32 input
    model.maxpool = nn.Identity()
    return model


def step_times(batch: int, warmup: int, steps: int) -> list:
    """Seconds per forward + cross-entropy + backward + SGD (momentum 0.9) step on fixed random data."""
    torch.manual_seed(0)
    model = cifar_shufflenet_v2().train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return times


def dispatch_overhead_us() -> float:
    """Microseconds per torch.add on [1] tensors (eager PyTorch's per-op overhead, for comparison)."""
    a, b = torch.zeros(1), torch.zeros(1)
    for _ in range(1000):
        torch.add(a, b)
    start = time.perf_counter()
    for _ in range(DISPATCH_CALLS):
        torch.add(a, b)
    return (time.perf_counter() - start) * 1e6 / DISPATCH_CALLS


def main() -> None:
    threads = int(sys.argv[1])
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 64
    torch.set_num_threads(threads)
    times = step_times(batch, warmup, steps)
    mean, median = statistics.mean(times), statistics.median(times)
    result = {
        "imgs_per_s": batch / mean,
        "median_imgs_per_s": batch / median,
        "mean_step_ms": mean * 1e3,
        "median_step_ms": median * 1e3,
        "dispatch_overhead_us": dispatch_overhead_us(),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
