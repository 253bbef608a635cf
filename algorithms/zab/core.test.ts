/**
 * The protocol core on its own, with no host, timers or network: inputs are group messages and
 * deadlines, outputs are what it queued on its CorePort. This is the shape exploration and
 * property tools can drive step by step.
 */
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { ClusterModel } from "../../src/cluster/cluster-model.ts";
import type { Observer } from "../../src/elector/api.ts";
import type { CorePort } from "./core-port.ts";
import { ZabCore } from "./core.ts";
import { loadDurable } from "./durable-state.ts";
import { FOLLOWING, LEADING, LOOKING } from "./fle.ts";
import { GroupTable } from "./group-table.ts";
import { zab } from "./index.ts";
import { T } from "./messages.ts";

/** A CorePort that records every output. */
class RecordingPort implements CorePort {
  time = 0;
  readonly sent: [to: number, type: number, ...fields: number[]][] = [];
  readonly deadlines = new Map<number, number>();
  readonly declared: string[] = [];
  readonly observer: Observer = {
    lead: (p, e) => this.declared.push(`lead ${p} ${e}`),
    follow: (p, l, e) => this.declared.push(`follow ${p} ${l} ${e}`),
    stepDown: (p) => this.declared.push(`stepDown ${p}`),
    acknowledged: (p, w, e) => this.declared.push(`ack ${p} ${w} ${e}`),
    rejected: (p, w) => this.declared.push(`reject ${p} ${w}`),
    campaign: (p) => this.declared.push(`campaign ${p}`),
    controller: () => {},
    controllerResigned: () => {},
    append: (p, w, i, e) => this.declared.push(`append ${p} ${w} ${i} ${e}`),
    truncate: (p, i) => this.declared.push(`truncate ${p} ${i}`),
    commit: (p, n) => this.declared.push(`commit ${p} ${n}`),
  };
  now(): number {
    return this.time;
  }
  emit2(to: number, type: number, p: number, a: number): void {
    this.sent.push([to, type, p, a]);
  }
  emit3(to: number, type: number, p: number, a: number, b: number): void {
    this.sent.push([to, type, p, a, b]);
  }
  emit4(to: number, type: number, p: number, a: number, b: number, c: number): void {
    this.sent.push([to, type, p, a, b, c]);
  }
  emit6(to: number, type: number, p: number, a: number, b: number, c: number, d: number, e: number): void {
    this.sent.push([to, type, p, a, b, c, d, e]);
  }
  schedule(g: number, atMs: number): void {
    this.deadlines.set(g, atMs);
  }
  cancel(g: number): void {
    this.deadlines.delete(g);
  }
  relationUp(): void {}
  relationDown(): void {}
  take(): [number, number, ...number[]][] {
    return this.sent.splice(0);
  }
}

function coreOf(host: number): { core: ZabCore; port: RecordingPort } {
  const cluster = ClusterModel.fromReplicaLists(3, [[0, 1, 2]]);
  const store = new Map<string, unknown>();
  const table = new GroupTable(cluster, host);
  const durable = loadDurable({ get: <V>(k: string) => store.get(k) as V | undefined, set: (k, v) => void store.set(k, v) }, table.groups);
  const port = new RecordingPort();
  const core = new ZabCore(table, durable, port, Schema.decodeUnknownSync(zab.options)({}));
  return { core, port };
}

describe("ZabCore driven by hand", () => {
  it("boots LOOKING: votes for itself to both peers and waits minNotificationInterval", () => {
    const { core, port } = coreOf(2);
    core.start();
    // Notification: p, state, leader, zxid, round, peer epoch.
    expect(port.take()).toEqual([
      [0, T.Notification, 0, LOOKING, 2, 0, 1, 0],
      [1, T.Notification, 0, LOOKING, 2, 0, 1, 0],
    ]);
    expect(port.deadlines.get(0)).toBe(200);
    expect(port.declared).toEqual(["campaign 0"]);
  });

  it("a quorum agreeing with its vote starts finalizeWait; the deadline settles it; a leader starts discovery", () => {
    const { core, port } = coreOf(2);
    core.start();
    port.take();
    port.time = 1;
    // Host 0 (slot 0) votes for host 2 in round 1: with our own vote, a quorum of three.
    core.step(T.Notification, 0, 0, [0, LOOKING, 2, 0, 1, 0], 0);
    expect(core.phaseOf(0)).toBe("FINALIZING");
    expect(port.deadlines.get(0)).toBe(201);
    port.time = 201;
    core.onDeadline(0);
    expect(core.phaseOf(0)).toBe("L_DISCOVERY");
    // FOLLOWERINFO from slot 0 (acceptedEpoch 0): a quorum with us, epoch 1 proposed in LEADERINFO.
    core.step(T.FollowerInfo, 0, 0, [0, 0], 0);
    expect(port.take()).toEqual([[0, T.LeaderInfo, 0, 1]]);
    expect(core.durable.acceptedEpoch[0]).toBe(1);
    // ACKEPOCH (currentEpoch 0, empty log): NEWLEADER, no TRUNC or DIFF needed.
    core.step(T.AckEpoch, 0, 0, [0, 0, 0], 0);
    expect(port.take()).toEqual([[0, T.NewLeader, 0, 1, 0]]);
    // Its ACK of NEWLEADER (zxid (1, 0)): established; lead declared, UPTODATE sent.
    core.step(T.Ack, 0, 0, [0, 4294967296], 0);
    expect(core.phaseOf(0)).toBe("LEADING");
    expect(port.take()).toEqual([[0, T.UpToDate, 0, 1]]);
    expect(port.declared).toEqual(["campaign 0", "lead 0 1"]); // an empty initial history: nothing to commit
    // A write: logged (append declared), proposed to the synced learner.
    core.onWrite(0, 0, 42);
    expect(port.take()).toEqual([[0, T.Proposal, 0, 4294967297, 42]]);
    core.step(T.Ack, 0, 0, [0, 4294967297], 0);
    expect(port.take()).toEqual([[0, T.Commit, 0, 4294967297]]);
    expect(port.declared.slice(2)).toEqual(["append 0 42 0 1", "commit 0 1", "ack 0 42 1"]);
  });

  it("a peer that is not LOOKING answers a LOOKING one with its state and vote (WorkerReceiver)", () => {
    const { core, port } = coreOf(0);
    core.start();
    port.take();
    // Host 2 is LEADING in round 1 with epoch 0 and so is host 1 (FOLLOWING): we join outofelection.
    core.step(T.Notification, 0, 2, [0, LEADING, 2, 0, 1, 0], 0);
    core.step(T.Notification, 0, 1, [0, FOLLOWING, 2, 0, 1, 0], 0);
    expect(core.phaseOf(0)).toBe("F_DISCOVERY");
    expect(port.take()).toEqual([[2, T.FollowerInfo, 0, 0]]);
    core.step(T.Notification, 0, 1, [0, LOOKING, 1, 0, 3, 0], 0);
    expect(port.take()).toEqual([[1, T.Notification, 0, FOLLOWING, 2, 0, 1, 0]]);
  });
});
