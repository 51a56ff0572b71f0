// The nested options a training run takes as a library call (data, recipe, run directory), with
// the defaults `lithe train` shows in --help; the recipe's own defaults are OFFICIAL_RECIPE.

/** Where the images come from and how they are prepared. */
export interface DataOptions {
  /** "fashion-mnist", "synthetic[:N]", or a path (IDX folder, CIFAR binary folder, image folder). */
  source: string;
  /** Image side for image folders (default 224) and synthetic data (default 32); others keep theirs. */
  imageSize?: number;
  /** Augmentation preset name, "auto" (chosen from the data) or "none"; default "auto". */
  augment?: string;
  /** Data-loading worker threads (0: on the main thread); default 1. */
  workers?: number;
}

/** The run directory: model.safetensors, checkpoint.safetensors, run.json, log.jsonl (or a search's files). */
export interface RunOptions {
  out: string;
  /** Continue the run `out` holds; without it a directory that holds one is refused. Default false. */
  resume?: boolean;
}

/** DataOptions with every default filled in. */
export type ResolvedData = Required<Omit<DataOptions, "imageSize">> & Pick<DataOptions, "imageSize">;

export const DATA_DEFAULTS = { augment: "auto", workers: 1 } as const;

export const resolveData = (d: DataOptions): ResolvedData => ({
  ...d,
  augment: d.augment ?? DATA_DEFAULTS.augment,
  workers: d.workers ?? DATA_DEFAULTS.workers,
});
