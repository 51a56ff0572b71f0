// What a user types for --data, resolved to a dataset: "fashion-mnist", "synthetic[:N]", or a folder
// holding MNIST-format IDX files, CIFAR binaries, or class folders of images.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { seedOf } from "../util/random.js";
import { CIFAR_EXPECTED, findCifar, loadCifar } from "./cifar.js";
import type { ImageDataset } from "./dataset.js";
import { classFolders, loadImageFolder, splitFolders } from "./image-folder.js";
import { FASHION_MNIST_DIR, loadMnistFormat } from "./mnist.js";
import { syntheticDataset } from "./synthetic.js";

export interface OpenOptions {
  /** Image side for image folders (default 224) and synthetic data (default 32); MNIST and CIFAR keep theirs. */
  imageSize?: number;
  /** Channels for image folders and synthetic data: 3 or 1; default 3. */
  channels?: 1 | 3;
  /** Seed of synthetic data (the test split draws from another stream of it); default 0. */
  seed?: number;
  /** Progress of image decoding (image folders). */
  onProgress?: (done: number, total: number) => void;
}

export type DatasetFormat = "mnist" | "cifar" | "image-folder" | "synthetic";

export interface OpenedDataset extends ImageDataset {
  readonly format: DatasetFormat;
  /** False for a plain folder of class folders: it has no test split, so hold one out of it (holdoutSplit). */
  readonly hasTestSplit: boolean;
  /** Things the user should hear about that did not stop the load (skipped files). */
  readonly warnings: readonly string[];
}

export const SYNTHETIC_COUNT = 1024;
const SYNTHETIC_CLASSES = 10;
const MNIST_IMAGES = ["train-images-idx3-ubyte", "t10k-images-idx3-ubyte"];
const LOOKED_FOR =
  "MNIST-format IDX files (train-images-idx3-ubyte[.gz], t10k-...), CIFAR binaries " +
  `(${CIFAR_EXPECTED}), or class sub-folders of images (or train/ and val/ or test/ sub-folders holding them)`;

/** Loads the `split` of the dataset `spec` names; errors say what was looked for. */
export async function openDataset(
  spec: string,
  split: "train" | "test",
  options: OpenOptions = {},
): Promise<OpenedDataset> {
  const { imageSize, channels = 3, seed = 0 } = options;
  const plain = (format: DatasetFormat, dataset: ImageDataset): OpenedDataset => ({
    ...dataset,
    format,
    hasTestSplit: true,
    warnings: [],
  });
  if (spec === "fashion-mnist") return plain("mnist", loadMnistFormat(FASHION_MNIST_DIR, split));
  const synthetic = /^synthetic(?::(\d+))?$/.exec(spec);
  if (synthetic) {
    const count = synthetic[1] === undefined ? SYNTHETIC_COUNT : Number(synthetic[1]);
    const drawSeed = seedOf(`synthetic:${split}:${seed}`);
    return plain(
      "synthetic",
      syntheticDataset({
        count,
        classes: SYNTHETIC_CLASSES,
        channels,
        size: imageSize ?? 32,
        seed: drawSeed,
      }),
    );
  }
  if (!existsSync(spec)) {
    throw new Error(`${spec}: not "fashion-mnist", "synthetic[:N]" or an existing folder`);
  }
  if (!statSync(spec).isDirectory())
    throw new Error(`${spec}: not a folder (a dataset is a folder of ${LOOKED_FOR})`);
  if (MNIST_IMAGES.some((name) => existsSync(join(spec, name)) || existsSync(join(spec, `${name}.gz`)))) {
    return plain("mnist", loadMnistFormat(spec, split));
  }
  if (findCifar(spec)) return plain("cifar", loadCifar(spec, split));
  if (splitFolders(spec) || classFolders(spec).length > 0) {
    const dataset = await loadImageFolder(spec, {
      size: imageSize ?? 224,
      channels,
      split,
      onProgress: options.onProgress,
    });
    const { skipped } = dataset;
    const warnings =
      skipped.length === 0
        ? []
        : [
            `${dataset.source}: skipped ${skipped.length} files that are not images (${skipped.slice(0, 3).join(", ")}${skipped.length > 3 ? ", ..." : ""})`,
          ];
    return { ...dataset, format: "image-folder", warnings };
  }
  throw new Error(`${spec}: no dataset found (looked for ${LOOKED_FOR})`);
}
