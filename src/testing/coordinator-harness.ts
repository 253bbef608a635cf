/**
 * A tiny world for the coordinator's tests: a kernel with N broker hosts plus the ZooKeeper host
 * (the last one), a network that routes to the server and the clients, and a sink recording every
 * ZkEvent per host with its time.
 */
import type { ZkClient, ZkEvent, ZkResult, ZkSessionState, ZkWatchEvent } from "../elector/zookeeper-client.ts";
import { Kernel } from "../sim/kernel.ts";
import { Network, type LinkSettings, type Message } from "../sim/network.ts";
import { RandomStream } from "../sim/random.ts";
import { ZkClients } from "../coordinator/client.ts";
import type { ZkConfig } from "../coordinator/config.ts";
import { ZkServer } from "../coordinator/server.ts";

export interface Recorded {
  readonly t: number;
  readonly event: ZkEvent;
}

/** A constant 0.5 ms one-way link: exact times in tests. */
export const CONSTANT_LINK: LinkSettings = { delay: { kind: "constant", ms: 0.5 }, loss: 0, duplicate: 0 };

export class Harness {
  readonly kernel: Kernel;
  readonly network: Network;
  readonly server: ZkServer;
  readonly clients: ZkClients;
  readonly zk: number;
  readonly events: Recorded[][];
  /** Optional reaction to events (e.g. to issue the next request of a sequential chain). */
  onEvent: ((host: number, event: ZkEvent) => void) | undefined;

  constructor(brokers: number, options: { link?: LinkSettings; config?: Partial<ZkConfig>; seed?: number } = {}) {
    this.kernel = new Kernel(brokers + 1);
    this.zk = brokers;
    this.events = Array.from({ length: brokers }, () => []);
    const self = this;
    this.network = new Network(
      this.kernel,
      new RandomStream(options.seed ?? 1, "network"),
      {
        deliver(to: number, from: number, message: Message): void {
          if (to === self.zk) self.server.deliver(from, message);
          else if (message.type.startsWith("zk.")) self.clients.deliver(to, message);
        },
      },
      options.link ?? CONSTANT_LINK,
    );
    this.server = new ZkServer(this.kernel, this.network, this.zk, options.config ?? {});
    this.clients = new ZkClients(
      this.kernel,
      this.network,
      this.zk,
      {
        zkEvent(host: number, event: ZkEvent): void {
          self.events[host].push({ t: self.kernel.now, event });
          self.onEvent?.(host, event);
        },
      },
      options.config ?? {},
    );
    this.kernel.setLifecycleListener({
      hostCrashed(host: number): void {
        if (host === self.zk) self.server.hostCrashed();
        else self.clients.hostCrashed(host);
      },
      hostRestarted(host: number): void {
        if (host === self.zk) self.server.hostRestarted();
      },
    });
  }

  client(host: number): ZkClient {
    return this.clients.client(host);
  }

  run(until: number): void {
    this.kernel.runUntil(until);
  }

  /** Advances time by `ms`. */
  advance(ms: number): void {
    this.kernel.runUntil(this.kernel.now + ms);
  }

  /** Connects the given hosts and runs until they are connected. */
  connectAll(hosts: readonly number[], timeoutMs = 6000): void {
    for (const h of hosts) this.client(h).connect(timeoutMs);
    this.advance(10);
  }

  results(host: number): (ZkResult & { t: number })[] {
    return this.events[host].filter((r) => r.event.kind === "result").map((r) => ({ ...(r.event as ZkResult), t: r.t }));
  }

  result(host: number, tag: number): ZkResult & { t: number } {
    const found = this.results(host).filter((r) => r.tag === tag);
    if (found.length !== 1) throw new Error(`expected one result with tag ${tag} on host ${host}, got ${found.length}`);
    return found[0];
  }

  watches(host: number): (ZkWatchEvent & { t: number })[] {
    return this.events[host].filter((r) => r.event.kind === "watch").map((r) => ({ ...(r.event as ZkWatchEvent), t: r.t }));
  }

  sessionStates(host: number): { state: ZkSessionState; t: number }[] {
    return this.events[host]
      .filter((r) => r.event.kind === "session")
      .map((r) => ({ state: (r.event as { state: ZkSessionState }).state, t: r.t }));
  }

  /** Event kinds in order, compactly: "result:7:ok", "watch:deleted:/a", "session:connected". */
  trace(host: number): string[] {
    return this.events[host].map(({ event: e }) => {
      if (e.kind === "result") return `result:${e.tag}:${e.err}`;
      if (e.kind === "watch") return `watch:${e.type}:${e.path}`;
      return `session:${e.state}`;
    });
  }

  clear(host: number): void {
    this.events[host].length = 0;
  }
}
