// Progress of a long command on stderr: a bar with ETA on a terminal (cli-progress); where stderr is a
// log or a pipe, a plain line at most every LITHE_PROGRESS_SECONDS (default 10) and at the end, with
// the rate and ETA; nothing with --quiet.
import cliProgress from "cli-progress";

export interface Progress {
  update(done: number, total: number, payload?: Record<string, string>): void;
  stop(): void;
}

export interface ProgressOptions {
  /** No output at all (--quiet). */
  quiet?: boolean;
  /** The command prints JSON at the end: no bar (lines still go to stderr). */
  json?: boolean;
  /** What the rate counts: "step", "candidate", "img" ... */
  unit?: string;
  /** Units per `done` (images per step for "img"); default 1. */
  per?: number;
}

/** "1h 02m", "3m 05s", "42s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

const info = (payload: Record<string, string>) =>
  Object.entries(payload)
    .map(([k, v]) => `${k} ${v}`)
    .join(" ");

/**
 * Plain progress lines: one when `intervalMs` has passed since the last (counted from the first update)
 * and one at the end (done === total), e.g. "train 120/480 25% | epoch 1 loss 1.234 | 8.1 step/s | ETA 44s".
 */
export function progressLines(
  label: string,
  o: { unit?: string; per?: number; intervalMs: number; now?: () => number; write?: (line: string) => void },
): Progress {
  const now = o.now ?? (() => performance.now());
  const write = o.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  let start: { at: number; done: number } | undefined;
  let last = Number.NEGATIVE_INFINITY;
  let lastDone = -1;
  return {
    update(done, total, payload = {}) {
      const t = now();
      if (!start) {
        start = { at: t, done };
        last = t;
        if (done < total) return;
      }
      if (done < total && t - last < o.intervalMs) return;
      if (done === lastDone) return;
      last = t;
      lastDone = done;
      const rate = (done - start.done) / Math.max(1e-9, (t - start.at) / 1000);
      const eta = done < total && rate > 0 ? ` | ETA ${formatDuration((total - done) / rate)}` : "";
      const unitRate = rate * (o.per ?? 1);
      const details = info(payload);
      write(
        `${label} ${done}/${total} ${Math.floor((100 * done) / Math.max(1, total))}%${details ? ` | ${details}` : ""} | ${unitRate.toFixed(1)} ${o.unit ?? "it"}/s${eta}`,
      );
    },
    stop() {},
  };
}

function progressBarOnTerminal(label: string): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted} | {info}`,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, payload = {}) {
      if (!started) {
        bar.start(total, done, { info: info(payload) });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, { info: info(payload) });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Seconds between plain progress lines: LITHE_PROGRESS_SECONDS if set, else 10. */
export function progressInterval(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.LITHE_PROGRESS_SECONDS);
  return Number.isFinite(fromEnv) && fromEnv >= 0 && env.LITHE_PROGRESS_SECONDS !== "" ? fromEnv : 10;
}

/** The progress a command shows: a bar on a terminal, plain lines elsewhere, nothing when quiet. */
export function progressBar(label: string, o: ProgressOptions = {}): Progress {
  if (o.quiet) return { update() {}, stop() {} };
  if (process.stderr.isTTY === true && !o.json) return progressBarOnTerminal(label);
  return progressLines(label, {
    ...(o.unit ? { unit: o.unit } : {}),
    ...(o.per ? { per: o.per } : {}),
    intervalMs: 1000 * progressInterval(),
  });
}
