// MNIST-format datasets (Fashion-MNIST by default, from Debian's dataset-fashion-mnist package):
// the four standard IDX files, as 1-channel 28x28 ImageDatasets.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type ImageDataset, makeDataset, shared } from "./dataset.js";
import { readIdx } from "./idx.js";

export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

const PREFIX = { train: "train", test: "t10k" } as const;

function findFile(dir: string, base: string): string {
  for (const name of [`${base}.gz`, base]) if (existsSync(join(dir, name))) return join(dir, name);
  throw new Error(
    dir === FASHION_MNIST_DIR
      ? `Fashion-MNIST not found in ${dir} (install it: apt-get install dataset-fashion-mnist)`
      : `${dir}: no ${base}[.gz] here (expected the four MNIST-format IDX files)`,
  );
}

/** The train or test split of an MNIST-format folder; class names are Fashion-MNIST's for its folder. */
export function loadMnistFormat(dir: string, split: keyof typeof PREFIX): ImageDataset {
  const images = readIdx(findFile(dir, `${PREFIX[split]}-images-idx3-ubyte`));
  const labels = readIdx(findFile(dir, `${PREFIX[split]}-labels-idx1-ubyte`));
  if (images.shape.length !== 3)
    throw new Error(`${dir}: ${split} images must be [N, H, W], got [${images.shape}]`);
  const [count, height, width] = images.shape as [number, number, number];
  if (labels.shape.length !== 1 || labels.shape[0] !== count) {
    throw new Error(`${dir}: ${count} ${split} images but ${labels.shape[0]} labels`);
  }
  const pixels = shared(images.data.length);
  pixels.set(images.data);
  const classes = labels.data.reduce((m, l) => Math.max(m, l + 1), 0);
  return makeDataset({
    source: `${dir} (${split})`,
    count,
    channels: 1,
    height,
    width,
    classes,
    classNames: dir === FASHION_MNIST_DIR ? FASHION_MNIST_CLASSES : null,
    pixels,
    labels: Int32Array.from(labels.data),
  });
}
