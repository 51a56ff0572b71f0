// `lithe bench latency` and `lithe bench guidelines` on the command line: bad flags fail with one
// line; a tiny run at two batch sizes prints, per runtime and batch, what was asked for (input,
// threads, warm-up and repeats), positive finite statistics, and a ratio equal to its median over
// onnxruntime-node's median at the same batch in the same output (timing values are not checked).
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { describe, it } from "node:test";
import type { LatencyStats } from "../../src/latency/types.js";
import { fails, lithe } from "../cli/run-cli.js";

/** `lithe bench latency` of shufflenet_v2_x0_5 at 32 px on ort-node and lithe, one thread, 1 + 2 runs, JSON. */
const benchLatency = (more: readonly string[]) =>
  lithe([
    ...["bench", "latency", "--model", "shufflenet_v2_x0_5", "--input", "32", "--runtime", "ort-node,lithe"],
    ...["--warmup", "1", "--repeats", "2", "--threads", "1", "--json", ...more],
  ]);

describe("lithe bench latency / guidelines", () => {
  it("refuses bad flags with one line", () => {
    fails(["bench", "latency", "--runtime", "nope"], /--runtime.*unknown runtime "nope"/);
    fails(["bench", "latency", "--batch", "1,x"], /--batch.*positive integer/);
    fails(["bench", "latency", "--repeats", "0"], /--repeats.*positive integer/);
    fails(["bench", "latency", "--model", "no_such_model"], /no_such_model/);
    fails(["bench", "guidelines", "--tables", "G5"], /--tables.*unknown table "G5"/);
    fails(["bench", "guidelines", "--runtime", "tflite"], /--runtime.*unknown runtime "tflite"/);
  });

  it("measures a small model on ort-node and lithe with ratios and metadata", () => {
    const r = benchLatency(["--batch", "1,2"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      model: string;
      input: { c: number; h: number; w: number };
      threads: number;
      machine: { cpu: string; cores: number };
      rows: {
        runtime: string;
        batch: number;
        version: string;
        ratioToOrtNode: number;
        stats: LatencyStats;
      }[];
    };
    assert.match(out.model, /shufflenet_v2\(width=0.5,inputSize=32/);
    assert.deepEqual(out.input, { c: 3, h: 32, w: 32 });
    assert.equal(out.threads, 1);
    assert.equal(out.machine.cores, availableParallelism());
    assert.deepEqual(
      out.rows.map((row) => [row.runtime, row.batch]),
      [
        ["ort-node", 1],
        ["ort-node", 2],
        ["lithe", 1],
        ["lithe", 2],
      ],
    );
    for (const row of out.rows) {
      assert.match(
        row.version,
        row.runtime === "lithe" ? /^libtorch \d+\.\d+/ : /^onnxruntime-node \d+\.\d+/,
      );
      assert.deepEqual([row.stats.warmup, row.stats.repeats], [1, 2], row.runtime);
      const { medianMs, p90Ms, meanMs, minMs } = row.stats;
      for (const ms of [medianMs, p90Ms, meanMs, minMs])
        assert.ok(ms > 0 && Number.isFinite(ms), `${row.runtime}: ${JSON.stringify(row.stats)}`);
      // the ratio is to onnxruntime-node's median at the same batch, as printed in the same output
      const peer = out.rows.find((p) => p.runtime === "ort-node" && p.batch === row.batch);
      assert.equal(row.ratioToOrtNode, row.stats.medianMs / (peer?.stats.medianMs as number), row.runtime);
    }
  });

  it("with --int8 times the QDQ form on ONNX Runtime too, with its ratio to the same runtime's fp32", () => {
    const r = benchLatency(["--batch", "2", "--int8"]);
    assert.equal(r.code, 0, r.stderr);
    const rows = (
      JSON.parse(r.stdout) as {
        rows: {
          runtime: string;
          precision: string;
          setup: string;
          ratioToFp32?: number;
          stats: LatencyStats;
        }[];
      }
    ).rows;
    assert.deepEqual(
      rows.map((row) => [row.runtime, row.precision]),
      [
        ["ort-node", "fp32"],
        ["ort-node", "int8"],
        ["lithe", "fp32"],
      ],
      "int8 on ONNX Runtime only",
    );
    const [fp32, int8] = rows;
    assert.match(int8?.setup as string, /int8 QDQ/);
    assert.equal(int8?.ratioToFp32, (int8?.stats.medianMs as number) / (fp32?.stats.medianMs as number));
  });
});
