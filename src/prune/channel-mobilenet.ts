// Channel pruning of a MobileNetV2 (He, Zhang, Sun, ICCV 2017, Sec. 3.3: depthwise layers pruned
// together with their pointwise neighbours), block by block in order, the residual stream (stem, stage
// outputs, features.18) left whole. In an inverted residual the expansion 1x1 conv's outputs, the
// depthwise conv's channels and the projection 1x1 conv's inputs are one set of hidden channels, and
// the expansion and depthwise convs (with their BNs and ReLU6) act on each channel alone, so:
// - the hidden channels are selected by LASSO at the projection conv's input (the depthwise outputs of
//   the network pruned so far), and the projection is reconstructed from them by least squares
//   towards the ORIGINAL block's output (accumulated error; Sec. 3.2);
// - the same channels are dropped from the depthwise conv and the expansion conv's filters (and their
//   BNs); those keep their original weights, their input (the residual stream) being unpruned.
// In a block that adds its input, the target is Y1 - Y1' + Y2 with the identity shortcut
// (src/prune/channel-layer.ts, correctedTarget): the projection also absorbs what the pruned input stream lost.
import {
  type MobileNetV2Arch,
  mobilenetV2Channels,
  mobilenetV2Units,
} from "../arch/families/mobilenet-v2.js";
import { noGrad, type Tensor, tidy } from "../engine/index.js";
import type { BatchNorm2d, Conv2d, Module } from "../nn/index.js";
import { Random } from "../util/random.js";
import {
  type ChannelPruningConfig,
  convWith,
  correctedTarget,
  type LayerReport,
  pruneConvInputs,
} from "./channel-layer.js";

/** An inverted residual's modules: expansion (conv.0) and depthwise (conv.1) conv+BN+ReLU6, projection conv.2, BN conv.3. */
const EXPAND = "conv.0";
const DEPTHWISE = "conv.1";
const PROJECT = "conv.2";
const PROJECT_BN = "conv.3";

/**
 * Cuts block `name`'s hidden channels to `kept` in `state` (expansion filters, depthwise channels and
 * their BNs) and sets its projection weight to `project` ([oup, kept, 1, 1]), disposing what it replaces.
 */
export function cutHidden(state: Map<string, Tensor>, name: string, kept: Tensor, project: Tensor): void {
  const put = (key: string, t: Tensor) => {
    state.get(key)?.dispose();
    state.set(key, t);
  };
  for (const part of [EXPAND, DEPTHWISE]) {
    put(`${name}.${part}.0.weight`, (state.get(`${name}.${part}.0.weight`) as Tensor).indexSelect(0, kept));
    for (const p of ["weight", "bias", "running_mean", "running_var"]) {
      const key = `${name}.${part}.1.${p}`;
      const t = state.get(key);
      if (t) put(key, t.indexSelect(0, kept));
    }
  }
  put(`${name}.${PROJECT}.weight`, project);
}

/**
 * Prunes `model` (a MobileNetV2 with weights, described by `arch`) to the expansion widths of `target`
 * on the images `x` [N, C, H, W]. Returns the pruned weights (state-dict names of `target`) and one
 * report per pruned projection conv; `onLayer` hears each report as it is made.
 */
export function pruneMobileNetV2(
  arch: MobileNetV2Arch,
  model: Module,
  target: MobileNetV2Arch,
  x: Tensor,
  config: ChannelPruningConfig,
  onLayer: (r: LayerReport) => void = () => {},
): { arch: MobileNetV2Arch; state: Map<string, Tensor>; reports: LayerReport[] } {
  const [ch, want] = [mobilenetV2Channels(arch), mobilenetV2Channels(target)];
  const units = mobilenetV2Units(arch);
  const sameStream =
    ch.stem === want.stem && ch.last === want.last && ch.stages.every((c, i) => c === want.stages[i]);
  if (
    arch.stem !== target.stem ||
    !sameStream ||
    mobilenetV2Units(target).some((u, i) => u.residual !== units[i]?.residual)
  )
    throw new Error("channel pruning: a MobileNetV2 and pruned expansion widths of that same MobileNetV2");
  const modules = new Map(model.namedModules());
  const get = <M extends Module>(name: string) => modules.get(name) as M;
  const rng = new Random(config.seed);
  const reports: LayerReport[] = [];
  const state = new Map([...model.stateDict()].map(([k, t]) => [k, t.clone()] as const));
  model.eval();
  noGrad(() => {
    // The stem is not pruned: both networks enter features.1 with the same map.
    let original = tidy(() => get("features.0").forward(x));
    let pruned = original;
    let expanded = 0;
    units.forEach((u, b) => {
      const name = `features.${b + 1}`;
      const block = get(name);
      const wanted = u.hidden === null ? null : (want.hidden[expanded++] as number);
      const step = tidy(() => {
        if (wanted === null || wanted >= (u.hidden as number)) {
          const outOriginal = block.forward(original);
          return {
            layer: null,
            outOriginal,
            outPruned: pruned === original ? outOriginal : block.forward(pruned),
          };
        }
        const project = get<Conv2d>(`${name}.${PROJECT}`);
        const bn = get<BatchNorm2d>(`${name}.${PROJECT_BN}`);
        const hiddenOf = (y: Tensor) =>
          get(`${name}.${DEPTHWISE}`).forward(get(`${name}.${EXPAND}`).forward(y));
        // The original block: Y2 = bn(project(h)), plus Y1 = its input when it adds one.
        const z = project.forward(hiddenOf(original));
        const outOriginal = u.residual ? bn.forward(z).add(original) : bn.forward(z);
        const corrected = u.residual ? correctedTarget(z, original, pruned, bn) : z;
        // The pruned network's hidden channels, all of them: (N, hidden, H', W')
        const hidden = hiddenOf(pruned);
        const layer = pruneConvInputs(`${name}.${PROJECT}`, project, hidden, corrected, wanted, config, rng);
        const y2 = bn.forward(convWith(project, hidden.indexSelect(1, layer.kept), layer.weight));
        return { layer, outOriginal, outPruned: u.residual ? y2.add(pruned) : y2 };
      });
      if (original !== pruned) pruned.dispose();
      original.dispose();
      // Until the first pruned block both networks share one map.
      original = step.outOriginal;
      pruned = step.outPruned;
      if (step.layer) {
        reports.push(step.layer.report);
        onLayer(step.layer.report);
        cutHidden(state, name, step.layer.kept, step.layer.weight);
        step.layer.kept.dispose();
      }
    });
    if (original !== pruned) pruned.dispose();
    original.dispose();
  });
  return { arch: target, state, reports };
}
