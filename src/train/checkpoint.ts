// Training checkpoints: ONE safetensors file written atomically (temp file, then rename), holding the
// model's state dict ("model.<name>"), the optimizer's momentum buffers ("optimizer.<name>"),
// libtorch's generator state ("rng.torch") and the JSON run state in the metadata, so a checkpoint
// can never be half-written or mismatched with its state.
import { existsSync } from "node:fs";
import {
  getRngState,
  loadSafetensors,
  saveSafetensors,
  setRngState,
  type Tensor,
  tensor,
} from "../engine/index.js";
import type { Module } from "../nn/index.js";
import type { SGD } from "./sgd.js";

/** Where a run stands: enough to continue exactly where it stopped. */
export interface RunState {
  /** Optimizer steps done so far. */
  step: number;
  /** The epoch in progress and how many of its batches were consumed. */
  epoch: number;
  batchInEpoch: number;
  /** Anything else the trainer wants back (metrics so far, options it checks on resume). */
  extra: Record<string, unknown>;
}

const STATE_KEY = "lithe_run_state";

export function saveCheckpoint(path: string, model: Module, optimizer: SGD, state: RunState): void {
  const named = new Map<string, Tensor>();
  for (const [name, t] of model.stateDict()) named.set(`model.${name}`, t);
  const paramNames = new Map(model.namedParameters().map(([name, p]) => [p as Tensor, name]));
  for (const [p, buffer] of optimizer.buffers()) {
    const name = paramNames.get(p);
    if (name === undefined)
      throw new Error("checkpoint: the optimizer holds a parameter the model does not have");
    named.set(`optimizer.${name}`, buffer);
  }
  const rng = tensor(getRngState(), { dtype: "uint8" });
  named.set("rng.torch", rng);
  try {
    saveSafetensors(path, named, { [STATE_KEY]: JSON.stringify(state) });
  } finally {
    rng.dispose();
  }
}

/** Restores model, optimizer buffers and generator from a checkpoint; returns the run state. */
export function loadCheckpoint(path: string, model: Module, optimizer: SGD): RunState {
  if (!existsSync(path)) throw new Error(`${path}: no checkpoint to resume from`);
  const { tensors, metadata } = loadSafetensors(path);
  try {
    const raw = metadata[STATE_KEY];
    if (!raw) throw new Error(`${path}: not a lithe checkpoint (no run state)`);
    const modelState = new Map<string, Tensor>();
    for (const [name, t] of tensors) if (name.startsWith("model.")) modelState.set(name.slice(6), t);
    model.loadStateDict(modelState);
    const byName = new Map(model.namedParameters().map(([name, p]) => [p as Tensor, name]));
    for (const [p, buffer] of optimizer.buffers()) {
      const saved = tensors.get(`optimizer.${byName.get(p)}`);
      if (!saved) throw new Error(`${path}: no optimizer buffer for "${byName.get(p)}"`);
      buffer.copy_(saved);
    }
    const rng = tensors.get("rng.torch");
    if (!rng) throw new Error(`${path}: no generator state`);
    setRngState(rng.toTypedArray() as Uint8Array);
    return JSON.parse(raw) as RunState;
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}
