// Modules for the composite plan nodes (src/arch/plan.ts): residual add, ShuffleNet V1's concat
// unit, ShuffleNet V2's split unit (torchvision and official Megvii styles) and the SE-style gate;
// the leaf modules channel shuffle and channel sampler (pick).
// Each reports its own element-wise work to the layer tracer under "<unit>.<op>".
import type { Act } from "../arch/plan.js";
import { cat, F, keep, type Tensor, tensor } from "../engine/index.js";
import { channelShuffle, channelSplit, concatShuffle, isTracing, Module, record } from "../nn/index.js";

const ACTIVATIONS: Record<Act, (x: Tensor) => Tensor> = {
  relu: F.relu,
  relu6: F.relu6,
  hswish: F.hardswish,
  hsigmoid: F.hardsigmoid,
  sigmoid: F.sigmoid,
};

/** Applies activation `fn` as part of `unit`, reporting it as "<unit>.act". */
function activate(unit: Module, fn: Act, x: Tensor): Tensor {
  const y = ACTIVATIONS[fn](x);
  if (isTracing()) record(unit, "act", [x], y, { fn }, { suffix: "act" });
  return y;
}

/** Runs `layers` in order. */
const chain = (layers: readonly Module[], x: Tensor) => layers.reduce((y, m) => m.forward(y), x);

/** Base for units whose main layers are registered directly on the unit (no wrapper module). */
abstract class Unit extends Module {
  protected readonly main: Module[] = [];
  constructor(main: readonly (readonly [string, Module])[]) {
    super();
    for (const [name, m] of main) this.main.push(this.registerModule(name, m));
  }
  protected child(entry: readonly [string, Module] | null): Module | null {
    return entry ? this.registerModule(entry[0], entry[1]) : null;
  }
}

/** out = after(main(x) + shortcut(x)), shortcut = identity when absent (ResNet, MobileNetV2, ShuffleNet V1). */
export class AddUnit extends Unit {
  readonly shortcut: Module | null;
  constructor(
    main: readonly (readonly [string, Module])[],
    shortcut: readonly [string, Module] | null,
    readonly after: Act | null,
  ) {
    super(main);
    this.shortcut = this.child(shortcut);
  }
  forward(x: Tensor): Tensor {
    const y = chain(this.main, x);
    const s = this.shortcut ? this.shortcut.forward(x) : x;
    const sum = y.add(s);
    if (isTracing()) record(this, "add", [y, s], sum, {}, { suffix: "add" });
    return this.after ? activate(this, this.after, sum) : sum;
  }
}

/** ShuffleNet V1 stride-2 unit: out = cat(shortcut(x), mainAct(main(x))) along channels. */
export class ConcatUnit extends Unit {
  readonly shortcut: Module;
  constructor(
    main: readonly (readonly [string, Module])[],
    shortcut: readonly [string, Module],
    readonly mainAct: Act | null,
  ) {
    super(main);
    this.shortcut = this.child(shortcut) as Module;
  }
  forward(x: Tensor): Tensor {
    let y = chain(this.main, x);
    if (this.mainAct) y = activate(this, this.mainAct, y);
    const s = this.shortcut.forward(x);
    const out = cat([s, y], 1);
    if (isTracing()) record(this, "concat", [s, y], out, {}, { suffix: "concat" });
    return out;
  }
}

/**
 * ShuffleNet V2 unit (src/arch/plan.ts "split-unit").
 * torchvision, stride 1: (N, C) -> x1, x2 = chunk(2); cat(x1, main(x2)) -> shuffle(2)
 * megvii, stride 1: (N, C, H, W) -> (N, C/2, 2, H, W); x1 = [:, :, 0], x2 = [:, :, 1]; cat(x1, main(x2))
 * stride 2 (proj present), both: cat(proj(x), main(x)) (+ shuffle(2) for torchvision)
 */
export class SplitUnit extends Module {
  readonly proj: Module | null;
  readonly main: Module;
  constructor(
    readonly style: "torchvision" | "megvii",
    proj: readonly [string, Module] | null,
    main: readonly [string, Module],
  ) {
    super();
    this.proj = proj ? this.registerModule(proj[0], proj[1]) : null;
    this.main = this.registerModule(main[0], main[1]);
  }

  private split(x: Tensor): [Tensor, Tensor] {
    const halves = this.style === "torchvision" ? channelSplit(x) : F.deinterleaveChannels(x);
    if (isTracing())
      record(this, "split", [x], halves[0], { copy: this.style === "megvii" }, { suffix: "split" });
    return halves;
  }

  forward(x: Tensor): Tensor {
    const [passed, mainIn] = this.proj ? [this.proj.forward(x), x] : this.split(x);
    const y = this.main.forward(mainIn);
    // torchvision's cat + shuffle(2) run as one fused pass; the tracer still sees both steps.
    const out = this.style === "torchvision" ? concatShuffle(passed, y) : cat([passed, y], 1);
    if (isTracing()) {
      record(this, "concat", [passed, y], out, {}, { suffix: "concat" });
      if (this.style === "torchvision")
        record(this, "shuffle", [out], out, { groups: 2 }, { suffix: "shuffle" });
    }
    return out;
  }
}

/** Squeeze-and-excitation style gate: out = x * fn(body(x)), body: [N, C, H, W] -> [N, C, 1, 1]. */
export class GateUnit extends Module {
  readonly body: Module;
  constructor(
    body: readonly [string, Module],
    readonly fn: Act,
  ) {
    super();
    this.body = this.registerModule(body[0], body[1]);
  }
  forward(x: Tensor): Tensor {
    const g = activate(this, this.fn, this.body.forward(x));
    const out = x.mul(g);
    if (isTracing()) record(this, "mul", [x, g], out, {}, { suffix: "mul" });
    return out;
  }
}

/** Channel shuffle as a layer (ShuffleNet V1 units). */
export class ChannelShuffle extends Module {
  constructor(readonly groups: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    const y = channelShuffle(x, this.groups);
    if (isTracing()) record(this, "shuffle", [x], y, { groups: this.groups });
    return y;
  }
}

/** Channel sampler (He et al., ICCV 2017, Sec. 3.3): (N, C, H, W) -> (N, channels.length, H, W). */
export class ChannelPick extends Module {
  /** The indices as an int64 tensor, outliving any scope the module is built in; not a buffer, so the state dict does not carry them. */
  private readonly index: Tensor;
  constructor(readonly channels: readonly number[]) {
    super();
    this.index = keep(tensor([...channels], { dtype: "int64" }));
  }
  forward(x: Tensor): Tensor {
    const y = x.indexSelect(1, this.index);
    if (isTracing()) record(this, "pick", [x], y);
    return y;
  }
}
