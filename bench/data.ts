// The data-pipeline benchmark: DataLoader throughput alone (no model), on Fashion-MNIST with the
// "fashion-mnist" preset and on a 32x32x3 synthetic CIFAR-like set with the "cifar" preset. Prints nothing.
import { type AugmentSpec, augmentPreset } from "../src/data/augment.js";
import { type DatasetView, wholeView } from "../src/data/dataset.js";
import { DataLoader } from "../src/data/loader.js";
import { FASHION_MNIST_DIR, loadMnistFormat } from "../src/data/mnist.js";
import { syntheticDataset } from "../src/data/synthetic.js";

export interface DataBenchOptions {
  batchSize?: number;
  /** Timed batches per data set (after WARMUP untimed ones). */
  batches?: number;
  /** Loader workers (0 = on the main thread). */
  workers?: number;
}

export interface DataBenchResult {
  batch_size: number;
  batches: number;
  workers: number;
  fashion_mnist_images_per_s: number;
  /** Share of the timed span the consumer waited (near 1: the consumer does nothing else). */
  fashion_mnist_wait_share: number;
  cifar_images_per_s: number;
  cifar_wait_share: number;
}

/** Untimed batches first: they start the workers, warm the JIT and fill the prefetch queue. */
const WARMUP = 10;

async function measure(
  view: DatasetView,
  augment: AugmentSpec,
  batchSize: number,
  batches: number,
  workers: number,
) {
  const loader = new DataLoader(view, { batchSize, shuffle: true, dropLast: true, augment, workers });
  try {
    let seen = 0;
    let images = 0;
    let start = 0;
    let waitBefore = 0;
    for (let epoch = 0; seen < WARMUP + batches; epoch++) {
      for await (const b of loader.epoch(epoch)) {
        if (++seen === WARMUP) {
          start = performance.now();
          waitBefore = loader.stats().waitSeconds;
        } else if (seen > WARMUP) images += b.shape[0];
        if (seen === WARMUP + batches) break;
      }
    }
    const seconds = (performance.now() - start) / 1000;
    return {
      imagesPerSecond: images / seconds,
      waitShare: (loader.stats().waitSeconds - waitBefore) / seconds,
    };
  } finally {
    await loader.close();
  }
}

export async function runDataBench(o: DataBenchOptions = {}): Promise<DataBenchResult> {
  const { batchSize = 256, batches = 100, workers = 1 } = o;
  const fashion = wholeView(loadMnistFormat(FASHION_MNIST_DIR, "train"));
  const cifar = wholeView(syntheticDataset({ count: 10_000, classes: 10, channels: 3, size: 32, seed: 0 }));
  const f = await measure(fashion, augmentPreset("fashion-mnist"), batchSize, batches, workers);
  const c = await measure(cifar, augmentPreset("cifar"), batchSize, batches, workers);
  return {
    batch_size: batchSize,
    batches,
    workers,
    fashion_mnist_images_per_s: f.imagesPerSecond,
    fashion_mnist_wait_share: f.waitShare,
    cifar_images_per_s: c.imagesPerSecond,
    cifar_wait_share: c.waitShare,
  };
}
