// The batch loader: a seeded per-epoch order over a DatasetView, augmentation on worker threads that
// read the shared pixels, and batches yielded in order, each sample's randomness fixed by its position
// in the whole epoch's order (so a rank of a sharded run draws for an image what one process would).
import { Worker } from "node:worker_threads";
import { Random } from "../util/random.js";
import { type AugmentSpec, augmentedShape, augmentInto } from "./augment.js";
import type { DatasetView } from "./dataset.js";

export interface LoaderOptions {
  /** Images per batch. */
  batchSize: number;
  /** A seeded permutation of the view per epoch (default false: the view's own order). */
  shuffle?: boolean;
  /** Leave out the last, smaller batch (default false). */
  dropLast?: boolean;
  /** The augmentation pipeline, e.g. augmentPreset("cifar"). */
  augment: AugmentSpec;
  /** Seeds the order of every epoch and every sample's random decisions (default 0). */
  seed?: number;
  /** Worker threads that augment (default 1); 0 does the work on the main thread. */
  workers?: number;
  /** Batches queued ahead per worker, like PyTorch's prefetch_factor (default 2). */
  prefetch?: number;
  /** This rank's share of every epoch in a data-parallel run (default: the whole epoch). */
  shard?: Shard;
}

/** A rank's share of an epoch. */
export interface Shard {
  rank: number;
  worldSize: number;
  /**
   * Pad the epoch with its head to a multiple of worldSize, so every rank gets as many images
   * (DistributedSampler; default true, for training). Without it the shares are exact (evaluation).
   */
  pad?: boolean;
}

/**
 * Rank `rank`'s share of an epoch's order, as PyTorch's DistributedSampler takes it: the order padded
 * with its own head to a multiple of worldSize (unless `pad` is false), then every worldSize-th position
 * from `rank`. The shares are disjoint (but for the padding) and their union, interleaved, is the whole order.
 */
export function shardOrder(order: Uint32Array, rank: number, worldSize: number, pad = true): Uint32Array {
  const perRank = shareLength(order.length, rank, worldSize, pad);
  const out = new Uint32Array(perRank);
  for (let i = 0; i < perRank; i++) out[i] = order[(rank + i * worldSize) % order.length] as number;
  return out;
}

/** The length of rank `rank`'s share of an epoch of `length` images (shardOrder). */
const shareLength = (length: number, rank: number, worldSize: number, pad: boolean) =>
  pad ? Math.ceil(length / worldSize) : Math.max(0, Math.ceil((length - rank) / worldSize));

export interface Batch {
  /** [B, C, H, W] */
  x: Float32Array;
  /** [B] class indices */
  y: BigInt64Array;
  shape: [number, number, number, number];
  /** Position of the batch in its epoch. */
  index: number;
}

export interface LoaderStats {
  batches: number;
  /** Seconds the consumer spent waiting for batches. */
  waitSeconds: number;
  /** Seconds from the start of each epoch's iteration to its latest batch, summed over epochs. */
  totalSeconds: number;
  /** waitSeconds / totalSeconds: the data-wait share of step time. */
  waitShare: number;
}

/** What a worker receives once; pixels stay in the dataset's SharedArrayBuffer. */
export interface WorkerInit {
  pixels: Uint8Array;
  shape: [number, number, number];
  /** [C, H, W] after augmentation. */
  outShape: [number, number, number];
  spec: AugmentSpec;
  seed: number;
}

/**
 * One batch of work: dataset indices of the samples at positions first.. of this rank's share of the
 * epoch, the i-th of which is at position offset + i * stride of the whole epoch's order.
 */
export interface Job {
  id: number;
  epoch: number;
  first: number;
  indices: Uint32Array;
  offset: number;
  stride: number;
}

export type JobResult = { id: number; x: ArrayBuffer } | { id: number; error: string };

/** A 32-bit seed from integers: murmur3's finaliser chained over them (a bijection at each step). */
function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h, 0x01000193) ^ (part >>> 0);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

const ORDER_STREAM = 1;
const SAMPLE_STREAM = 2;

