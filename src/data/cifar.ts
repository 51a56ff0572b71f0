// CIFAR-10 and CIFAR-100 in their "binary version" (https://www.cs.toronto.edu/~kriz/cifar.html):
// fixed-size records of label byte(s) then 3072 pixel bytes (1024 R, 1024 G, 1024 B, each 32x32
// row-major), read as 3-channel 32x32 ImageDatasets.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type ImageDataset, makeDataset, shared } from "./dataset.js";

const PIXELS = 3 * 32 * 32; // one record's image, already [C, H, W]

interface CifarFormat {
  readonly name: string;
  /** Classes per label byte, in record order; the last label byte is the one used. */
  readonly labelRanges: readonly number[];
  readonly files: { readonly train: readonly string[]; readonly test: readonly string[] };
  /** Class names of the used label, one per line. */
  readonly namesFile: string;
  /** The folder the official archive unpacks to. */
  readonly archiveFolder: string;
}

const CIFAR10: CifarFormat = {
  name: "CIFAR-10",
  labelRanges: [10],
  files: { train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: ["test_batch.bin"] },
  namesFile: "batches.meta.txt",
  archiveFolder: "cifar-10-batches-bin",
};

// Records hold the coarse (20 superclasses) then the fine (100 classes) label; lithe uses the fine one.
const CIFAR100: CifarFormat = {
  name: "CIFAR-100",
  labelRanges: [20, 100],
  files: { train: ["train.bin"], test: ["test.bin"] },
  namesFile: "fine_label_names.txt",
  archiveFolder: "cifar-100-binary",
};

export const CIFAR_EXPECTED =
  "data_batch_1..5.bin + test_batch.bin (CIFAR-10) or train.bin + test.bin (CIFAR-100), " +
  "here or in cifar-10-batches-bin/ or cifar-100-binary/";

/** Which CIFAR format `dir` (or the archive folder inside it) holds, judged by the files present; null if neither. */
export function findCifar(dir: string): { dir: string; format: CifarFormat } | null {
  for (const format of [CIFAR10, CIFAR100]) {
    for (const folder of [dir, join(dir, format.archiveFolder)]) {
      const names = [...format.files.train, ...format.files.test];
      if (names.some((name) => existsSync(join(folder, name)))) return { dir: folder, format };
    }
  }
  return null;
}

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(
      `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

/** Class names from the names file, or null when the folder does not have it. */
function readClassNames(dir: string, format: CifarFormat): string[] | null {
  const path = join(dir, format.namesFile);
  if (!existsSync(path)) return null;
  const names = readBytes(path)
    .toString("utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const classes = format.labelRanges.at(-1) as number;
  if (names.length !== classes) throw new Error(`${path}: ${names.length} class names, expected ${classes}`);
  return names;
}

/** The train or test split of a CIFAR-10 or CIFAR-100 binary folder (detected from the files present). */
export function loadCifar(dir: string, split: "train" | "test"): ImageDataset {
  const found = findCifar(dir);
  if (!found) throw new Error(`${dir}: no CIFAR binary files (expected ${CIFAR_EXPECTED})`);
  const { format } = found;
  const labelBytes = format.labelRanges.length;
  const record = labelBytes + PIXELS;
  const paths = format.files[split].map((name) => join(found.dir, name));
  const counts = paths.map((path) => {
    if (!existsSync(path)) {
      throw new Error(`${path}: missing (${format.name} ${split} needs ${format.files[split].join(", ")})`);
    }
    const size = statSync(path).size;
    if (size === 0 || size % record !== 0) {
      throw new Error(
        `${path}: ${size} bytes is not a whole number of ${record}-byte ${format.name} records (truncated or corrupt)`,
      );
    }
    return size / record;
  });
  const count = counts.reduce((a, b) => a + b, 0);
  const pixels = shared(count * PIXELS);
  const labels = new Int32Array(count);
  let n = 0;
  for (const path of paths) {
    const bytes = readBytes(path);
    // [records, labelBytes + 3072] -> labels [records], pixels [records, 3, 32, 32]
    for (let offset = 0; offset < bytes.length; offset += record, n++) {
      format.labelRanges.forEach((classes, b) => {
        const label = bytes[offset + b] as number;
        if (label >= classes) {
          throw new Error(
            `${path}: record ${offset / record} has label ${label}, outside ${format.name}'s 0..${classes - 1}`,
          );
        }
        labels[n] = label;
      });
      pixels.set(bytes.subarray(offset + labelBytes, offset + record), n * PIXELS);
    }
  }
  return makeDataset({
    source: `${found.dir} (${format.name} ${split})`,
    count,
    channels: 3,
    height: 32,
    width: 32,
    classes: format.labelRanges.at(-1) as number,
    classNames: readClassNames(found.dir, format),
    pixels,
    labels,
  });
}
