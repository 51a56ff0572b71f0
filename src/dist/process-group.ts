// A process group of the ranks of one run, on libtorch's c10d: rendezvous through a TCPStore that rank
// 0 hosts, checks at the door (every rank agrees on the world size and the run's configuration), then
// a Gloo group whose collectives fail with a one-line error within a timeout instead of hanging.
import { Group, type ReduceOp, Store, type Tensor, tensor, type Work } from "../engine/index.js";

/** Where and who this process is in the run (what torchrun, SLURM scripts and `--nproc` set). */
export interface DistOptions {
  rank: number;
  worldSize: number;
  /** The rank among the processes of this machine. */
  localRank: number;
  /** Rank 0's address and the port its store listens on. */
  masterAddr: string;
  masterPort: number;
  /** "gloo" (default); "nccl" only where libtorch was built with it. */
  backend?: "gloo" | "nccl";
  /** Bound on the rendezvous and on every collective (default 30 s). */
  timeoutMs?: number;
  /** Settings every rank must share; a rank whose settings differ from rank 0's is refused. */
  config?: Record<string, unknown>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** A one-line error of the distributed run, naming the rank that saw it. */
export class DistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DistError";
  }
}

const LOOPBACK = /^(127\.|localhost$|::1$)/;
const seconds = (ms: number) => `${ms / 1000} s`;

/** The first path at which two JSON values differ ("recipe.lr"), or null when they are equal. */
export function firstDifference(a: unknown, b: unknown, path = ""): string | null {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const d = firstDifference(a[key], b[key], path ? `${path}.${key}` : key);
      if (d !== null) return d;
    }
    return null;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? null : path || "(the whole configuration)";
}

interface Arrival {
  worldSize: number;
  config: Record<string, unknown>;
}

export class ProcessGroup {
  readonly rank: number;
  readonly worldSize: number;
  readonly localRank: number;
  readonly timeoutMs: number;
  readonly #group: Group;
  readonly #store: Store;
  #shared = 0;

  private constructor(o: DistOptions, group: Group, store: Store) {
    this.rank = o.rank;
    this.worldSize = o.worldSize;
    this.localRank = o.localRank;
    this.timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#group = group;
    this.#store = store;
  }

  /** Joins the run: connects (rank 0: hosts) the store, checks every rank agrees, builds the group. */
  static init(o: DistOptions): ProcessGroup {
    const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const where = `rank ${o.rank}`;
    if (!(Number.isInteger(o.worldSize) && o.worldSize >= 1))
      throw new DistError(`WORLD_SIZE must be a positive integer, got ${o.worldSize}`);
    if (!(Number.isInteger(o.rank) && o.rank >= 0 && o.rank < o.worldSize))
      throw new DistError(
        `RANK must be an integer in [0, ${o.worldSize}) for WORLD_SIZE ${o.worldSize}, got ${o.rank}`,
      );
    if (o.backend === "nccl") Group.nccl();
    const store = connect(o, timeoutMs);
    checkArrivals(store, o, timeoutMs);
    const device = process.env.GLOO_SOCKET_IFNAME
      ? { iface: process.env.GLOO_SOCKET_IFNAME }
      : LOOPBACK.test(o.masterAddr)
        ? { host: "127.0.0.1" }
        : {};
    try {
      return new ProcessGroup(o, Group.gloo(store, o.rank, o.worldSize, timeoutMs, device), store);
    } catch (e) {
      throw new DistError(`${where}: the Gloo group did not form within ${seconds(timeoutMs)} (${cause(e)})`);
    }
  }

  /** Reduces each tensor in place across ranks (async: wait on the returned work). */
  allreduce(tensors: readonly Tensor[], op: ReduceOp = "sum"): Work {
    return this.#group.allreduce(tensors, op);
  }
  broadcast(tensor: Tensor, root = 0): Work {
    return this.#group.broadcast(tensor, root);
  }
  allgather(tensor: Tensor): Work {
    return this.#group.allgather(tensor);
  }
  barrier(): Work {
    return this.#group.barrier();
  }

  /** Waits for `work` within the group's timeout; a dead or silent peer becomes a one-line DistError. */
  wait(work: Work, what: string): Tensor[] {
    try {
      return work.wait(this.timeoutMs);
    } catch (e) {
      throw new DistError(
        `rank ${this.rank}: ${what} failed: a peer died or did not answer within ${seconds(this.timeoutMs)} (${cause(e)})`,
      );
    }
  }

