/**
 * Faults as data: one type for a timed fault schedule, shared by scenarios, property-test
 * arbitraries and the kernel that applies them.
 *
 * Hosts are named by number (brokers 0..n-1) or "zk" for the coordinator.
 */
import type { DelayDistribution } from "./network.ts";
import { HostStatus, type EventHandler, type HostId, type Kernel } from "./kernel.ts";
import type { Network } from "./network.ts";

export type HostRef = number | "zk";

/** H: how hosts are named (scenarios may also name roles, resolved before a run). */
export type Fault<H = HostRef> =
  /** The host stops: timers and in-flight deliveries die, volatile state is lost. */
  | { readonly at: number; readonly type: "crash"; readonly host: H }
  /** A crashed host boots again from its durable state. */
  | { readonly at: number; readonly type: "restart"; readonly host: H }
  /** Stop-the-world pause (GC, frozen VM) for `for` ms; the host does not know it was paused. Overlapping pauses of a host last until the later end. */
  | { readonly at: number; readonly type: "pause"; readonly host: H; readonly for: number }
  /** Symmetric partition into groups; hosts not named form one more group together. */
  | { readonly at: number; readonly type: "partition"; readonly groups: readonly (readonly H[])[] }
  /** Messages from `from` to `to` are dropped (both directions with bothWays). */
  | { readonly at: number; readonly type: "cut"; readonly from: H; readonly to: H; readonly bothWays?: boolean }
  /** The host can reach nobody and nobody can reach it. */
  | { readonly at: number; readonly type: "isolate"; readonly host: H }
  /** Removes every partition, cut and isolation. */
  | { readonly at: number; readonly type: "heal" }
  /** Messages from `from` to `to` are held for `for` ms, then delivered. */
  | { readonly at: number; readonly type: "clog"; readonly from: H; readonly to: H; readonly for: number }
  /** Changes link settings: one link, all links from or to a host, or every link. */
  | {
      readonly at: number;
      readonly type: "link";
      readonly from?: H;
      readonly to?: H;
      readonly loss?: number;
      readonly duplicate?: number;
      readonly delay?: DelayDistribution;
    }
  /** A controlled shutdown, as an operator asks for one: the elector decides how it goes. */
  | { readonly at: number; readonly type: "shutdown"; readonly host: H }
  /** The host's clock steps by `byMs` (negative: backward), as an NTP step or a VM clock catching up would (src/sim/clocks.ts). */
  | { readonly at: number; readonly type: "clockJump"; readonly host: H; readonly byMs: number }
  /** The host's clock runs `ppm` fast (negative: slow) for `forMs`, then at its base rate again. */
  | { readonly at: number; readonly type: "clockDrift"; readonly host: H; readonly ppm: number; readonly forMs: number }
  /** The host's fsyncs issued in the next `forMs` take `factor` times as long (src/sim/storage.ts). */
  | { readonly at: number; readonly type: "slowDisk"; readonly host: H; readonly factor: number; readonly forMs: number }
  /** The ZooKeeper server expires the broker's session now (its ephemerals go, its watchers fire); the client learns Expired when it next hears from the server. */
  | { readonly at: number; readonly type: "expireSession"; readonly host: H }
  /** The broker's ZooKeeper client closes its session cleanly (ephemerals deleted at once); the elector is not told and sees SessionExpired on its next request. */
  | { readonly at: number; readonly type: "closeSession"; readonly host: H };

export type FaultType = Fault["type"];

/** Where clock and disk faults land: the world's per-host clocks and disks. */
export interface HostFaultTarget {
  clockJump(host: HostId, byMs: number): void;
  clockDrift(host: HostId, ppm: number, forMs: number): void;
  slowDisk(host: HostId, factor: number, forMs: number): void;
}

/** Told about each fault as it is applied (the world records it and forwards shutdowns). */
export interface FaultListener {
  faultApplied(fault: Fault, index: number): void;
  /** A controlled shutdown: the listener asks the host's elector, then stops the host. */
  shutdownRequested(host: HostId): void;
  /** expireSession / closeSession of a broker's ZooKeeper session (a world without a coordinator ignores them). */
  sessionFault?(host: HostId, how: "expire" | "close"): void;
  /** A host's process was crashed (its operating system resets its connections). */
  processCrashed?(host: HostId): void;
}

/** The hosts a fault names, for timelines and herd accounting. */
export function faultHosts<H>(f: Fault<H>): H[] {
  switch (f.type) {
    case "crash":
    case "restart":
    case "pause":
    case "isolate":
    case "shutdown":
    case "clockJump":
    case "clockDrift":
    case "slowDisk":
    case "expireSession":
    case "closeSession":
      return [f.host];
    case "cut":
    case "clog":
      return [f.from, f.to];
    case "partition":
      return f.groups.flat();
    case "link":
      return [f.from, f.to].filter((h): h is H => h !== undefined);
    case "heal":
      return [];
  }
}

