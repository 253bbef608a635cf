/**
 * Coalesced heartbeats (CockroachDB's Store.coalescedHeartbeats), a host-layer mechanism: one
 * heartbeat per ordered pair of hosts per interval for every group the sender leads with the
 * receiver, instead of one per group and follower. README.md explains the design:
 *
 *  - a *leadership generation* per (leader host, follower host), bumped whenever the leader host
 *    stops leading any group shared with the follower (and at restart: durable);
 *  - a follower group is kept alive by its leader host's heartbeat only if that leader asserted
 *    leadership of the group at the generation the follower holds for it;
 *  - while the follower has not acknowledged the leader's generation, the heartbeat lists every
 *    (partition, term) the leader leads with it; groups *parked* on the leader (asleep in the
 *    deadline wheel's holding list of that host) and missing from the list lose their leader;
 *  - a heartbeat the follower answers carries no per-group term, so a deposed leader would never
 *    hear that a group's term moved on (nothing else may reach it: with check-quorum it ignores
 *    vote requests, and its host stays "active" for as long as it exchanges heartbeats). So the
 *    follower remembers, per group, the host whose leadership it last accepted; when the group's
 *    term rises past that host's, the next heartbeat response to it lists (partition, term) —
 *    what an etcd follower answers a stale heartbeat with (an MsgAppResp with its term), sent
 *    once per change instead of once per interval.
 *
 * Per-group rules stay in the core; this class decides only who is kept alive by whom.
 */
import type { DeadlineWheel } from "../../src/elector/deadline-wheel.ts";
import type { DurableStore, HostId } from "../../src/elector/api.ts";
import { LEADER, type GroupLayout } from "./layout.ts";
import {
  COALESCED,
  COALESCED_BYTES,
  COALESCED_ENTRY_BYTES,
  COALESCED_RESP,
  COALESCED_RESP_BYTES,
  type CoalescedHeartbeat,
  type CoalescedHeartbeatResponse,
} from "./messages.ts";
import type { RaftOptions } from "./options.ts";
import type { RaftPort } from "./port.ts";
import type { RaftCore } from "./raft-core.ts";

/** A leaderGen that matches no generation (inGen starts at -1, generations at 1). */
const NO_GEN = -2;

export class CoalescedHeartbeats {
  /** Our leadership generation towards each peer host (durable: bumped on every step-down and restart). */
  readonly outGen: Int32Array;
  /** Groups this host leads that the peer replicates. */
  private readonly ledWith: Int32Array;
  /** The peer's last acknowledged generation of ours. */
  private readonly ackedGen: Int32Array;
  /** The peer's generation towards us that we hold, and when its last host heartbeat at it arrived. */
  private readonly inGen: Int32Array;
  readonly hbAt: Float64Array;
  /** Per group: the leader's generation towards us when it last asserted leadership of the group. */
  private readonly leaderGen: Int32Array;
  /** Per group: the host whose leadership we last accepted (-1 none). */
  private readonly claimant: Int32Array;
  /** Per peer host: partitions whose term rose past that host's leadership, to tell it. */
  private readonly superseded: number[][];
  private readonly parkScratch: Int32Array;
  private nextBeatAt = 0;
  /** send()'s per-peer list counts (-1: no list), reused. */
  private readonly counts: Int32Array;
  /**
   * Per peer host: the last list-free heartbeat sent to it and response sent back to it. Messages
   * are immutable, so one is sent again while its generation holds (most intervals) instead of a
   * new object per interval.
   */
  private readonly plainBeat: (CoalescedHeartbeat | undefined)[];
  private readonly plainResp: (CoalescedHeartbeatResponse | undefined)[];

  constructor(
    private readonly layout: GroupLayout,
    private readonly core: RaftCore,
    private readonly wheel: DeadlineWheel,
    private readonly port: RaftPort,
    private readonly o: RaftOptions,
    store: DurableStore,
  ) {
    const brokers = layout.brokers;
    let outGen = store.get<Int32Array>("raft.gen");
    if (outGen === undefined) {
      outGen = new Int32Array(brokers);
      store.set("raft.gen", outGen);
    }
    this.outGen = outGen;
    this.ledWith = new Int32Array(brokers);
    this.ackedGen = new Int32Array(brokers).fill(-1);
    this.inGen = new Int32Array(brokers).fill(-1);
    this.hbAt = new Float64Array(brokers).fill(-Infinity);
    const n = o.coalescedHeartbeats ? layout.n : 0;
    this.leaderGen = new Int32Array(n).fill(NO_GEN);
    this.claimant = new Int32Array(n).fill(-1);
    this.superseded = Array.from({ length: o.coalescedHeartbeats ? brokers : 0 }, () => []);
    this.parkScratch = new Int32Array(n);
    this.counts = new Int32Array(brokers);
    this.plainBeat = new Array<CoalescedHeartbeat | undefined>(brokers).fill(undefined);
    this.plainResp = new Array<CoalescedHeartbeatResponse | undefined>(brokers).fill(undefined);
  }

