// The in-memory image dataset every loader reads: uint8 pixels [N, C, H, W] in a SharedArrayBuffer
// (so loader workers read them without copies) and int32 labels, plus views (index subsets) for
// seeded hold-out splits.
import { Random } from "../util/random.js";

export interface ImageDataset {
  /** Where it came from, for messages ("fashion-mnist train", a folder path, ...). */
  readonly source: string;
  readonly count: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly classes: number;
  /** Class names in label order, when the format has them. */
  readonly classNames: readonly string[] | null;
  /** [count, channels, height, width] uint8, row-major; backed by a SharedArrayBuffer. */
  readonly pixels: Uint8Array;
  /** [count] class indices in [0, classes). */
  readonly labels: Int32Array;
}

/** A subset of a dataset by sample index (e.g. the training part of a hold-out split). */
export interface DatasetView {
  readonly dataset: ImageDataset;
  readonly indices: Uint32Array;
}

export function shared(bytes: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(bytes));
}

/** Builds a dataset, checking that pixels and labels agree with the declared sizes. */
export function makeDataset(d: ImageDataset): ImageDataset {
  const { count, channels, height, width } = d;
  if (d.pixels.length !== count * channels * height * width) {
    throw new Error(
      `${d.source}: ${d.pixels.length} pixel bytes do not make ${count} images of ${channels}x${height}x${width}`,
    );
  }
  if (d.labels.length !== count)
    throw new Error(`${d.source}: ${count} images but ${d.labels.length} labels`);
  for (let i = 0; i < count; i++) {
    const l = d.labels[i] as number;
    if (l < 0 || l >= d.classes)
      throw new Error(`${d.source}: label ${l} of image ${i} is outside 0..${d.classes - 1}`);
  }
  return d;
}

export const wholeView = (dataset: ImageDataset): DatasetView => ({
  dataset,
  indices: Uint32Array.from({ length: dataset.count }, (_, i) => i),
});

/**
 * A seeded split of a dataset (or of a view's samples) into `holdout` samples and the rest (the papers
 * search on a split of the training set, never on the test set). The same seed always gives the same split.
 */
export function holdoutSplit(
  data: ImageDataset | DatasetView,
  holdout: number,
  seed: number,
): { train: DatasetView; holdout: DatasetView } {
  const view = "indices" in data ? data : wholeView(data);
  const { dataset, indices } = view;
  if (!Number.isInteger(holdout) || holdout <= 0 || holdout >= indices.length) {
    throw new Error(
      `hold-out split: ${holdout} samples cannot be carved from the ${indices.length} of ${dataset.source}`,
    );
  }
  const order = new Random(seed).permutation(indices.length);
  const pick = (positions: Uint32Array) => positions.map((i) => indices[i] as number).sort();
  return {
    holdout: { dataset, indices: pick(order.slice(0, holdout)) },
    train: { dataset, indices: pick(order.slice(holdout)) },
  };
}
