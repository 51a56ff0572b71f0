// MNIST-format datasets (Fashion-MNIST by default, from Debian's dataset-fashion-mnist package):
// [N, 28, 28] uint8 images and [N] uint8 labels, read from the four standard IDX files.
import { existsSync } from "node:fs";
import { join } from "node:path";
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

export interface ImageSet {
  /** [count, height, width] uint8, row-major */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
}

const PREFIX = { train: "train", test: "t10k" } as const;

function findFile(dir: string, base: string): string {
  for (const name of [`${base}.gz`, base]) if (existsSync(join(dir, name))) return join(dir, name);
  throw new Error(
    dir === FASHION_MNIST_DIR
      ? `Fashion-MNIST not found in ${dir} (install it: apt-get install dataset-fashion-mnist)`
      : `${dir}: no ${base}[.gz] here (expected the four MNIST-format IDX files)`,
  );
}

export function loadMnistFormat(dir: string, split: keyof typeof PREFIX): ImageSet {
  const images = readIdx(findFile(dir, `${PREFIX[split]}-images-idx3-ubyte`));
  const labels = readIdx(findFile(dir, `${PREFIX[split]}-labels-idx1-ubyte`));
  if (images.shape.length !== 3)
    throw new Error(`${dir}: ${split} images must be [N, H, W], got [${images.shape}]`);
  const [count, height, width] = images.shape as [number, number, number];
  if (labels.shape.length !== 1 || labels.shape[0] !== count) {
    throw new Error(`${dir}: ${count} ${split} images but ${labels.shape[0]} labels`);
  }
  return { images: images.data, labels: labels.data, count, height, width };
}
