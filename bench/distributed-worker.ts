// One process of `lithe bench distributed` (bench/distributed.ts starts it): shufflenet_v2_x0_5 with the
// small stem on Fashion-MNIST-shaped random batches (1x28x28, 10 classes), SGD steps timed with the
// gradient allreduce (src/dist buckets) timed apart; on 2 ranks, then allreduces of several sizes alone.
// Joins the run from the environment (WORLD_SIZE unset: the single-process peer, no collectives).
// argv[2]: JSON of WorkerSettings; prints one JSON line of WorkerResult.
import { resolveArch } from "../src/arch/index.js";
import { allreduceGradients, broadcastFromRank0, fromEnv, type ProcessGroup } from "../src/dist/index.js";
import { manualSeed, randint, randn, type Tensor, zeros } from "../src/engine/index.js";
import { buildModel } from "../src/models/index.js";
import { SGD } from "../src/train/sgd.js";
import { trainStep } from "../src/train/step.js";

export interface WorkerSettings {
  /** Images per step on this process. */
  batch: number;
  warmup: number;
  steps: number;
  /** Allreduce sizes timed alone, as multiples of the gradients' size (distributed only; one element is always timed too). */
  sizeFactors: number[];
  /** Timed allreduces per size. */
  reps: number;
}

export interface WorkerResult {
  rank: number;
  /** Float32 elements of the model's gradients. */
  gradientElements: number;
  meanStepMs: number;
  /** Of meanStepMs: the gradient allreduce (waiting for the slower rank included). */
  meanAllreduceMs: number;
  /** Mean seconds of one allreduce of each size alone, smallest (one element) first. */
  allreduceSeconds: { elements: number; seconds: number }[];
}

const now = () => performance.now();

function timeAllreduce(pg: ProcessGroup, elements: number, reps: number): number {
  const t = zeros([elements]);
  pg.wait(pg.allreduce([t]), "warm-up allreduce");
  pg.wait(pg.barrier(), "barrier");
  const start = now();
  for (let i = 0; i < reps; i++) pg.wait(pg.allreduce([t]), "timed allreduce");
  const seconds = (now() - start) / 1000 / reps;
  t.dispose();
  return seconds;
}

const settings = JSON.parse(process.argv[2] ?? "{}") as WorkerSettings;
try {
  const pg = fromEnv({ timeoutMs: 60_000 });
  manualSeed(1);
  const model = buildModel(
    resolveArch("shufflenet_v2_x0_5", { classes: 10, inChannels: 1, inputSize: 28, stem: "small" }),
  );
  if (pg) broadcastFromRank0(pg, model.parameters());
  const optimizer = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9, weightDecay: 4e-5 });
  const x = randn([settings.batch, 1, 28, 28]);
  const y = randint(0, 10, [settings.batch], "int64");
  let allreduceMs = 0;
  const afterBackward = pg
    ? () => {
        const start = now();
        allreduceGradients(pg, optimizer.params());
        allreduceMs += now() - start;
      }
    : null;
  for (let i = 0; i < settings.warmup; i++) trainStep(model, optimizer, x, y, { afterBackward });
  if (pg) pg.wait(pg.barrier(), "barrier");
  allreduceMs = 0;
  const start = now();
  for (let i = 0; i < settings.steps; i++) trainStep(model, optimizer, x, y, { afterBackward });
  const meanStepMs = (now() - start) / settings.steps;
  const gradientElements = model.parameters().reduce((n, p: Tensor) => n + p.numel, 0);
  const allreduceSeconds = pg
    ? [1, ...settings.sizeFactors.map((f) => Math.max(1, Math.round(f * gradientElements)))].map(
        (elements) => ({ elements, seconds: timeAllreduce(pg, elements, settings.reps) }),
      )
    : [];
  const result: WorkerResult = {
    rank: pg?.rank ?? 0,
    gradientElements,
    meanStepMs,
    meanAllreduceMs: allreduceMs / settings.steps,
    allreduceSeconds,
  };
  console.log(JSON.stringify(result));
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
