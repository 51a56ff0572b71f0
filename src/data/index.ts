// Datasets and their loader: opening what a user names, the formats (IDX, CIFAR, image folders,
// synthetic), hold-out splits, seeded augmentation and the worker-thread batch loader.
export {
  AUGMENT_PRESETS,
  type AugmentPreset,
  type AugmentSpec,
  type AugmentStep,
  augmentPreset,
  type Normalization,
  type PresetOptions,
} from "./augment.js";
export { loadCifar } from "./cifar.js";
export {
  type DatasetView,
  holdoutSplit,
  type ImageDataset,
  makeDataset,
  shared,
  wholeView,
} from "./dataset.js";
export { type IdxArray, readIdx } from "./idx.js";
export { type ImageFolderDataset, type ImageFolderOptions, loadImageFolder } from "./image-folder.js";
export { type Batch, DataLoader, type LoaderOptions, type LoaderStats } from "./loader.js";
export { FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, loadMnistFormat } from "./mnist.js";
export { type DatasetFormat, type OpenedDataset, type OpenOptions, openDataset } from "./open.js";
export { type SyntheticOptions, syntheticDataset } from "./synthetic.js";
