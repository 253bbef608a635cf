/**
 * Connections' peer list (stop 32): kept as relations come and go instead of found at boot, it must
 * make the ping tick visit, time out and ping exactly the hosts, in exactly the order, that a walk
 * over every host in ascending order skipping those with no relation would — also when a lost
 * connection ends relations and starts others in the middle of the walk.
 */
import { fc, test } from "@fast-check/vitest";
import { expect } from "vitest";
import type { ClusterView, HostId } from "../../src/elector/api.ts";
import { Connections } from "./connections.ts";
import type { ZabCore } from "./core.ts";
import type { GroupTable } from "./group-table.ts";
import type { Outbox } from "./outbox.ts";

const HOSTS = 8;
const ME = 0;
const SYNC_LIMIT = 100;

/** What a lost connection to a host does to the relations: ends `down` of them, starts one with each of `up`. */
interface OnLoss {
  readonly down: number;
  readonly up: readonly HostId[];
}

interface Script {
  /** Relation changes before the tick: +h relationUp(h), -h-1 relationDown(h). */
  readonly before: readonly number[];
  /** Hosts last heard from long ago (time 0): the tick finds them timed out. */
  readonly silent: readonly boolean[];
  readonly onLoss: readonly OnLoss[];
}

const peer = fc.integer({ min: 1, max: HOSTS - 1 });
const script: fc.Arbitrary<Script> = fc.record({
  before: fc.array(fc.oneof(peer, peer.map((h) => -h - 1)), { maxLength: 40 }),
  silent: fc.array(fc.boolean(), { minLength: HOSTS, maxLength: HOSTS }),
  onLoss: fc.array(fc.record({ down: fc.integer({ min: 0, max: 3 }), up: fc.array(peer, { maxLength: 3 }) }), { minLength: HOSTS, maxLength: HOSTS }),
});

type Step = `ping ${number}` | `lost ${number}`;

/** The tick on the real Connections: what it pinged and which connections it found lost, in order. */
function realTick(s: Script): Step[] {
  const steps: Step[] = [];
  let conn: Connections | undefined;
  let lostHost = -1;
  const outbox = {
    emit0: (to: HostId) => steps.push(`ping ${to}`),
    newConnection: (to: HostId) => {
      lostHost = to;
      steps.push(`lost ${to}`);
    },
  } as unknown as Outbox;
  // One group whose every slot is the lost host: lost() calls peerLost once, which applies the script.
  const table = { groups: 1, slotOf: () => 0 } as unknown as GroupTable;
  const core = {
    peerLost: () => {
      const c = conn as Connections;
      const { down, up } = s.onLoss[lostHost];
      for (let i = 0; i < down; i++) c.relationDown(lostHost);
      for (const h of up) c.relationUp(h, 1_000);
    },
  } as unknown as ZabCore;
  const cluster = { brokers: HOSTS } as ClusterView;
  conn = new Connections(cluster, table, core, outbox, SYNC_LIMIT);
  conn.start(0);
  for (const op of s.before) {
    if (op >= 0) conn.relationUp(op, 0);
    else conn.relationDown(-op - 1);
  }
  // Hosts not silent were heard from just now; the silent ones at 0.
  for (let h = 0; h < HOSTS; h++) if (!s.silent[h]) conn.receive(h, { type: "Ping", conn: 7, seq: 1, items: [] }, 1_000);
  steps.length = 0;
  conn.tick(1_000);
  return steps;
}

/** The walk the peer list replaced: every other host in ascending order, those with no relation skipped. */
function referenceTick(s: Script): Step[] {
  const steps: Step[] = [];
  const rel = new Int32Array(HOSTS);
  for (const op of s.before) {
    if (op >= 0) rel[op]++;
    else rel[-op - 1]--;
  }
  const heard: number[] = s.silent.map((silent) => (silent ? 0 : 1_000));
  for (let h = 0; h < HOSTS; h++) {
    if (h === ME || rel[h] === 0) continue;
    if (1_000 - heard[h] > SYNC_LIMIT) {
      steps.push(`lost ${h}`);
      heard[h] = 1_000;
      rel[h] -= s.onLoss[h].down;
      for (const u of s.onLoss[h].up) {
        if (rel[u]++ === 0) heard[u] = Math.max(heard[u], 1_000);
      }
    }
    if (rel[h] > 0) steps.push(`ping ${h}`);
  }
  return steps;
}

test.prop([script], { numRuns: 400 })("the tick visits the peers a walk over every host would, in its order", (s) => {
  expect(realTick(s)).toEqual(referenceTick(s));
});
