// A progress bar with ETA on a TTY (cli-progress, on stderr); silent when output is piped or --json.
import cliProgress from "cli-progress";

export interface Progress {
  update(done: number, total: number, payload?: Record<string, string>): void;
  stop(): void;
}

export function progressBar(label: string, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled) return { update() {}, stop() {} };
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
      const info = Object.entries(payload)
        .map(([k, v]) => `${k} ${v}`)
        .join(" ");
      if (!started) {
        bar.start(total, done, { info });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, { info });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