/** One line describing a fault, for timelines. */
export function describeFault(f: Fault): string {
  const h = (r: HostRef): string => (r === "zk" ? "zk" : `host ${r}`);
  switch (f.type) {
    case "crash":
      return `crash ${h(f.host)}`;
    case "restart":
      return `restart ${h(f.host)}`;
    case "pause":
      return `pause ${h(f.host)} for ${f.for} ms`;
    case "partition":
      return `partition ${f.groups.map((g) => `[${g.join(",")}]`).join(" | ")}`;
    case "cut":
      return `cut ${h(f.from)} ${f.bothWays ? "<->" : "->"} ${h(f.to)}`;
    case "isolate":
      return `isolate ${h(f.host)}`;
    case "heal":
      return "heal the network";
    case "clog":
      return `clog ${h(f.from)} -> ${h(f.to)} for ${f.for} ms`;
    case "link": {
      const parts = [
        f.loss !== undefined ? `loss ${f.loss}` : "",
        f.duplicate !== undefined ? `duplicate ${f.duplicate}` : "",
        f.delay !== undefined ? `delay ${JSON.stringify(f.delay)}` : "",
      ].filter((s) => s !== "");
      return `link ${f.from === undefined ? "*" : h(f.from)} -> ${f.to === undefined ? "*" : h(f.to)}: ${parts.join(", ")}`;
    }
    case "shutdown":
      return `controlled shutdown of ${h(f.host)}`;
    case "clockJump":
      return `clock of ${h(f.host)} jumps ${f.byMs >= 0 ? "+" : ""}${f.byMs} ms`;
    case "clockDrift":
      return `clock of ${h(f.host)} drifts ${f.ppm >= 0 ? "+" : ""}${f.ppm} ppm for ${f.forMs} ms`;
    case "slowDisk":
      return `disk of ${h(f.host)} ${f.factor}x slower for ${f.forMs} ms`;
    case "expireSession":
      return `ZooKeeper expires the session of ${h(f.host)}`;
    case "closeSession":
      return `${h(f.host)} closes its ZooKeeper session`;
  }
}

/** Applies a fault schedule to the kernel's hosts and the network at the faults' times. */
export class FaultInjector implements EventHandler {
  private readonly kind: number;
  private readonly resumeKind: number;
  /** Per host: which pause is current and when it ends, so a stale or shorter resume cannot end it. */
  private readonly pauseNumber: Float64Array;
  private readonly pauseEnd: Float64Array;

  constructor(
    private readonly kernel: Kernel,
    private readonly network: Network,
    private readonly coordinatorHost: HostId,
    private readonly listener: FaultListener,
    private readonly hostTarget?: HostFaultTarget,
  ) {
    this.pauseNumber = new Float64Array(kernel.hostCount);
    this.pauseEnd = new Float64Array(kernel.hostCount);
    this.kind = kernel.registerKind("fault", this, false);
    this.resumeKind = kernel.registerKind(
      "resume",
      {
        handle: (host, pause) => {
          if (pause === this.pauseNumber[host] && kernel.now >= this.pauseEnd[host]) kernel.resume(host);
        },
      },
      false,
    );
  }

  /** Schedules every fault of the schedule (sorted by time, ties in schedule order). */
  schedule(faults: readonly Fault[]): void {
    faults.forEach((f, i) => {
      this.kernel.schedule(f.at, this.kind, 0, i, 0, f);
    });
  }

  resolve(ref: HostRef): HostId {
    return ref === "zk" ? this.coordinatorHost : ref;
  }

  handle(_target: number, index: number, _b: number, obj: unknown): void {
    const f = obj as Fault;
    this.apply(f);
    this.listener.faultApplied(f, index);
  }

  private apply(f: Fault): void {
    const k = this.kernel;
    const net = this.network;
    const r = (ref: HostRef): HostId => this.resolve(ref);
    switch (f.type) {
      case "crash": {
        const host = r(f.host);
        const wasUp = k.hostStatus(host) !== HostStatus.Crashed;
        k.crash(host);
        if (wasUp) this.listener.processCrashed?.(host);
        return;
      }
      case "restart":
        k.restart(r(f.host));
        return;
      case "pause": {
        // A pause of a paused host extends it to the later end; a crashed host does not pause.
        const host = r(f.host);
        const end = k.now + f.for;
        if (k.hostStatus(host) === HostStatus.Up) {
          this.pauseNumber[host]++;
          this.pauseEnd[host] = end;
          k.pause(host);
        } else if (k.hostStatus(host) === HostStatus.Paused) {
          this.pauseEnd[host] = Math.max(this.pauseEnd[host], end);
        } else {
          return;
        }
        k.schedule(end, this.resumeKind, host, this.pauseNumber[host], 0, undefined);
        return;
      }
      case "partition":
        net.partition(f.groups.map((g) => g.map(r)));
        return;
      case "cut":
        net.cutLink(r(f.from), r(f.to));
        if (f.bothWays === true) net.cutLink(r(f.to), r(f.from));
        return;
      case "isolate":
        net.isolate(r(f.host));
        return;
      case "heal":
        net.heal();
        return;
      case "clog":
        net.clog(r(f.from), r(f.to), f.for);
        return;
      case "link": {
        const settings = {
          ...(f.loss !== undefined ? { loss: f.loss } : {}),
          ...(f.duplicate !== undefined ? { duplicate: f.duplicate } : {}),
          ...(f.delay !== undefined ? { delay: f.delay } : {}),
        };
        net.setLink(f.from === undefined ? undefined : r(f.from), f.to === undefined ? undefined : r(f.to), settings);
        return;
      }
      case "shutdown":
        this.listener.shutdownRequested(r(f.host));
        return;
      case "clockJump":
        this.hostTarget?.clockJump(r(f.host), f.byMs);
        return;
      case "clockDrift":
        this.hostTarget?.clockDrift(r(f.host), f.ppm, f.forMs);
        return;
      case "slowDisk":
        this.hostTarget?.slowDisk(r(f.host), f.factor, f.forMs);
        return;
      case "expireSession":
        this.listener.sessionFault?.(r(f.host), "expire");
        return;
      case "closeSession":
        this.listener.sessionFault?.(r(f.host), "close");
        return;
    }
  }
}