  /**
   * The sum over ranks of `x` as a new tensor, differentiable: the backward sums the gradients over
   * the ranks (every rank must run the same backward). Blocks until the sum is in.
   */
  sumOverRanks(x: Tensor): Tensor {
    try {
      return this.#group.sumOverRanks(x, this.timeoutMs);
    } catch (e) {
      throw new DistError(
        `rank ${this.rank}: allreduce failed: a peer died or did not answer within ${seconds(this.timeoutMs)} (${cause(e)})`,
      );
    }
  }

  /** Sums in place and divides by the world size: every rank ends with the mean. */
  allreduceMean(tensors: readonly Tensor[]): void {
    this.wait(this.allreduce(tensors, "sum"), "allreduce");
    for (const t of tensors) t.mul_(1 / this.worldSize);
  }

  /** The sums over ranks of a small array of numbers (a float64 allreduce). */
  sumNumbers(values: readonly number[]): number[] {
    const t = tensor(Float64Array.from(values), { shape: [values.length] });
    this.wait(this.allreduce([t], "sum"), "allreduce");
    const sums = t.toList();
    t.dispose();
    return sums;
  }

  /** Every rank's values of a small array, in rank order (a float64 allgather). */
  allgatherNumbers(values: readonly number[]): number[][] {
    const mine = tensor(Float64Array.from(values), { shape: [values.length] });
    const all = this.wait(this.allgather(mine), "allgather");
    mine.dispose();
    return all.map((t) => {
      const v = t.toList();
      t.dispose();
      return v;
    });
  }

  /**
   * Rank 0's `value` on every rank (the others pass anything, e.g. undefined), through the store: for
   * small JSON state only rank 0 can read, such as a checkpoint to resume from. `what` names it in errors.
   */
  fromRank0<T>(value: T, what: string): T {
    const key = `lithe/shared/${this.#shared++}`;
    if (this.rank === 0) {
      this.#store.set(key, JSON.stringify({ value }));
      return value;
    }
    try {
      return (JSON.parse(this.#store.get(key, this.timeoutMs)) as { value: T }).value;
    } catch (e) {
      throw new DistError(
        `rank ${this.rank}: rank 0 did not share ${what} within ${seconds(this.timeoutMs)} (${cause(e)})`,
      );
    }
  }
}

function connect(o: DistOptions, timeoutMs: number): Store {
  const isServer = o.rank === 0;
  try {
    return Store.tcp({ host: o.masterAddr, port: o.masterPort, isServer, worldSize: o.worldSize, timeoutMs });
  } catch (e) {
    const at = `MASTER_ADDR:MASTER_PORT ${o.masterAddr}:${o.masterPort}`;
    throw new DistError(
      isServer
        ? `rank 0: cannot host the rendezvous at ${at} (${cause(e)})`
        : `rank ${o.rank}: cannot reach the rendezvous at ${at} within ${seconds(timeoutMs)} (${cause(e)})`,
    );
  }
}

/** Every rank posts its world size and configuration; rank 0 checks all of them, the others rank 0's. */
function checkArrivals(store: Store, o: DistOptions, timeoutMs: number): void {
  const mine: Arrival = { worldSize: o.worldSize, config: o.config ?? {} };
  store.set(`lithe/arrival/${o.rank}`, JSON.stringify(mine));
  const others = o.rank === 0 ? [...Array(o.worldSize).keys()].slice(1) : [0];
  for (const r of others) {
    let theirs: Arrival;
    try {
      theirs = JSON.parse(store.get(`lithe/arrival/${r}`, timeoutMs)) as Arrival;
    } catch (e) {
      throw new DistError(
        `rank ${o.rank}: rank ${r} of WORLD_SIZE ${o.worldSize} did not join within ${seconds(timeoutMs)} (${cause(e)})`,
      );
    }
    if (theirs.worldSize !== o.worldSize)
      throw new DistError(
        `rank ${o.rank}: WORLD_SIZE ${o.worldSize} does not match rank ${r}'s WORLD_SIZE ${theirs.worldSize}`,
      );
    const field = firstDifference(mine.config, theirs.config);
    if (field !== null)
      throw new DistError(`rank ${o.rank}: its run configuration differs from rank ${r}'s in ${field}`);
  }
}

const cause = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
