// `lithe bench engine`: the ShuffleNet V2 training-step benchmark against PyTorch (bench/engine.ts).
import { type Command, InvalidArgumentError } from "commander";
import { countArch, resolveArch } from "../arch/index.js";
import { nonNegativeInt, positiveInt, positiveNumber, siCount } from "./args.js";
import { layerTable, si } from "./format.js";

interface EngineFlags {
  steps: number;
  warmup: number;
  batchSize: number;
  threads?: number;
  peer: boolean;
  json?: boolean;
}

interface LatencyFlags {
  model: string;
  runtime: string[];
  batch: number[];
  threads?: number;
  warmup: number;
  repeats: number;
  input?: number;
  json?: boolean;
}

interface GuidelinesFlags {
  runtime: string[];
  tables: string[];
  batch: number;
  threads?: number;
  warmup: number;
  repeats: number;
  json?: boolean;
}

const RUNTIMES = ["lithe", "ort-node", "ort-web"] as const;

/** "ort-node", "lithe,ort-web" or "all" -> runtime names (in the order given). */
function runtimeList(value: string): string[] {
  if (value === "all") return [...RUNTIMES];
  const names = value.split(",").map((s) => s.trim());
  const bad = names.find((n) => !(RUNTIMES as readonly string[]).includes(n));
  if (bad !== undefined)
    throw new InvalidArgumentError(`unknown runtime "${bad}" (use ${RUNTIMES.join(", ")} or all)`);
  return names;
}

/** "1" or "1,16" -> positive integers. */
function batchList(value: string): number[] {
  return value.split(",").map((s) => positiveInt(s.trim()));
}

