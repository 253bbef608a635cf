/**
 * The testing kit's recording observer: every Observer call of every host, with its time, kept
 * twice — in the lab's typed ObservationLog (so the real checker can judge a test run) and as
 * plain objects a test can filter and print. Host lifecycle changes are logged too, as the world
 * logs them, so leadership intervals end at a crash.
 */
import type { HostId, Observer, PartitionId } from "../elector/api.ts";
import { Obs, ObservationLog, type ObsKind } from "../record/observation-log.ts";

export type DeclarationKind =
  | "lead"
  | "follow"
  | "stepDown"
  | "ack"
  | "reject"
  | "campaign"
  | "controller"
  | "controllerResigned"
  | "append"
  | "truncate"
  | "commit";

/**
 * One declaration. The value columns mean what they mean in the ObservationLog:
 * lead: a = epoch; follow: a = leader, b = epoch; ack: a = epoch, b = writeId; reject: b = writeId;
 * controller: a = epoch; append: a = position, b = writeId, c = epoch; truncate: a = first position
 * dropped; commit: a = committed count.
 */
export interface Declaration {
  readonly time: number;
  readonly host: HostId;
  readonly kind: DeclarationKind;
  /** -1 for cluster-wide declarations (controller). */
  readonly partition: PartitionId;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

const KIND_OF: Record<DeclarationKind, ObsKind> = {
  lead: Obs.Lead,
  follow: Obs.Follow,
  stepDown: Obs.StepDown,
  ack: Obs.Ack,
  reject: Obs.Reject,
  campaign: Obs.Campaign,
  controller: Obs.Controller,
  controllerResigned: Obs.ControllerResigned,
  append: Obs.Append,
  truncate: Obs.Truncate,
  commit: Obs.Commit,
};

/** Hears every producer answer an elector gives (the testbed turns it into client history). */
export interface AnswerListener {
  answered(host: HostId, partition: PartitionId, writeId: number, ok: boolean): void;
}

export class Recorder {
  readonly log = new ObservationLog();
  readonly declarations: Declaration[] = [];

  constructor(
    private readonly clock: () => number,
    private readonly answers?: AnswerListener,
  ) {}

  /** The observer handed to host `host`'s elector. */
  observerFor(host: HostId): Observer {
    return {
      lead: (p, epoch) => this.declare(host, "lead", p, epoch, 0, 0),
      follow: (p, leader, epoch) => this.declare(host, "follow", p, leader, epoch, 0),
      stepDown: (p) => this.declare(host, "stepDown", p, 0, 0, 0),
      acknowledged: (p, writeId, epoch) => {
        this.declare(host, "ack", p, epoch, writeId, 0);
        this.answers?.answered(host, p, writeId, true);
      },
      rejected: (p, writeId) => {
        this.declare(host, "reject", p, 0, writeId, 0);
        this.answers?.answered(host, p, writeId, false);
      },
      campaign: (p) => this.declare(host, "campaign", p, 0, 0, 0),
      controller: (epoch) => this.declare(host, "controller", -1, epoch, 0, 0),
      controllerResigned: () => this.declare(host, "controllerResigned", -1, 0, 0, 0),
      append: (p, writeId, position, epoch) => this.declare(host, "append", p, position, writeId, epoch),
      truncate: (p, from) => this.declare(host, "truncate", p, from, 0, 0),
      commit: (p, count) => this.declare(host, "commit", p, count, 0, 0),
    };
  }

  /** Logs a host lifecycle change or another lab event (Obs.Crash, Obs.Restart, ...). */
  event(host: HostId, kind: ObsKind, partition = -1, a = 0, b = 0): void {
    this.log.record(this.clock(), host, kind, partition, a, b);
  }

  private declare(host: HostId, kind: DeclarationKind, partition: PartitionId, a: number, b: number, c: number): void {
    const time = this.clock();
    this.declarations.push({ time, host, kind, partition, a, b, c });
    this.log.record(time, host, KIND_OF[kind], partition, a, b, c);
  }

  // ---- queries ----

  /** Declarations of `kind`, optionally of one partition and/or one host. */
  of(kind: DeclarationKind, partition?: PartitionId, host?: HostId): Declaration[] {
    return this.declarations.filter(
      (d) => d.kind === kind && (partition === undefined || d.partition === partition) && (host === undefined || d.host === host),
    );
  }

  count(kind: DeclarationKind, partition?: PartitionId, host?: HostId): number {
    return this.of(kind, partition, host).length;
  }

  /** The hosts that declared lead(p, epoch), per "p:epoch". Two hosts under one key: same-epoch leaders. */
  leadersByEpoch(): Map<string, Set<HostId>> {
    const m = new Map<string, Set<HostId>>();
    for (const d of this.declarations) {
      if (d.kind !== "lead") continue;
      const key = `${d.partition}:${d.a}`;
      let s = m.get(key);
      if (s === undefined) m.set(key, (s = new Set()));
      s.add(d.host);
    }
    return m;
  }

  /**
   * What host `host`'s replica of `partition` holds, replayed from its append/truncate declarations:
   * write ids by position (-1 for entries that are not producer writes), and the committed count.
   */
  replica(host: HostId, partition: PartitionId): { readonly writes: number[]; readonly epochs: number[]; readonly committed: number } {
    const writes: number[] = [];
    const epochs: number[] = [];
    let committed = 0;
    for (const d of this.declarations) {
      if (d.host !== host || d.partition !== partition) continue;
      if (d.kind === "append") {
        writes.length = d.a;
        epochs.length = d.a;
        writes[d.a] = d.b;
        epochs[d.a] = d.c;
      } else if (d.kind === "truncate") {
        writes.length = Math.min(writes.length, d.a);
        epochs.length = writes.length;
      } else if (d.kind === "commit") {
        committed = d.a;
      }
    }
    return { writes, epochs, committed };
  }
}