  /** A (re)started host leads nothing: every peer's view of our leadership is out of date. */
  start(now: number): void {
    for (let h = 0; h < this.layout.brokers; h++) this.outGen[h]++;
    this.nextBeatAt = now + this.o.heartbeatInterval;
  }

  /**
   * Settled start (lab addition, settled.ts), after start(): every peer acknowledged our boot
   * generation and we hold its; each follower group accepted its leader at that generation.
   * `leaders` is per local group.
   */
  settled(leaders: Int32Array): void {
    const { brokers, self, n } = this.layout;
    for (let h = 0; h < brokers; h++) {
      if (h === self) continue;
      this.ackedGen[h] = this.outGen[h];
      this.inGen[h] = 1;
    }
    if (!this.o.coalescedHeartbeats) return;
    for (let g = 0; g < n; g++) {
      const l = leaders[g];
      if (l === self) continue;
      this.leaderGen[g] = this.inGen[l];
      this.claimant[g] = l;
    }
  }

  // ---- leadership bookkeeping (called through the port by the core) ----

  leadershipStarted(g: number): void {
    for (let j = 0; j < this.layout.rf; j++) {
      const r = this.layout.replica(g, j);
      if (r !== this.layout.self) this.ledWith[r]++;
    }
  }

  leadershipEnded(g: number): void {
    for (let j = 0; j < this.layout.rf; j++) {
      const r = this.layout.replica(g, j);
      if (r === this.layout.self) continue;
      this.ledWith[r]--;
      this.outGen[r]++;
    }
  }

  leaderChanged(g: number): void {
    if (!this.o.coalescedHeartbeats) return;
    this.leaderGen[g] = NO_GEN;
    if (this.wheel.heldIn(g) >= 0) this.wheel.unlink(g);
  }

  leaderAsserted(g: number, gen: number): void {
    if (!this.o.coalescedHeartbeats) return;
    if (gen > this.leaderGen[g]) this.leaderGen[g] = gen;
    this.claimant[g] = this.core.leader[g];
  }

  /** Group g's term rose: if another host's leadership of it was accepted here, that host must learn it. */
  termRaised(g: number): void {
    if (!this.o.coalescedHeartbeats) return;
    const c = this.claimant[g];
    if (c < 0 || c === this.core.leader[g]) return;
    this.claimant[g] = -1;
    if (c !== this.layout.self) this.superseded[c].push(this.layout.parts[g]);
  }

  /** Host l's heartbeat, at the generation group g holds for it, arrived after `since`. */
  heardSince(g: number, l: HostId, since: number): boolean {
    return this.o.coalescedHeartbeats && this.leaderGen[g] === this.inGen[l] && this.hbAt[l] > since;
  }

  /**
   * A follower group's deadline came due: is its leader alive through the host-level heartbeat?
   * Then park it on the leader's host (or move its deadline) and return true; else it campaigns.
   */
  keepsAlive(g: number, now: number): boolean {
    const l = this.core.leader[g];
    if (l < 0 || this.leaderGen[g] !== this.inGen[l]) return false;
    if (this.hbAt[l] + this.o.electionTimeoutMin > now) {
      this.wheel.hold(g, l);
      return true;
    }
    const heard = this.hbAt[l] + this.core.timeout[g];
    if (heard > now) {
      this.core.deadline[g] = heard;
      this.wheel.visitBy(g, heard);
      return true;
    }
    return false;
  }

  /** Host h went quiet: its parked groups go back to the wheel and time out as usual. */
  wakeParked(h: HostId, now: number): void {
    if (this.wheel.heldCount[h] === 0 || now - this.hbAt[h] < this.o.electionTimeoutMin) return;
    const count = this.wheel.drainHeld(h, this.parkScratch);
    const core = this.core;
    for (let i = 0; i < count; i++) {
      const g = this.parkScratch[i];
      const heard = this.hbAt[h] + core.timeout[g];
      if (heard > core.deadline[g]) core.deadline[g] = heard;
      this.wheel.visitBy(g, core.deadline[g]);
    }
  }

  // ---- sending ----

  /** Sends this interval's heartbeats if due. */
  beat(now: number): void {
    if (now < this.nextBeatAt) return;
    this.send();
    this.nextBeatAt += this.o.heartbeatInterval;
    if (this.nextBeatAt <= now) this.nextBeatAt = now + this.o.heartbeatInterval;
  }

