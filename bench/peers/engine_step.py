# PyTorch peer of bench/engine.ts: ShuffleNet V2 1.0x (CIFAR stem) training steps; prints one JSON line.
# Usage: /usr/bin/python3 bench/peers/engine_step.py THREADS [STEPS] [WARMUP] [BATCH]
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torchvision


def cifar_shufflenet_v2() -> nn.Module:
    model = torchvision.models.shufflenet_v2_x1_0(num_classes=10)
    model.conv1[0] = nn.Conv2d(3, 24, 3, 1, 1, bias=False)  # stride 1 for 32x32 input
    model.maxpool = nn.Identity()
    return model


def main() -> None:
    threads = int(sys.argv[1])
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 64
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = cifar_shufflenet_v2().train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    mean = sum(times) / len(times)
    print(json.dumps({**step_stats(batch, times), "dispatch_overhead_us": dispatch_overhead_us(),
                      "threads": torch.get_num_threads(), "torch": torch.__version__}))
    print(
        json.dumps(
            {
                "imgs_per_s": batch / mean,
                "median_imgs_per_s": batch / statistics.median(times),
                "mean_step_ms": mean * 1e3,
                "median_step_ms": statistics.median(times) * 1e3,
                "threads": torch.get_num_threads(),
                "torch": torch.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
