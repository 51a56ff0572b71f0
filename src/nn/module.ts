// Module: named parameters, buffers and sub-modules, train/eval mode, and state dicts with
// PyTorch's dotted names (`features.0.branch2.3.weight`) so weights move to and from PyTorch.
import { type DType, isFloating, keep, noGrad, type Tensor } from "../engine/index.js";
import type { Parameter } from "./parameter.js";

export type StateDict = Map<string, Tensor>;

export abstract class Module {
  training = true;
  readonly #parameters = new Map<string, Parameter | null>();
  readonly #buffers = new Map<string, Tensor | null>();
  readonly #modules = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** Registers (or replaces) a parameter; null declares an absent one (like bias=False). */
  protected registerParameter<P extends Parameter | null>(name: string, p: P): P {
    this.#parameters.set(name, p);
    return p;
  }
  /** Registers (or replaces) persistent state that is not trained (running statistics). */
  protected registerBuffer<T extends Tensor | null>(name: string, t: T): T {
    if (t) keep(t);
    this.#buffers.set(name, t);
    return t;
  }
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.#modules.set(name, m);
    return m;
  }

  children(): [string, Module][] {
    return [...this.#modules.entries()];
  }

  /** Every sub-module with its dotted path, this one first (path ""). */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, m] of this.#modules) out.push(...m.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  namedParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [path, m] of this.namedModules()) {
      for (const [name, p] of m.#parameters) if (p) out.push([path ? `${path}.${name}` : name, p]);
    }
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [path, m] of this.namedModules()) {
      for (const [name, b] of m.#buffers) if (b) out.push([path ? `${path}.${name}` : name, b]);
    }
    return out;
  }

  /** Sets training mode on this module and every sub-module. */
  train(on = true): this {
    for (const [, m] of this.namedModules()) m.training = on;
    return this;
  }
  eval(): this {
    return this.train(false);
  }

  /**
   * Converts every floating-point parameter and buffer to `dtype` in place, keeping the tensor objects
   * (layers hold them), as PyTorch's `module.to(torch.float64)`; integer buffers (batch counts) stay.
   */
  to(dtype: DType): this {
    if (!isFloating(dtype)) throw new Error(`Module.to: dtype must be float32 or float64, got ${dtype}`);
    noGrad(() => {
      for (const t of [...this.parameters(), ...this.namedBuffers().map(([, b]) => b)]) {
        if (!isFloating(t.dtype) || t.dtype === dtype) continue;
        t.grad = null;
        const converted = t.to(dtype);
        t.setData_(converted);
        converted.dispose();
      }
    });
    return this;
  }

  /** Drops every gradient (set to null, like PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Parameters and buffers by dotted name, sharing storage with the module (not copies). */
  stateDict(): StateDict {
    return new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies values into this module's parameters and buffers. Names and shapes must match; with
   * strict (the default) missing or unexpected names are errors too. The error names the first
   * problem, e.g. `loadStateDict: "fc.weight" has shape [10, 64] but the model needs [10, 128]`.
   */
  loadStateDict(state: ReadonlyMap<string, Tensor>, { strict = true } = {}): void {
    const own = this.stateDict();
    if (strict) {
      const missing = [...own.keys()].filter((k) => !state.has(k));
      const unexpected = [...state.keys()].filter((k) => !own.has(k));
      if (missing.length > 0)
        throw new Error(`loadStateDict: missing ${missing.length} entries, first "${missing[0]}"`);
      if (unexpected.length > 0) {
        throw new Error(`loadStateDict: ${unexpected.length} unexpected entries, first "${unexpected[0]}"`);
      }
    }
    for (const [name, target] of own) {
      const source = state.get(name);
      if (!source) continue;
      const [a, b] = [source.shape, target.shape];
      if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
        throw new Error(
          `loadStateDict: "${name}" has shape [${a.join(", ")}] but the model needs [${b.join(", ")}]`,
        );
      }
      if (source.dtype !== target.dtype && (source.dtype === "int64") !== (target.dtype === "int64")) {
        throw new Error(
          `loadStateDict: "${name}" has dtype ${source.dtype} but the model needs ${target.dtype}`,
        );
      }
    }
    noGrad(() => {
      for (const [name, target] of own) {
        const source = state.get(name);
        if (source) target.copy_(source);
      }
    });
  }
}
