// `lithe doctor`: what the engine runs on (libtorch, BLAS and its core, threads) plus a GEMM speed
// figure and a GEMM correctness check, so a slow or broken setup is visible at once.
import { realpathSync } from "node:fs";
import { cpus } from "node:os";
import { noGrad } from "./autograd.js";
import { cpuKindOf, readCpuFlags, x86WithoutVnni } from "./blas-env.js";
import { type BuildInfo, buildInfo, getNumThreads } from "./runtime.js";
import { tidy } from "./scope.js";
import { randn, type Tensor, tensor } from "./tensor.js";

export interface DoctorReport {
  cpuModel: string;
  /** "AVX-512", "AVX2" (AVX2 without AVX-512) or "no AVX2": the CPU kinds the test suite must pass on. */
  cpuKind: string;
  /** An x86 CPU without VNNI: lithe quantize keeps weights on 7 bits by default there. */
  noVnni: boolean;
  torchVersion: string;
  blasLibrary: string | null;
  openblasCore: string | null;
  /** Who chose the OpenBLAS core: "user" (OPENBLAS_CORETYPE was set), "lithe" or "none" (OpenBLAS's own pick). */
  openblasCoreSource: string;
  openblasThreads: number | null;
  threads: number;
  cpuCapability: string;
  parallelBackend: string;
  gemmSize: number;
  gemmGflops: number;
  /** Largest relative error of a float32 GEMM against a float64 reference computed in JS. */
  gemmMaxRelError: number;
  gemmCorrect: boolean;
  warnings: string[];
}

/** Best-of-`repeats` GFLOP/s of an n x n float32 matrix product. */
export function measureGemmGflops(n: number, repeats = 5): number {
  return tidy(() =>
    noGrad(() => {
      const a = randn([n, n]);
      const b = randn([n, n]);
      a.matmul(b).sum().item();
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < repeats; i++) {
        const start = process.hrtime.bigint();
        tidy(() => a.matmul(b).sum().item());
        best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
      }
      return (2 * n ** 3) / best / 1e9;
    }),
  );
}

/** Multiplies random [m, k] x [k, n] float32 matrices on the engine and in float64 JS; max relative error. */
export function gemmMaxRelativeError(m = 96, k = 80, n = 72): number {
  return tidy(() => {
    const a: Tensor = randn([m, k]);
    const b: Tensor = randn([k, n]);
    const got = a.matmul(b).toList();
    const av = a.toList();
    const bv = b.toList();
    let worst = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let exact = 0;
        let scale = 0;
        for (let p = 0; p < k; p++) {
          const term = (av[i * k + p] as number) * (bv[p * n + j] as number);
          exact += term;
          scale += Math.abs(term);
        }
        worst = Math.max(worst, Math.abs((got[i * n + j] as number) - exact) / scale);
      }
    }
    // A single linear layer exercises the same path (addmm); make sure it agrees too.
    const x = tensor([[1, 2, 3]]);
    const w = tensor([
      [1, 0, 1],
      [0, 1, 0],
    ]);
    const y = x.matmul(w.transpose(0, 1)).toList();
    if (y[0] !== 4 || y[1] !== 2) worst = Math.max(worst, 1);
    return worst;
  });
}

function describeBlas(info: BuildInfo): string | null {
  const library = info.blas?.library;
  if (!library) return null;
  try {
    return realpathSync(library);
  } catch {
    return library;
  }
}

export function runDoctor({ gemmSize = 2048 } = {}): DoctorReport {
  const info = buildInfo();
  const gemmGflops = measureGemmGflops(gemmSize);
  const gemmMaxRelError = gemmMaxRelativeError();
  const blasLibrary = describeBlas(info);
  const warnings: string[] = [];
  const gemmCorrect = gemmMaxRelError < 1e-5;
  if (!gemmCorrect) {
    warnings.push(
      `GEMM results are wrong (relative error ${gemmMaxRelError.toExponential(2)}); unset OPENBLAS_CORETYPE or pick another core`,
    );
  }
  if (info.blasInfo === "generic" && !info.blas?.openblasCore) {
    warnings.push(
      "libtorch uses the reference BLAS (about 30x slower); install OpenBLAS: apt-get install libopenblas0",
    );
  }
  if (info.blas?.openblasCore === "Prescott") {
    warnings.push(
      "OpenBLAS runs its generic Prescott kernels; set OPENBLAS_CORETYPE to your CPU (e.g. SkylakeX, Haswell)",
    );
  }
  return {
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    cpuKind: cpuKindOf(readCpuFlags()),
    noVnni: x86WithoutVnni(readCpuFlags()),
    torchVersion: info.torchVersion,
    blasLibrary,
    openblasCore: info.blas?.openblasCore ?? null,
    openblasCoreSource: info.openblasCoreSource,
    openblasThreads: info.blas?.openblasThreads ?? null,
    threads: getNumThreads(),
    cpuCapability: info.cpuCapability,
    parallelBackend: info.parallelBackend,
    gemmSize,
    gemmGflops,
    gemmMaxRelError,
    gemmCorrect,
    warnings,
  };
}