/** "G1,G3" or "all" -> guideline table ids. */
function tableList(value: string): string[] {
  const all = ["G1", "G2", "G3", "G4"];
  if (value === "all") return all;
  const ids = value.split(",").map((s) => s.trim().toUpperCase());
  const bad = ids.find((id) => !all.includes(id));
  if (bad !== undefined) throw new InvalidArgumentError(`unknown table "${bad}" (use G1, G2, G3, G4 or all)`);
  return ids;
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

interface SposFlags {
  out: string;
  data: string;
  stepTimePaths: number;
  supernetEpochs: number;
  limits: string;
  population: number;
  generations: number;
  rankingArchs: number;
  rankingEpochs: number;
  retrainEpochs: number;
}

interface MetaPruningFlags {
  out: string;
  data: string;
  baseWidth: number;
  hidden: number;
  divisor: number;
  pruningNetEpochs: number;
  limits: string;
  population: number;
  generations: number;
  seeds: string;
  retrainEpochs: number;
  rankingArchs: number;
  threads?: number;
  resume?: boolean;
}

export function registerBench(program: Command): void {
  const bench = program
    .command("bench")
    .description("benchmarks that print ratios against a peer measured in the same run");
  bench
    .command("engine")
    .description(
      "ShuffleNet V2 1.0x training step (CIFAR convention: 32x32x3, stride-1 stem, no max-pool, 10 classes) in lithe and in PyTorch",
    )
    .option("--steps <n>", "timed steps", positiveInt, 20)
    .option("--warmup <n>", "untimed warm-up steps", positiveInt, 5)
    .option("--batch-size <n>", "images per step", positiveInt, 64)
    .option("--threads <n>", "intra-op threads for both (default: lithe's default)", positiveInt)
    .option("--no-peer", "skip the PyTorch peer run")
    .option("--json", "print one JSON object")
    .action(async (o: EngineFlags) => {
      const { runEngineBench } = await import("../../bench/engine.js");
      const r = await runEngineBench({
        steps: o.steps,
        warmup: o.warmup,
        batchSize: o.batchSize,
        peer: o.peer,
        ...(o.threads === undefined ? {} : { threads: o.threads }),
      });
      if (o.json) console.log(JSON.stringify(r));
      else
        console.log(
          Object.entries(r)
            .map(([k, v]) => `${k.padEnd(24)} ${v}`)
            .join("\n"),
        );
    });
  bench
    .command("counter")
    .description(
      "analytic counter throughput (SPOS genotypes/s via lookup tables, and full counts/s) and the per-layer table of a model",
    )
    .option("--model <name>", "model whose per-layer table is printed", "shufflenet_v2_x1_0")
    .option("--json", "print one JSON object")
    .action(async (o: { model: string; json?: boolean }) => {
      const { runCounterBench } = await import("../../bench/counter.js");
      const r = runCounterBench();
      const { layers, ...totals } = countArch(resolveArch(o.model));
      if (o.json) {
        console.log(JSON.stringify({ ...r, model: o.model, ...totals, layers }));
        return;
      }
      console.log(layerTable(layers));
      console.log(
        `${o.model}: FLOPs ${si(totals.flops)}, params ${si(totals.params)}, full ops ${si(totals.ops)}, MAC ${si(totals.mac)}`,
      );
      console.log(
        `counter: ${Math.round(r.genotypes_per_s)} SPOS genotypes/s (lookup tables), ${Math.round(r.full_count_per_s)} full counts/s, ${r.speedup.toFixed(0)}x`,
      );
    });
  bench
    .command("train")
    .description(
      "lithe train's loop (loader, augmentation, step) on shufflenet_v2_x1_0 at 32x32, batch 64, vs PyTorch's step; and the data pipeline alone",
    )
    .option("--steps <n>", "training steps timed (the first ones include warm-up)", positiveInt, 80)
    .option("--workers <n>", "loader workers", nonNegativeInt, 1)
    .option("--no-peer", "skip the PyTorch peer run")
    .option("--json", "print one JSON object")
    .action(async (o: { steps: number; workers: number; peer: boolean; json?: boolean }) => {
      const { runTrainBench } = await import("../../bench/train.js");
      const r = await runTrainBench({ steps: o.steps, workers: o.workers, peer: o.peer });
      if (o.json) console.log(JSON.stringify(r));
      else
        console.log(
          Object.entries(r)
            .map(([k, v]) => `${k.padEnd(24)} ${typeof v === "object" && v !== null ? JSON.stringify(v) : v}`)
            .join("\n"),
        );
    });
  bench
    .command("latency")
    .description(
      "inference latency of a model on lithe (BN folded), onnxruntime-node and onnxruntime-web (WASM, headless Chromium): median, p90, ratio to onnxruntime-node",
    )
    .option(
      "--model <name|arch.json>",
      "registered model, string form or description file",
      "shufflenet_v2_x1_0",
    )
    .option("--runtime <names>", "ort-node, ort-web, lithe, a comma list, or all", runtimeList, [...RUNTIMES])
    .option("--batch <n[,n]>", "batch size(s), e.g. 1,16", batchList, [1])
    .option("--threads <n>", "intra-op threads (default: one per core)", positiveInt)
    .option("--warmup <n>", "untimed runs first", nonNegativeInt, 10)
    .option("--repeats <n>", "timed runs", positiveInt, 50)
    .option("--input <n>", "input side in pixels (default: the model's, 224)", positiveInt)
    .option("--json", "print one JSON object")
    .action(async (o: LatencyFlags) => {
      const { formatLatencyBench, runLatencyBench } = await import("../../bench/latency.js");
      const r = await runLatencyBench({
        model: o.model,
        runtimes: o.runtime as (typeof RUNTIMES)[number][],
        batches: o.batch,
        warmup: o.warmup,
        repeats: o.repeats,
        progress,
        ...(o.threads === undefined ? {} : { threads: o.threads }),
        ...(o.input === undefined ? {} : { input: o.input }),
      });
      console.log(o.json ? JSON.stringify(r) : formatLatencyBench(r));
    });
  bench
    .command("guidelines")
    .description(
      "ShuffleNet V2's four guideline micro-benchmarks (Tables 1-4: c1:c2 ratio, groups, fragmentation, element-wise ops) on a runtime, beside the paper's direction",
    )
    .option("--runtime <names>", "ort-node, ort-web, lithe, a comma list, or all", runtimeList, ["ort-node"])
    .option("--tables <ids>", "G1,G2,G3,G4 or a subset", tableList, ["G1", "G2", "G3", "G4"])
    .option("--batch <n>", "batch size", positiveInt, 1)
    .option("--threads <n>", "intra-op threads (default: one per core)", positiveInt)
    .option("--warmup <n>", "untimed runs per configuration", nonNegativeInt, 3)
    .option("--repeats <n>", "timed runs per configuration", positiveInt, 15)
    .option("--json", "print one JSON object")
    .action(async (o: GuidelinesFlags) => {
      const { formatGuidelinesBench, runGuidelinesBench } = await import("../../bench/guidelines.js");
      const r = await runGuidelinesBench({
        runtimes: o.runtime as (typeof RUNTIMES)[number][],
        tables: o.tables as ("G1" | "G2" | "G3" | "G4")[],
        batch: o.batch,
        warmup: o.warmup,
        repeats: o.repeats,
        progress,
        ...(o.threads === undefined ? {} : { threads: o.threads }),
      });
      console.log(o.json ? JSON.stringify(r) : formatGuidelinesBench(r));
    });
  bench
    .command("spos")
    .description(
      "SPOS end to end on Fashion-MNIST (spos_small): supernet vs standalone step time, supernet training, evolution vs random search, Kendall tau of the supernet ranking, retraining the winner",
    )
    .option("--out <dir>", "where the runs and bench-spos.json go", "runs/bench-spos")
    .option("--data <spec>", "dataset (synthetic:N for a quick dry run)", "fashion-mnist")
    .option("--step-time-paths <n>", "sampled paths timed standalone against the supernet", positiveInt, 6)
    .option("--supernet-epochs <n>", "supernet training epochs", positiveInt, 6)
    .option("--limits <a,b>", "the two FLOPs limits", "5M,6.5M")
    .option("--population <n>", "search population", positiveInt, 16)
    .option("--generations <n>", "search generations", positiveInt, 8)
    .option("--ranking-archs <n>", "sampled architectures trained standalone for Kendall tau", positiveInt, 8)
    .option("--ranking-epochs <n>", "epochs of each ranking run", positiveInt, 1)
    .option("--retrain-epochs <n>", "epochs to retrain the winner", positiveInt, 3)
    .action(async (o: SposFlags) => {
      const { runSposBench } = await import("../../bench/spos.js");
      const limits = o.limits.split(",").map(siCount);
      if (limits.length !== 2)
        throw new Error(`--limits: expected two FLOPs limits like 5M,6.5M, got "${o.limits}"`);
      const r = await runSposBench({ ...o, limits: limits as [number, number] });
      console.log(JSON.stringify(r, null, 2));
    });
  bench
    .command("metapruning")
    .description(
      "MetaPruning on Fashion-MNIST (MobileNetV2 space on a narrowed base): PruningNet training, search at two FLOPs budgets, searched widths vs the uniform-width net at the same budget, both retrained from scratch over several seeds",
    )
    .option("--out <dir>", "where the runs and bench-metapruning.json go", "runs/bench-metapruning")
    .option("--data <spec>", "dataset (synthetic:N for a quick dry run)", "fashion-mnist")
    .option("--base-width <x>", "factor on the official 1.4x MobileNetV2 base widths", positiveNumber, 0.5)
    .option("--hidden <n>", "hidden width of the weight generators", positiveInt, 32)
    .option("--divisor <n>", "pruned widths as multiples of n (1: any width, as official)", positiveInt, 1)
    .option("--pruning-net-epochs <n>", "PruningNet training epochs", positiveInt, 4)
    .option("--limits <a,b>", "the two FLOPs budgets", "1M,3M")
    .option("--population <n>", "search population", positiveInt, 12)
    .option("--generations <n>", "search generations", positiveInt, 6)
    .option("--seeds <list>", "seeds of the from-scratch trainings", "1,2")
    .option(
      "--retrain-epochs <n>",
      "epochs of every from-scratch training (same budget and LR schedule for both nets)",
      positiveInt,
      2,
    )
    .option("--threads <n>", "libtorch intra-op threads (default: one per core)", positiveInt)
    .option(
      "--ranking-archs <n>",
      "candidates of the first search retrained for Kendall tau of the PruningNet's ranking (0: skip)",
      nonNegativeInt,
      6,
    )
    .option("--resume", "continue the runs already in --out (finished ones are kept)")
    .action(async (o: MetaPruningFlags) => {
      const { runMetaPruningBench } = await import("../../bench/metapruning.js");
      const limits = o.limits.split(",").map(siCount);
      if (limits.length !== 2)
        throw new Error(`--limits: expected two FLOPs budgets like 1M,3M, got "${o.limits}"`);
      const seeds = o.seeds.split(",").map((s) => nonNegativeInt(s));
      const r = await runMetaPruningBench({
        ...o,
        limits: limits as [number, number],
        seeds,
        resume: o.resume ?? false,
      });
      console.log(JSON.stringify(r, null, 2));
    });
}