/** The augmented [B, C', H', W'] batch of a job; the same on any thread. */
export function fillBatch(init: WorkerInit, job: Job): Float32Array {
  const inSize = init.shape[0] * init.shape[1] * init.shape[2];
  const outSize = init.outShape[0] * init.outShape[1] * init.outShape[2];
  const x = new Float32Array(job.indices.length * outSize);
  job.indices.forEach((k, i) => {
    const position = job.offset + (job.first + i) * job.stride;
    const random = new Random(deriveSeed(SAMPLE_STREAM, init.seed, job.epoch, position));
    augmentInto(
      init.spec,
      init.pixels.subarray(k * inSize, (k + 1) * inSize),
      init.shape,
      random,
      x,
      i * outSize,
    );
  });
  return x;
}

/** Worker threads that run jobs; a worker holds the process open only while it has work. */
class WorkerPool {
  readonly #workers: { worker: Worker; busy: number }[];
  readonly #pending = new Map<number, { resolve: (x: Float32Array) => void; reject: (e: Error) => void }>();
  #failure: Error | null = null;
  #stopped: Promise<unknown> = Promise.resolve();

  constructor(count: number, init: WorkerInit) {
    const script = new URL("./loader-worker.js", import.meta.url);
    this.#workers = Array.from({ length: count }, () => {
      // execArgv []: the parent's flags (e.g. --input-type) may be invalid in a worker, and none are needed
      const slot = { worker: new Worker(script, { workerData: init, execArgv: [] }), busy: 0 };
      slot.worker.unref();
      slot.worker.on("message", (r: JobResult) => {
        // once stopped, a late result must not unref: terminate() refs the worker until it has exited
        if (--slot.busy === 0 && !this.#failure) slot.worker.unref();
        const waiter = this.#pending.get(r.id);
        this.#pending.delete(r.id);
        if ("error" in r) waiter?.reject(new Error(`data loader worker: ${r.error}`));
        else waiter?.resolve(new Float32Array(r.x));
      });
      slot.worker.on("error", (e) => this.#stop(new Error(`data loader worker failed: ${e.message}`)));
      slot.worker.on("exit", (code) => this.#stop(new Error(`data loader worker exited (code ${code})`)));
      return slot;
    });
  }

  /** Stops the pool for good: rejects what is pending and terminates every worker. */
  #stop(error: Error): Promise<unknown> {
    if (!this.#failure) {
      this.#failure = error;
      this.#stopped = Promise.all(this.#workers.map((s) => s.worker.terminate()));
    }
    for (const waiter of this.#pending.values()) waiter.reject(this.#failure);
    this.#pending.clear();
    return this.#stopped;
  }

  /** Runs the job on the least busy worker. */
  run(job: Job): Promise<Float32Array> {
    if (this.#failure) return Promise.reject(this.#failure);
    const slot = this.#workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    if (slot.busy++ === 0) slot.worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(job.id, { resolve, reject });
      slot.worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    await this.#stop(new Error("data loader is closed"));
  }
}

export class DataLoader {
  readonly batchesPerEpoch: number;
  /** [C, H, W] of the augmented samples. */
  readonly sampleShape: [number, number, number];
  readonly #view: DatasetView;
  readonly #where: string;
  readonly #batchSize: number;
  readonly #shuffle: boolean;
  readonly #shard: Shard | undefined;
  readonly #workers: number;
  readonly #ahead: number;
  readonly #init: WorkerInit;
  #pool: WorkerPool | null = null;
  #closed = false;
  #nextJob = 0;
  readonly #stats = { batches: 0, waitSeconds: 0, totalSeconds: 0 };

  constructor(view: DatasetView, options: LoaderOptions) {
    const d = view.dataset;
    const where = `data loader (${d.source})`;
    const { batchSize, shuffle = false, dropLast = false, seed = 0, workers = 1, prefetch = 2 } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`${where}: batch size ${batchSize} is not a positive integer`);
    if (!Number.isInteger(workers) || workers < 0)
      throw new Error(`${where}: workers ${workers} is not an integer >= 0`);
    if (!Number.isInteger(prefetch) || prefetch < 1)
      throw new Error(`${where}: prefetch ${prefetch} is not a positive integer`);
    if (!Number.isInteger(seed)) throw new Error(`${where}: seed ${seed} is not an integer`);
    const shard = options.shard;
    if (shard && !(Number.isInteger(shard.rank) && shard.rank >= 0 && shard.rank < shard.worldSize))
      throw new Error(`${where}: shard rank ${shard.rank} is outside 0..${shard.worldSize - 1}`);
    const n = shard
      ? shareLength(view.indices.length, shard.rank, shard.worldSize, shard.pad ?? true)
      : view.indices.length;
    this.batchesPerEpoch = dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
    if (this.batchesPerEpoch === 0) throw new Error(`${where}: ${n} images make no batch of ${batchSize}`);
    const shape: [number, number, number] = [d.channels, d.height, d.width];
    this.sampleShape = augmentedShape(options.augment, shape, where);
    // Workers must see the pixels without copies: move a dataset built on a plain buffer once.
    let pixels = d.pixels;
    if (workers > 0 && !(pixels.buffer instanceof SharedArrayBuffer)) {
      pixels = new Uint8Array(new SharedArrayBuffer(pixels.length));
      pixels.set(d.pixels);
    }
    this.#init = { pixels, shape, outShape: this.sampleShape, spec: structuredClone(options.augment), seed };
    this.#view = view;
    this.#where = where;
    this.#batchSize = batchSize;
    this.#shuffle = shuffle;
    this.#shard = shard;
    this.#workers = workers;
    this.#ahead = workers === 0 ? 1 : workers * prefetch;
  }

  /** Dataset indices in the order of `epoch` (a seeded permutation of the view when shuffling; this rank's share when sharded). */
  order(epoch: number): Uint32Array {
    const { indices } = this.#view;
    const whole = this.#shuffle
      ? new Random(deriveSeed(ORDER_STREAM, this.#init.seed, epoch))
          .permutation(indices.length)
          .map((i) => indices[i] as number)
      : indices;
    const s = this.#shard;
    return s ? shardOrder(whole, s.rank, s.worldSize, s.pad) : whole;
  }

  /**
   * The batches of `epoch` from `startBatch` on, in order; a resumed run passing the number of batches
   * already consumed gets exactly the rest (same order, same per-sample augmentation).
   */
  async *epoch(epoch: number, startBatch = 0): AsyncGenerator<Batch> {
    if (this.#closed) throw new Error(`${this.#where}: epoch() after close()`);
    if (!Number.isInteger(epoch) || epoch < 0)
      throw new Error(`${this.#where}: epoch ${epoch} is not an integer >= 0`);
    if (!Number.isInteger(startBatch) || startBatch < 0 || startBatch > this.batchesPerEpoch) {
      throw new Error(`${this.#where}: start batch ${startBatch} is outside 0..${this.batchesPerEpoch}`);
    }
    const order = this.order(epoch);
    const labels = this.#view.dataset.labels;
    const jobOf = (b: number): Job => {
      const first = b * this.#batchSize;
      const indices = order.slice(first, first + this.#batchSize);
      const [offset, stride] = this.#shard ? [this.#shard.rank, this.#shard.worldSize] : [0, 1];
      return { id: this.#nextJob++, epoch, first, indices, offset, stride };
    };
    const start = (b: number): Promise<Float32Array> => {
      if (this.#closed) throw new Error(`${this.#where}: iterated after close()`);
      const job = jobOf(b);
      if (this.#workers === 0) return Promise.resolve(fillBatch(this.#init, job));
      this.#pool ??= new WorkerPool(this.#workers, this.#init);
      const pending = this.#pool.run(job);
      pending.catch(() => {}); // observed when awaited; batches abandoned by a consumer's break are dropped
      return pending;
    };
    const inFlight = new Map<number, Promise<Float32Array>>();
    let next = startBatch;
    let mark = performance.now();
    for (let b = startBatch; b < this.batchesPerEpoch; b++) {
      const asked = performance.now();
      for (; next < this.batchesPerEpoch && next < b + this.#ahead; next++) inFlight.set(next, start(next));
      const x = await (inFlight.get(b) as Promise<Float32Array>);
      inFlight.delete(b);
      const ready = performance.now();
      this.#stats.batches++;
      this.#stats.waitSeconds += (ready - asked) / 1000;
      this.#stats.totalSeconds += (ready - mark) / 1000;
      mark = ready;
      const first = b * this.#batchSize;
      const size = Math.min(this.#batchSize, order.length - first);
      const y = new BigInt64Array(size);
      for (let i = 0; i < size; i++) y[i] = BigInt(labels[order[first + i] as number] as number);
      yield { x, y, shape: [size, ...this.sampleShape], index: b };
    }
  }

  /** Cumulative over every epoch iterated so far. */
  stats(): LoaderStats {
    const s = this.#stats;
    return { ...s, waitShare: s.totalSeconds > 0 ? s.waitSeconds / s.totalSeconds : 0 };
  }

  /** Terminates the workers; iterating after close() is an error. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#pool?.close();
    this.#pool = null;
  }
}
