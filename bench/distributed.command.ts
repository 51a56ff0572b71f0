// `lithe bench distributed`: the declaration of bench/distributed.ts's subcommand (flags, run, printed tables).
import { commaList, positiveInt, positiveNumber } from "../src/cli/args.js";
import { si, table } from "../src/cli/format.js";
import { type BenchCommand, keyValueLines } from "./command.js";

interface DistributedFlags {
  steps: number;
  warmup: number;
  batchSize: number;
  reps: number;
  machines: number[];
  bandwidth?: number;
  latency?: number;
  json?: boolean;
}

const ms = (v: number) => v.toFixed(2);

export const distributedCommand: BenchCommand<DistributedFlags> = {
  name: "distributed",
  description:
    "data-parallel training on c10d: 2 ranks x 1 thread vs 1 process x 2 threads (shufflenet_v2_x0_5, 28x28x1, one global batch), allreduce time and share, allreduce bandwidth by size, and a ring-allreduce projection to more machines",
  flags: [
    { flags: "--steps <n>", help: "timed steps", parse: positiveInt, default: 20 },
    { flags: "--warmup <n>", help: "untimed warm-up steps", parse: positiveInt, default: 3 },
    {
      flags: "--batch-size <n>",
      help: "images per step over all ranks (even)",
      parse: positiveInt,
      default: 128,
    },
    { flags: "--reps <n>", help: "timed allreduces per message size", parse: positiveInt, default: 20 },
    {
      flags: "--machines <list>",
      help: "machine counts of the projection",
      parse: commaList(positiveInt),
      default: "8,16,32,64",
    },
    {
      flags: "--bandwidth <gbit/s>",
      help: "project with this link bandwidth instead of the measured loopback's",
      parse: (v: string) => (positiveNumber(v) * 1e9) / 8,
    },
    {
      flags: "--latency <us>",
      help: "project with this per-message latency instead of the measured loopback's",
      parse: (v: string) => positiveNumber(v) / 1e6,
    },
    { flags: "--json", help: "print one JSON object" },
  ],
  async run(o) {
    const { runDistributedBench } = await import("./distributed.js");
    const r = await runDistributedBench({
      steps: o.steps,
      warmup: o.warmup,
      batchSize: o.batchSize,
      reps: o.reps,
      machines: o.machines,
      ...(o.bandwidth === undefined ? {} : { bandwidth: o.bandwidth }),
      ...(o.latency === undefined ? {} : { latency: o.latency }),
    });
    if (o.json) return JSON.stringify(r);
    const runs = table(
      ["run", "step ms", "img/s", "allreduce ms", "share"],
      [
        ["1 process x 2 threads", ms(r.single.step_ms), r.single.imgs_per_s.toFixed(0), "-", "-"],
        [
          "2 ranks x 1 thread",
          ms(r.ranks.step_ms),
          r.ranks.imgs_per_s.toFixed(0),
          ms(r.ranks.allreduce_ms),
          `${(100 * r.ranks.allreduce_share).toFixed(1)}%`,
        ],
      ],
    );
    const sizes = table(
      ["bytes", "allreduce ms", "model ms", "bandwidth"],
      r.allreduce.map((a) => [
        si(a.bytes),
        ms(a.ms),
        ms(a.predicted_ms),
        a.bandwidth_bytes_per_s === null ? "(latency)" : `${si(a.bandwidth_bytes_per_s)}B/s`,
      ]),
    );
    const projection = table(
      ["machines", "batch/rank", "allreduce ms", "step ms", "img/s", "efficiency"],
      r.projection.map((p) => [
        String(p.machines),
        String(p.per_rank_batch),
        ms(p.allreduce_ms),
        ms(p.step_ms),
        p.imgs_per_s.toFixed(0),
        `${(100 * p.efficiency).toFixed(1)}%`,
      ]),
    );
    const link = `${r.link.source} link: latency ${(1e6 * r.link.latency).toFixed(1)} us, bandwidth ${si(r.link.bandwidth)}B/s (ring allreduce: 2(p-1)/p * bytes / bandwidth + 2(p-1) * latency)`;
    return [
      keyValueLines({
        model: r.model,
        input: r.input,
        global_batch: r.global_batch,
        gradient_bytes: r.gradient_bytes,
        ranks_vs_single: r.ranks_vs_single.toFixed(2),
      }),
      runs,
      "allreduce alone on 2 ranks:",
      sizes,
      link,
      `projection (each rank keeps the measured ${ms(r.ranks.compute_ms)} ms of compute per step):`,
      projection,
    ].join("\n");
  },
};
