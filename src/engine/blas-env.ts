// Picks OpenBLAS's kernel before libtorch loads it. Debian's OpenBLAS 0.3.21 mistakes AVX-512 CPUs
// for "Prescott" and runs a 2048 GEMM at ~15 GFLOP/s instead of ~95+; naming the core fixes that.
// Only applies when the user has not set OPENBLAS_CORETYPE; `lithe doctor` checks GEMM results.
import { readFileSync } from "node:fs";

/** The OpenBLAS core type matching this CPU's flags, or null when there is nothing to correct. */
export function openblasCoreFor(cpuFlags: ReadonlySet<string>): string | null {
  if (["avx512f", "avx512bw", "avx512vl", "avx512dq"].every((f) => cpuFlags.has(f))) return "SkylakeX";
  if (cpuFlags.has("avx2") && cpuFlags.has("fma")) return "Haswell";
  return null;
}

/** The x86 vector kind these flags give, the one that picks GEMM kernels (and so float32 rounding). */
export function cpuKindOf(cpuFlags: ReadonlySet<string>): "AVX-512" | "AVX2" | "no AVX2" {
  if (cpuFlags.has("avx512f")) return "AVX-512";
  return cpuFlags.has("avx2") ? "AVX2" : "no AVX2";
}

/**
 * Whether these flags are an x86 CPU without VNNI (AVX512-VNNI or AVX-VNNI), whose int8 kernels
 * (U8S8 through vpmaddubsw) saturate 16-bit sums on 8-bit weights: 7-bit weights avoid it.
 */
export const x86WithoutVnni = (cpuFlags: ReadonlySet<string>): boolean =>
  cpuFlags.has("sse2") && !cpuFlags.has("avx512_vnni") && !cpuFlags.has("avx_vnni");

export function readCpuFlags(): Set<string> {
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    const line = info.split("\n").find((l) => l.startsWith("flags"));
    return new Set(
      line
        ? line
            .slice(line.indexOf(":") + 1)
            .trim()
            .split(/\s+/)
        : [],
    );
  } catch {
    return new Set();
  }
}

export interface BlasEnvChoice {
  coreType: string | null;
  /** "user" when OPENBLAS_CORETYPE was already set, "lithe" when lithe set it, "none" otherwise. */
  source: "user" | "lithe" | "none";
}

/** Sets OPENBLAS_CORETYPE in this process's environment (read by OpenBLAS when it loads). */
export function configureBlasEnv(env: NodeJS.ProcessEnv = process.env): BlasEnvChoice {
  const preset = env.OPENBLAS_CORETYPE;
  if (preset) return { coreType: preset, source: "user" };
  if (process.platform !== "linux") return { coreType: null, source: "none" };
  const core = openblasCoreFor(readCpuFlags());
  if (!core) return { coreType: null, source: "none" };
  env.OPENBLAS_CORETYPE = core;
  return { coreType: core, source: "lithe" };
}
