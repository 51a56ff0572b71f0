// The TS face of libtorch's c10d (native/dist.cc): a TCPStore, a Gloo process group over it and its
// collectives as async work handles. Only mechanics here; src/dist/ adds the environment, the checks
// at rendezvous, averaging and gradient buckets.
import { type GroupHandle, native, type StoreHandle, type WorkHandle } from "./native.js";
import { Tensor } from "./tensor.js";

export type ReduceOp = "sum" | "max" | "min";

/** A key-value store all ranks share; rank 0 hosts it (c10d::TCPStore). */
export class Store {
  private constructor(readonly h: StoreHandle) {}

  /** Hosts the store (isServer) or connects to it, retrying until timeoutMs. */
  static tcp(o: {
    host: string;
    port: number;
    isServer: boolean;
    worldSize: number;
    timeoutMs: number;
  }): Store {
    return new Store(native.tcpStore(o.host, o.port, o.isServer, o.worldSize, o.timeoutMs));
  }
  set(key: string, value: string): void {
    native.storeSet(this.h, key, value);
  }
  /** The key's value, waiting up to timeoutMs for some rank to set it. */
  get(key: string, timeoutMs: number): string {
    return native.storeGet(this.h, key, timeoutMs);
  }
  /** Adds n to a shared counter and returns its new value. */
  add(key: string, n: number): number {
    return native.storeAdd(this.h, key, n);
  }
}

/** A collective in flight; wait() blocks until it ends, throwing its error or a timeout. */
export class Work {
  constructor(private readonly h: WorkHandle) {}
  get done(): boolean {
    return native.workDone(this.h);
  }
  /** Waits up to timeoutMs; returns the collective's outputs (allgather: one tensor per rank). */
  wait(timeoutMs: number): Tensor[] {
    return native.workWait(this.h, timeoutMs).map((h) => new Tensor(h));
  }
}

/** Where a Gloo group's device binds: a network interface, else an address, else the host's name. */
export interface GlooDevice {
  iface?: string;
  host?: string;
}

/** A c10d process group; tensors must be contiguous and are reduced or overwritten in place. */
export class Group {
  private constructor(private readonly h: GroupHandle) {}

  static gloo(store: Store, rank: number, worldSize: number, timeoutMs: number, device: GlooDevice): Group {
    return new Group(native.gloo(store.h, rank, worldSize, timeoutMs, device.iface ?? "", device.host ?? ""));
  }
  /** Throws: the addon binds NCCL only where libtorch has it, and Debian's does not. */
  static nccl(): Group {
    return new Group(native.nccl());
  }
  allreduce(tensors: readonly Tensor[], op: ReduceOp = "sum"): Work {
    return new Work(
      native.allreduce(
        this.h,
        tensors.map((t) => t.h),
        op,
      ),
    );
  }
  broadcast(tensor: Tensor, root: number): Work {
    return new Work(native.broadcast(this.h, tensor.h, root));
  }
  allgather(tensor: Tensor): Work {
    return new Work(native.allgather(this.h, tensor.h));
  }
  barrier(): Work {
    return new Work(native.barrier(this.h));
  }
  /**
   * The sum over ranks of x as a new tensor (blocking, within timeoutMs); differentiable: x's gradient
   * is the sum over ranks of the output's, allreduced in backward.
   */
  sumOverRanks(x: Tensor, timeoutMs: number): Tensor {
    return new Tensor(native.allreduceAutograd(this.h, x.h, timeoutMs));
  }
}
