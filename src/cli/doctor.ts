// `lithe doctor`: prints the CPU kind and the engine's setup (libtorch, BLAS, core, threads) and a GEMM speed figure.
import type { Command } from "commander";

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description(
      "show the CPU kind, libtorch version, BLAS library and core, threads, and GEMM speed and correctness",
    )
    .option("--json", "print one JSON object")
    .option("--gemm-size <n>", "matrix size of the GEMM speed test", (v) => Number.parseInt(v, 10), 2048)
    .action(async (o: { json?: boolean; gemmSize: number }) => {
      const { runDoctor } = await import("../engine/index.js");
      const r = runDoctor({ gemmSize: o.gemmSize });
      if (o.json) {
        console.log(JSON.stringify(r));
      } else {
        const core = r.openblasCore
          ? `${r.openblasCore} (chosen by ${r.openblasCoreSource === "none" ? "OpenBLAS" : r.openblasCoreSource})`
          : "n/a";
        console.log(
          [
            `CPU             ${r.cpuModel} (${r.cpuKind}${r.noVnni ? ", no VNNI" : ""})`,
            `libtorch        ${r.torchVersion} (${r.parallelBackend}, CPU capability ${r.cpuCapability})`,
            `BLAS            ${r.blasLibrary ?? "unknown"}`,
            `OpenBLAS core   ${core}, ${r.openblasThreads ?? "?"} BLAS threads`,
            `threads         ${r.threads} (set LITHE_NUM_THREADS to change)`,
            `GEMM ${r.gemmSize}       ${r.gemmGflops.toFixed(1)} GFLOP/s (float32)`,
            `GEMM check      ${r.gemmCorrect ? "ok" : "WRONG"} (max relative error ${r.gemmMaxRelError.toExponential(1)})`,
            ...r.warnings.map((w) => `warning: ${w}`),
          ].join("\n"),
        );
      }
      if (!r.gemmCorrect) process.exitCode = 1;
    });
}
