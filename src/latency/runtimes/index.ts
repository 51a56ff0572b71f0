// The runtimes latency is measured on, by name.
import { isRuntimeName, RUNTIME_NAMES, type RuntimeName } from "../types.js";
import type { ProbeRuntime } from "./common.js";
import { litheRuntime } from "./lithe.js";
import { ortNodeRuntime } from "./ort-node.js";
import { ortWebRuntime } from "./ort-web.js";

export type { ProbeRunner, ProbeRuntime } from "./common.js";

const RUNTIMES: Record<RuntimeName, ProbeRuntime> = {
  lithe: litheRuntime,
  "ort-node": ortNodeRuntime,
  "ort-web": ortWebRuntime,
};

/** The runtime called `name`; an unknown name is an error listing the known ones. */
export function runtimeByName(name: string): ProbeRuntime {
  if (!isRuntimeName(name)) throw new Error(`unknown runtime "${name}" (use ${RUNTIME_NAMES.join(", ")})`);
  return RUNTIMES[name];
}
