// `lithe bench latency` and `lithe bench guidelines` on the command line: bad flags fail with one
// line; a tiny run prints a table per runtime (timing values are not checked).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fails, lithe } from "../cli/run-cli.js";

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
    const r = lithe([
      ...[
        "bench",
        "latency",
        "--model",
        "shufflenet_v2_x0_5",
        "--input",
        "32",
        "--runtime",
        "ort-node,lithe",
      ],
      ...["--warmup", "1", "--repeats", "2", "--threads", "1", "--json"],
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      model: string;
      machine: { cpu: string; cores: number };
      rows: {
        runtime: string;
        batch: number;
        version: string;
        ratioToOrtNode: number;
        stats: { medianMs: number };
      }[];
    };
    assert.match(out.model, /shufflenet_v2\(width=0.5,inputSize=32/);
    assert.ok(out.machine.cores >= 1);
    assert.deepEqual(
      out.rows.map((row) => [row.runtime, row.batch]),
      [
        ["ort-node", 1],
        ["lithe", 1],
      ],
    );
    assert.equal(out.rows[0]?.ratioToOrtNode, 1);
    assert.match(out.rows[1]?.version ?? "", /^libtorch/);
  });
});
