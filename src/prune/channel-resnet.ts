// Channel pruning of a ResNet of BasicBlocks (He, Zhang, Sun, ICCV 2017, Sec. 3.3 "Pruning
// multi-branch networks"; yihui-he/channel-pruning), block by block in order, the residual stream
// (stem and stage outputs) left whole:
// - the block's first conv reads only some of the block input's channels: a channel sampler picks
//   them (selected by LASSO at conv1's input, conv1 reconstructed towards the original conv1 output),
//   so the shortcut still gets every channel;
// - its inner width is pruned at conv2's input (LASSO), dropping conv1's filters and bn1's channels,
//   and conv2 is reconstructed towards Y1 - Y1' + Y2: the original block output minus what the pruned
//   network's shortcut now carries (Y1 the original shortcut output, Y1' the pruned one's, Y2 the
//   original residual branch), so the block's sum, not only its branch, matches the original.
// conv2's target in conv space is src/prune/channel-layer.ts's correctedTarget.
import { type ResNetArch, resnetBlocks, resnetChannels } from "../arch/families/resnet.js";
import { validateArch } from "../arch/schema.js";
import { F, noGrad, type Tensor, tidy } from "../engine/index.js";
import type { BatchNorm2d, Conv2d, Module } from "../nn/index.js";
import { Random } from "../util/random.js";
import {
  type ChannelPruningConfig,
  convWith,
  correctedTarget,
  type LayerReport,
  pruneConvInputs,
} from "./channel-layer.js";

/**
 * Prunes `model` (a BasicBlock ResNet with weights, described by `arch`) to the widths of `target`
 * (its `mid` and the counts of its `inputs`, src/prune/channel-widths.ts) on the images `x`
 * [N, C, H, W]. Returns the pruned description (with the sampled channels chosen), its weights and
 * one report per pruned conv; `onLayer` hears each report as it is made.
 */
export function pruneResNet(
  arch: ResNetArch,
  model: Module,
  target: ResNetArch,
  x: Tensor,
  config: ChannelPruningConfig,
  onLayer: (r: LayerReport) => void = () => {},
): { arch: ResNetArch; state: Map<string, Tensor>; reports: LayerReport[] } {
  const ch = resnetChannels(arch);
  const want = resnetChannels(target);
  if (arch.depth !== target.depth || arch.stem !== target.stem || ch.stem !== want.stem)
    throw new Error("channel pruning: a ResNet and pruned widths of that same ResNet");
  const modules = new Map(model.namedModules());
  const get = <M extends Module>(name: string) => modules.get(name) as M;
  const blocks = resnetBlocks(arch);
  const rng = new Random(config.seed);
  const reports: LayerReport[] = [];
  const report = (r: LayerReport) => {
    reports.push(r);
    onLayer(r);
  };
  const state = new Map([...model.stateDict()].map(([k, t]) => [k, t.clone()] as const));
  const put = (key: string, t: Tensor) => {
    state.get(key)?.dispose();
    state.set(key, t);
  };
  const inputs: (number[] | null)[] = [];
  model.eval();
  noGrad(() => {
    // The stem is not pruned: both networks enter layer1 with the same map.
    const stem = model.children().filter(([n]) => !/^layer|^avgpool$|^fc$/.test(n));
    let original = tidy(() => stem.reduce((y, [, m]) => m.forward(y), x));
    let pruned = original;
    const unitNames = model
      .children()
      .filter(([n]) => n.startsWith("layer"))
      .flatMap(([n, layer]) => layer.children().map(([i]) => `${n}.${i}`));
    unitNames.forEach((name, b) => {
      const conv1 = get<Conv2d>(`${name}.conv1`);
      const bn1 = get<BatchNorm2d>(`${name}.bn1`);
      const conv2 = get<Conv2d>(`${name}.conv2`);
      const bn2 = get<BatchNorm2d>(`${name}.bn2`);
      const shortcut = modules.get(`${name}.downsample`) ?? null;
      const inp = (blocks[b] as { inp: number }).inp;
      const wantIn = want.inputs?.[b]?.length ?? inp;
      const wantMid = want.mid[b] as number;
      const step = tidy(() => {
        // The original block: Y2 = bn2(conv2(relu(bn1(conv1(x))))), Y1 = shortcut(x)
        const z1 = conv1.forward(original);
        const z2 = conv2.forward(F.relu(bn1.forward(z1)));
        const y1 = shortcut ? shortcut.forward(original) : original;
        const outOriginal = F.relu(bn2.forward(z2).add(y1));
        // The channel sampler: conv1 reads wantIn of the pruned block input's channels.
        const first =
          wantIn < inp ? pruneConvInputs(`${name}.conv1`, conv1, pruned, z1, wantIn, config, rng) : null;
        const sampled = first ? pruned.indexSelect(1, first.kept) : pruned;
        const w1 = first ? first.weight : conv1.weight.clone();
        const hidden = F.relu(bn1.forward(convWith(conv1, sampled, w1)));
        // conv2 towards Y1 - Y1' + Y2, in conv space: z2 + (Y1 - Y1') / a
        const y1Pruned = shortcut ? shortcut.forward(pruned) : pruned;
        const corrected = correctedTarget(z2, y1, y1Pruned, bn2);
        const second =
          wantMid < (ch.mid[b] as number)
            ? pruneConvInputs(`${name}.conv2`, conv2, hidden, corrected, wantMid, config, rng)
            : null;
        const w2 = second ? second.weight : conv2.weight.clone();
        const kept = second ? hidden.indexSelect(1, second.kept) : hidden;
        const outPruned = F.relu(bn2.forward(convWith(conv2, kept, w2)).add(y1Pruned));
        return { first, second, w1, w2, outOriginal, outPruned };
      });
      if (original !== pruned) pruned.dispose();
      original.dispose();
      original = step.outOriginal;
      pruned = step.outPruned;
      inputs.push(step.first ? step.first.kept.toList() : null);
      if (step.first) report(step.first.report);
      if (step.second) report(step.second.report);
      // conv1 loses the filters conv2 no longer reads, and bn1 their channels.
      const mid = step.second?.kept ?? null;
      const cut = (t: Tensor) => (mid ? t.indexSelect(0, mid) : t.clone());
      put(`${name}.conv1.weight`, cut(step.w1));
      for (const p of ["weight", "bias", "running_mean", "running_var"]) {
        const key = `${name}.bn1.${p}`;
        const t = state.get(key);
        if (t) put(key, cut(t));
      }
      put(`${name}.conv2.weight`, step.w2);
      step.w1.dispose();
      step.first?.kept.dispose();
      step.second?.kept.dispose();
    });
    if (original !== pruned) pruned.dispose();
    original.dispose();
  });
  const widths = { stem: want.stem, stages: want.stages, mid: want.mid };
  const channels = inputs.some((l) => l) ? { ...widths, inputs } : widths;
  return { arch: validateArch({ ...target, channels }) as ResNetArch, state, reports };
}
