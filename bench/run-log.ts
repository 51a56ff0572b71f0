// What the benchmarks read back from a training run's log.jsonl: its lines of one type (epoch lines, so
// a resumed benchmark reports the training done before it was interrupted; the summary, so a finished
// run is read back instead of trained again).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The parsed lines of `type` in `run`/log.jsonl, in order; none if the run has no log yet. */
export function logLinesOf<T>(run: string, type: "epoch" | "summary"): T[] {
  const log = join(run, "log.jsonl");
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l.includes(`"type":"${type}"`))
    .map((l) => JSON.parse(l) as T);
}

/** Total seconds and train top-1 per epoch of a (supernet, PruningNet or standalone) training run. */
export function epochFigures(run: string): { seconds: number; train_top1_per_epoch: number[] } {
  const epochs = logLinesOf<{ seconds: number; train_top1: number }>(run, "epoch");
  return {
    seconds: epochs.reduce((s, e) => s + e.seconds, 0),
    train_top1_per_epoch: epochs.map((e) => e.train_top1),
  };
}