  private send(): void {
    const { brokers, self, rf, n, parts } = this.layout;
    const role = this.core.role;
    const term = this.core.term;
    // Which peers need the list of what we lead with them (they have not acknowledged our generation)?
    let listing = 0;
    const counts = this.counts.fill(-1);
    for (let h = 0; h < brokers; h++) {
      if (h !== self && this.ackedGen[h] !== this.outGen[h]) {
        counts[h] = 0;
        listing++;
      }
    }
    let lists: Int32Array[] | undefined;
    let terms: Int32Array[] | undefined;
    if (listing > 0) {
      // One pass over our groups counts, a second fills every list.
      for (let g = 0; g < n; g++) {
        if (role[g] !== LEADER) continue;
        for (let j = 0; j < rf; j++) {
          const r = this.layout.replica(g, j);
          if (r !== self && counts[r] >= 0) counts[r]++;
        }
      }
      lists = new Array<Int32Array>(brokers);
      terms = new Array<Int32Array>(brokers);
      for (let h = 0; h < brokers; h++) {
        if (counts[h] >= 0) {
          lists[h] = new Int32Array(counts[h]);
          terms[h] = new Int32Array(counts[h]);
          counts[h] = 0;
        }
      }
      for (let g = 0; g < n; g++) {
        if (role[g] !== LEADER) continue;
        for (let j = 0; j < rf; j++) {
          const r = this.layout.replica(g, j);
          if (r === self || counts[r] < 0) continue;
          const k = counts[r]++;
          lists[r][k] = parts[g];
          terms[r][k] = term[g];
        }
      }
    }
    for (let h = 0; h < brokers; h++) {
      if (h === self) continue;
      const list = counts[h] >= 0;
      if (!list && this.ledWith[h] === 0) continue;
      if (list) {
        const msg: CoalescedHeartbeat = { type: COALESCED, gen: this.outGen[h], parts: lists![h], terms: terms![h] };
        this.port.send(h, msg, COALESCED_BYTES + lists![h].length * COALESCED_ENTRY_BYTES);
        continue;
      }
      let msg = this.plainBeat[h];
      if (msg === undefined || msg.gen !== this.outGen[h]) {
        msg = { type: COALESCED, gen: this.outGen[h], parts: null, terms: null };
        this.plainBeat[h] = msg;
      }
      this.port.send(h, msg, COALESCED_BYTES);
    }
  }

  // ---- receiving ----

  onHeartbeat(from: HostId, m: CoalescedHeartbeat): void {
    const now = this.port.now();
    if (m.parts !== null && m.terms !== null && m.gen >= this.inGen[from]) {
      this.inGen[from] = m.gen;
      this.hbAt[from] = now;
      this.applyList(from, m.gen, m.parts, m.terms);
    } else if (m.gen === this.inGen[from]) {
      this.hbAt[from] = now;
    }
    const stale = this.superseded[from];
    if (stale.length > 0) {
      const parts = Int32Array.from(stale);
      const terms = new Int32Array(stale.length);
      for (let i = 0; i < stale.length; i++) terms[i] = this.core.term[this.layout.local(stale[i])];
      stale.length = 0;
      const resp: CoalescedHeartbeatResponse = { type: COALESCED_RESP, gen: this.inGen[from], parts, terms };
      this.port.send(from, resp, COALESCED_RESP_BYTES + parts.length * COALESCED_ENTRY_BYTES);
      return;
    }
    let resp = this.plainResp[from];
    if (resp === undefined || resp.gen !== this.inGen[from]) {
      resp = { type: COALESCED_RESP, gen: this.inGen[from], parts: null, terms: null };
      this.plainResp[from] = resp;
    }
    this.port.send(from, resp, COALESCED_RESP_BYTES);
  }

  onResponse(from: HostId, m: CoalescedHeartbeatResponse): void {
    this.ackedGen[from] = m.gen;
    if (m.parts === null || m.terms === null) return;
    for (let i = 0; i < m.parts.length; i++) {
      const g = this.layout.local(m.parts[i]);
      // §5.1: a higher term in a reply turns us into a follower (a deposed leader steps down).
      if (g >= 0 && m.terms[i] > this.core.term[g]) this.core.becomeFollower(g, m.terms[i], -1);
    }
  }

  /** `l` leads exactly these groups with us at generation `gen`: a heartbeat for each, and no more for the rest. */
  private applyList(l: HostId, gen: number, parts: Int32Array, terms: Int32Array): void {
    const core = this.core;
    for (let i = 0; i < parts.length; i++) {
      const g = this.layout.local(parts[i]);
      if (g < 0) continue;
      const t = terms[i];
      if (t < core.term[g]) {
        // §5.1: a stale leader learns our term from the reply and steps down.
        core.replyHeartbeat(l, parts[i], core.term[g], -1);
        continue;
      }
      core.leaderContact(g, l, t, gen);
    }
    // Groups parked on `l` that it no longer leads lose their leader and wait out a timeout.
    const count = this.wheel.drainHeld(l, this.parkScratch);
    const now = this.port.now();
    for (let i = 0; i < count; i++) {
      const g = this.parkScratch[i];
      if (core.leader[g] === l && this.leaderGen[g] === gen) {
        this.wheel.hold(g, l);
        continue;
      }
      core.leaderGone(g, now);
    }
  }
}
