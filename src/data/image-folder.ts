// Image folders in torchvision's ImageFolder layout (one sub-folder per class, sorted names -> labels
// 0..K-1), decoded by sharp (libvips) and resized like torchvision's Resize(size) + CenterCrop(size)
// into a uint8 [N, C, size, size] ImageDataset.
import { existsSync, readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { type ImageDataset, makeDataset, shared } from "./dataset.js";

export interface ImageFolderOptions {
  /** Output height and width: the shorter side is resized to `size`, then the centre is cropped. */
  size: number;
  /** 3 (RGB; alpha dropped, grey expanded) or 1 (luma with PIL's "L" weights, as torchvision's Grayscale); default 3. */
  channels?: 1 | 3;
  /** With train/ and val/ (or test/) sub-folders, the one to read; default "train". */
  split?: "train" | "test";
  /** Called after each decoded image. */
  onProgress?: (done: number, total: number) => void;
  /** Images decoded at once (each on one libvips thread); default one per core. */
  parallel?: number;
}

export interface ImageFolderDataset extends ImageDataset {
  /** Files in or beside the class folders that are not images by their extension, relative to the folder read. */
  readonly skipped: readonly string[];
  /** Whether the folder has its own test split (train/ + val/ or test/), or the caller must hold one out. */
  readonly hasTestSplit: boolean;
}

// Every suffix sharp can read from a file (.jpg, .png, .webp, .tif, .gif, .svg, .avif, ...).
const IMAGE_SUFFIXES = Object.values(sharp.format).flatMap((f) =>
  f.input.file ? (f.input.fileSuffix ?? []) : [],
);
const isImage = (name: string) => IMAGE_SUFFIXES.some((suffix) => name.toLowerCase().endsWith(suffix));

const isFolder = (path: string) => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** Sorted names of the entries of `dir`, hidden ones (".DS_Store", ".ipynb_checkpoints") left out. */
function entries(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => !name.startsWith("."))
      .sort();
  } catch (error) {
    throw new Error(
      `${dir}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

/** The class names of an image folder: its sorted sub-folders. */
export const classFolders = (dir: string): string[] =>
  entries(dir).filter((name) => isFolder(join(dir, name)));

/** The train and test folders of a folder with train/ and val/ or test/ sub-folders (test/ wins), else null. */
export function splitFolders(dir: string): { train: string; test: string } | null {
  const test = ["test", "val"].map((name) => join(dir, name)).find(isFolder);
  return isFolder(join(dir, "train")) && test ? { train: join(dir, "train"), test } : null;
}

/** Every file under `dir`, recursively, as paths relative to `root`, in sorted order. */
function filesUnder(root: string, dir: string): string[] {
  return entries(join(root, dir)).flatMap((name) => {
    const rel = join(dir, name);
    return isFolder(join(root, rel)) ? filesUnder(root, rel) : [rel];
  });
}

/** One image decoded, resized and centre-cropped: [size, size, 3] interleaved uint8. */
async function decode(path: string, size: number): Promise<Buffer> {
  try {
    return await sharp(path, { failOn: "warning" })
      .resize(size, size, { fit: "cover", position: "centre", kernel: "linear" })
      .removeAlpha()
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer();
  } catch (error) {
    throw new Error(`${path}: cannot decode as an image (${(error as Error).message.split("\n")[0]})`);
  }
}

/**
 * Reads an image folder: `dir` holds one sub-folder per class, or train/ and val/ (or test/)
 * sub-folders that do (then `split` picks one). Non-image files are skipped and listed in `skipped`.
 */
export async function loadImageFolder(dir: string, options: ImageFolderOptions): Promise<ImageFolderDataset> {
  const { size, channels = 3, split = "train", onProgress } = options;
  const parallel = options.parallel ?? availableParallelism();
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`image folder: size must be a positive integer, got ${size}`);
  if (channels !== 1 && channels !== 3)
    throw new Error(`image folder: channels must be 1 or 3, got ${channels}`);
  if (!existsSync(dir) || !isFolder(dir)) throw new Error(`${dir}: not a folder`);
  const splits = splitFolders(dir);
  if (!splits && split === "test") {
    throw new Error(
      `${dir}: no val/ or test/ sub-folder, so no test split (hold out part of the training images)`,
    );
  }
  const root = splits ? splits[split] : dir;
  const classNames = classFolders(root);
  if (classNames.length === 0) {
    throw new Error(
      `${root}: no class folders (expected one sub-folder of images per class, or train/ and val/)`,
    );
  }
  let skipped = entries(root).filter((name) => !isFolder(join(root, name)));
  const perClass = classNames.map((name) => {
    const all = filesUnder(root, name);
    const images = all.filter(isImage);
    if (images.length === 0) throw new Error(`${join(root, name)}: class folder with no images`);
    skipped = skipped.concat(all.filter((file) => !isImage(file)));
    return images;
  });
  const files = perClass.flat();

  const plane = size * size;
  const pixels = shared(files.length * channels * plane);
  sharp.concurrency(1); // one libvips thread per image; `parallel` images at once fill the cores
  sharp.cache(false); // every file is read once: libvips' operation cache would only hold memory
  let next = 0;
  let done = 0;
  let failed = false;
  const worker = async () => {
    while (next < files.length && !failed) {
      const i = next++;
      const rgb = await decode(join(root, files[i] as string), size).catch((error) => {
        failed = true;
        throw error;
      });
      const out = pixels.subarray(i * channels * plane, (i + 1) * channels * plane);
      if (channels === 1) {
        // [H, W, 3] -> [1, H, W], PIL's L = (19595 R + 38470 G + 7471 B) / 2^16, rounded
        for (let p = 0; p < plane; p++) {
          const [r, g, b] = [rgb[3 * p] as number, rgb[3 * p + 1] as number, rgb[3 * p + 2] as number];
          out[p] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
        }
      } else {
        // [H, W, 3] interleaved -> [3, H, W] planes
        for (let c = 0; c < 3; c++)
          for (let p = 0; p < plane; p++) out[c * plane + p] = rgb[3 * p + c] as number;
      }
      onProgress?.(++done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  return {
    ...makeDataset({
      source: splits ? `${root} (${split})` : root,
      count: files.length,
      channels,
      height: size,
      width: size,
      classes: classNames.length,
      classNames,
      pixels,
      labels: Int32Array.from(perClass.flatMap((images, label) => images.map(() => label))),
    }),
    skipped,
    hasTestSplit: splits !== null,
  };
}
