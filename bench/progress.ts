// Progress of a long bench on stderr (its stdout holds the result): a line when a phase starts,
// "[bench spos 12:03:04] supernet: 6 epochs", and within a phase (a training, a search) the commands'
// progress (src/cli/progress.ts: a bar on a terminal, else a plain line at most every
// LITHE_PROGRESS_SECONDS and at the phase's end), a line per layer of a channel pruning; nothing with
// --quiet.

import { candidateProgress } from "../src/cli/one-shot.js";
import { type Progress, progressBar } from "../src/cli/progress.js";
import { trainProgress } from "../src/cli/train.js";
import type { LayerReport } from "../src/prune/channel-layer.js";
import type { Candidate } from "../src/search/search-state.js";
import type { ProgressEvent } from "../src/train/trainer.js";
import { isQuiet, progress } from "./command.js";

export interface BenchProgress {
  /** A phase starts. */
  log(message: string): void;
  /** The onProgress of a training. */
  training(label: string): (e: ProgressEvent) => void;
  /** The onCandidate of a search. */
  search(label: string): (c: Candidate, done: number, total: number) => void;
  /** The onLayer of a channel pruning: a line per pruned layer. */
  layer(label: string): (r: LayerReport) => void;
}

/** A progress that stops (ends its bar) when it reaches its total, so the next phase's log line is clean. */
function phase(label: string, unit: string): Progress {
  const bar = progressBar(label, { quiet: isQuiet(), unit });
  return {
    update(done, total, payload) {
      bar.update(done, total, payload);
      if (done >= total) bar.stop();
    },
    stop: () => bar.stop(),
  };
}

export function benchProgress(name: string): BenchProgress {
  return {
    log: (message) => progress(`[bench ${name} ${new Date().toISOString().slice(11, 19)}] ${message}`),
    training: (label) => trainProgress(phase(label, "step")),
    search: (label) => candidateProgress(phase(label, "candidate")),
    layer: (label) => (r) =>
      progress(
        `${label} ${r.layer}: ${r.kept}/${r.channels} input channels kept, relative error ${r.reconstructedError.toFixed(4)}`,
      ),
  };
}
