// The DataLoader's worker thread: augments the batches it is posted, reading pixels from the shared buffer.
import { parentPort, workerData } from "node:worker_threads";
import { fillBatch, type Job, type JobResult, type WorkerInit } from "./loader.js";

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error("loader-worker.js runs only as the DataLoader's worker thread");
port.on("message", (job: Job) => {
  let result: JobResult;
  try {
    const x = fillBatch(init, job);
    result = { id: job.id, x: x.buffer as ArrayBuffer };
  } catch (e) {
    result = { id: job.id, error: (e as Error).message };
  }
  port.postMessage(result, "x" in result ? [result.x] : []);
});
