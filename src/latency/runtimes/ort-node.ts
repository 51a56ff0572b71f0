// onnxruntime-node as an inference runtime: the plan exported to ONNX with BN folded into the convs,
// one InferenceSession with all graph optimisations, `threads` intra-op threads and one inter-op
// thread (sequential execution), its input tensor allocated once. onnxruntime-node loads on first use.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Node, Shape } from "../../arch/plan.js";
import { onnxModelOfPlan } from "../../export/onnx.js";
import { encodeModel, type ModelProto } from "../../export/onnx-builder.js";
import { calibrateRanges, quantizeQdq } from "../../export/qdq.js";
import type { PrepareOptions } from "../types.js";
import {
  disposeModel,
  firstLine,
  inputData,
  inputDims,
  type ProbeRunner,
  type ProbeRuntime,
  planModel,
} from "./common.js";

/** ONNX model bytes of `plan` on `input` with BN folded (weights given, or seeded defaults). */
export async function planOnnx(
  plan: Node,
  input: Shape,
  o: Pick<PrepareOptions, "weights" | "int8" | "batch">,
): Promise<Uint8Array> {
  const model = planModel(plan, input, o.weights);
  let fp32: ModelProto;
  try {
    fp32 = onnxModelOfPlan(plan, input, model.stateDict(), { foldBn: true }).model;
  } finally {
    disposeModel(model);
  }
  if (!o.int8) return encodeModel(fp32);
  const dims = inputDims(o.batch, input);
  const ranges = await calibrateRanges(fp32, [
    { x: inputData(dims.reduce((a, b) => a * b, 1)), shape: dims },
  ]);
  return encodeModel(quantizeQdq(fp32, ranges));
}

/** The installed version of an npm package: its package.json, found above its resolved entry. */
export function packageVersion(name: string): string {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve(name));
    for (;;) {
      const file = join(dir, "package.json");
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
        if (pkg.name === name && pkg.version) return pkg.version;
      }
      const up = dirname(dir);
      if (up === dir) return "unknown";
      dir = up;
    }
  } catch {
    return "unknown";
  }
}

export const ortNodeRuntime: ProbeRuntime = {
  name: "ort-node",

  async unavailable() {
    try {
      await import("onnxruntime-node");
      return null;
    } catch (error) {
      return `onnxruntime-node does not load: ${firstLine(error)}`;
    }
  },

  async version() {
    return `onnxruntime-node ${packageVersion("onnxruntime-node")}`;
  },

  async prepare(plan: Node, input: Shape, o: PrepareOptions): Promise<ProbeRunner> {
    const ort = await import("onnxruntime-node");
    const bytes = await planOnnx(plan, input, o);
    let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
    try {
      session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: o.threads,
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
      });
    } catch (error) {
      throw new Error(`ONNX Runtime cannot load the model: ${firstLine(error)}`);
    }
    const dims = inputDims(o.batch, input);
    const feeds = { input: new ort.Tensor("float32", inputData(dims.reduce((a, b) => a * b, 1)), dims) };
    const run = async () => {
      const result = await session.run(feeds);
      const y = result.logits;
      if (!y) throw new Error(`ONNX Runtime: the model has no output "logits"`);
      return y;
    };
    return {
      setup: `${o.threads} intra-op thread${o.threads === 1 ? "" : "s"}, graph optimisation "all", BN folded${o.int8 ? ", int8 QDQ" : ""}`,
      async run() {
        (await run()).dispose();
      },
      async output() {
        const y = await run();
        const out = { data: new Float32Array(y.data as Float32Array), dims: [...y.dims] };
        y.dispose();
        return out;
      },
      async close() {
        await session.release();
      },
    };
  },
};
