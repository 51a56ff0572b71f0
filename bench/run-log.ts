// What the benchmarks read back from a training run's log.jsonl: its epoch lines (so a resumed
// benchmark reports the training done before it was interrupted).
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Total seconds and train top-1 per epoch of a (supernet, PruningNet or standalone) training run. */
export function epochFigures(run: string): { seconds: number; train_top1_per_epoch: number[] } {
  const epochs = readFileSync(join(run, "log.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.includes('"type":"epoch"'))
    .map((l) => JSON.parse(l) as { seconds: number; train_top1: number });
  return {
    seconds: epochs.reduce((s, e) => s + e.seconds, 0),
    train_top1_per_epoch: epochs.map((e) => e.train_top1),
  };
}
