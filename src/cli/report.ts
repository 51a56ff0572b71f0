// `lithe report`: one self-contained HTML page of runs and model cards.
import type { Command } from "commander";

export function registerReport(program: Command): void {
  program
    .command("report")
    .description(
      "write one self-contained HTML page (opens offline) charting lithe runs (trainings, supernet/PruningNet trainings, searches), model cards of descriptions, latency predictors and bench JSON",
    )
    .argument(
      "<input...>",
      "run directories of lithe train, supernet train, prune train, search, prune search; arch.json files; registered model names; latency tables and latency models; bench JSON (bench-*.json files or their directories, `lithe bench guidelines --json` output saved to a file)",
    )
    .option("--out <file>", "the HTML file to write", "report.html")
    .action(async (dirs: string[], o: { out: string }) => {
      const { writeReport } = await import("../report/index.js");
      const r = writeReport(dirs, o.out);
      for (const w of r.warnings) console.error(`lithe: warning: ${w}`);
      console.log(`${r.out}: report of ${r.runs} run${r.runs === 1 ? "" : "s"}`);
    });
}
