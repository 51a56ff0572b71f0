// The latency harness: warm-up runs, then timed repeats of a prepared Runner, reduced to median, p90,
// mean and min in milliseconds; and the machine a measurement was taken on. A runner that can time
// itself where it runs (ort-web times inside the page, so the DevTools round trip of each call is not
// counted) implements SelfTimedRunner; every other runner is timed here around `await run()`.
import { readFileSync } from "node:fs";
import { arch, availableParallelism, cpus, release, type } from "node:os";
import type { LatencyStats, Runner } from "./types.js";

export interface MeasureOptions {
  /** Untimed runs first (caches, lazy allocations, JIT). */
  warmup: number;
  /** Timed runs. */
  repeats: number;
  /** Clock in ms (default performance.now); tests pass a fake one. */
  now?: () => number;
}

/** A runner that times `repeats` runs itself after `warmup` untimed ones, returning each run's ms. */
export interface SelfTimedRunner extends Runner {
  times(warmup: number, repeats: number): Promise<number[]>;
}

const isSelfTimed = (r: Runner): r is SelfTimedRunner =>
  typeof (r as Partial<SelfTimedRunner>).times === "function";

/** Quantile q of ascending `sorted` with linear interpolation between ranks (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error("quantile: no samples");
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  return a + ((sorted[hi] as number) - a) * (pos - lo);
}

/** Statistics of the timed runs `times` (ms). */
export function latencyStats(times: readonly number[], warmup: number): LatencyStats {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    medianMs: quantile(sorted, 0.5),
    p90Ms: quantile(sorted, 0.9),
    meanMs: sorted.reduce((s, t) => s + t, 0) / sorted.length,
    minMs: sorted[0] as number,
    warmup,
    repeats: sorted.length,
  };
}

/** Runs `runner` `warmup` times untimed, then `repeats` times timed. */
export async function measureLatency(runner: Runner, o: MeasureOptions): Promise<LatencyStats> {
  if (!Number.isInteger(o.warmup) || o.warmup < 0)
    throw new Error(`measureLatency: warmup must be a non-negative integer, got ${o.warmup}`);
  if (!Number.isInteger(o.repeats) || o.repeats < 1)
    throw new Error(`measureLatency: repeats must be a positive integer, got ${o.repeats}`);
  if (isSelfTimed(runner) && !o.now) return latencyStats(await runner.times(o.warmup, o.repeats), o.warmup);
  const now = o.now ?? (() => performance.now());
  for (let i = 0; i < o.warmup; i++) await runner.run();
  const times: number[] = [];
  for (let i = 0; i < o.repeats; i++) {
    const start = now();
    await runner.run();
    times.push(now() - start);
  }
  return latencyStats(times, o.warmup);
}

export interface MachineInfo {
  /** CPU model name, e.g. "AMD EPYC 7B13". */
  cpu: string;
  /** Cores this process may use. */
  cores: number;
  /** e.g. "Linux 6.1.0-18-amd64 x64". */
  os: string;
  node: string;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m?.[1]) return m[1].trim();
  } catch {
    // not Linux: fall back to what Node reports
  }
  return cpus()[0]?.model.trim() || "unknown";
}

export function machineInfo(): MachineInfo {
  return {
    cpu: cpuModel(),
    cores: availableParallelism(),
    os: `${type()} ${release()} ${arch()}`,
    node: process.version,
  };
}
