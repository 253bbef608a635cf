/**
 * A real etcd 3.4 cluster on loopback with its defaults (3 members, --heartbeat-interval 100,
 * --election-timeout 1000): kill -9 the leader, time until a surviving member reports a new
 * leader (polled every 5 ms through the v3 JSON gateway, /v3/maintenance/status), restart the
 * member, wait until all three agree again; repeat. Processes and data directories are this
 * script's own, under a fresh temporary directory, and are removed at the end.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ETCD = "/usr/bin/etcd";
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Member {
  readonly name: string;
  readonly client: number;
  readonly peer: number;
  proc: ChildProcess | undefined;
}

async function status(m: Member): Promise<{ id: string; leader: string } | undefined> {
  try {
    const r = await fetch(`http://127.0.0.1:${m.client}/v3/maintenance/status`, { method: "POST", body: "{}", signal: AbortSignal.timeout(200) });
    if (!r.ok) return undefined;
    const j = (await r.json()) as { header?: { member_id?: string }; leader?: string };
    if (j.header?.member_id === undefined || j.leader === undefined || j.leader === "0") return undefined;
    return { id: j.header.member_id, leader: j.leader };
  } catch {
    return undefined;
  }
}

export async function measureEtcd(trials: number, say: (line: string) => void, basePort = 23790): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), "electorate-etcd-"));
  const members: Member[] = [0, 1, 2].map((i) => ({ name: `m${i}`, client: basePort + 2 * i, peer: basePort + 2 * i + 1, proc: undefined }));
  const cluster = members.map((m) => `${m.name}=http://127.0.0.1:${m.peer}`).join(",");
  const start = (m: Member, state: "new" | "existing"): void => {
    m.proc = spawn(
      ETCD,
      [
        "--name", m.name, "--data-dir", join(dir, m.name),
        "--listen-client-urls", `http://127.0.0.1:${m.client}`, "--advertise-client-urls", `http://127.0.0.1:${m.client}`,
        "--listen-peer-urls", `http://127.0.0.1:${m.peer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${m.peer}`,
        "--initial-cluster", cluster, "--initial-cluster-state", state, "--initial-cluster-token", "electorate-parity",
      ],
      { stdio: "ignore" },
    );
  };
  /** Waits until every running member reports the same leader; returns it. */
  const agreed = async (timeoutMs: number): Promise<{ leader: string; ids: Map<Member, string> } | undefined> => {
    const t0 = performance.now();
    while (performance.now() - t0 < timeoutMs) {
      for (const m of members) if (m.proc !== undefined && m.proc.exitCode !== null) start(m, "existing");
      const s = await Promise.all(members.map(status));
      if (s.every((x) => x !== undefined) && s.every((x) => x!.leader === s[0]!.leader)) {
        return { leader: s[0]!.leader, ids: new Map(members.map((m, i) => [m, s[i]!.id])) };
      }
      await sleep(100);
    }
    return undefined;
  };
  const samples: number[] = [];
  try {
    for (const m of members) start(m, "new");
    for (let t = 0; t < trials; t++) {
      const a = await agreed(60_000);
      if (a === undefined) throw new Error("etcd: the members did not agree on a leader within 60 s");
      await sleep(2000); // a settled leader, as after a while in service
      const leader = members.find((m) => a.ids.get(m) === a.leader)!;
      const others = members.filter((m) => m !== leader);
      leader.proc?.kill("SIGKILL");
      const t0 = performance.now();
      let took: number | undefined;
      while (performance.now() - t0 < 30_000) {
        const s = await Promise.all(others.map(status));
        if (s.some((x) => x !== undefined && x.leader !== a.leader)) {
          took = performance.now() - t0;
          break;
        }
        await sleep(5);
      }
      if (took === undefined) throw new Error("etcd: no new leader within 30 s");
      samples.push(took);
      say(`etcd: trial ${t + 1}: new leader after ${took.toFixed(0)} ms`);
      const gone = (p: ChildProcess | undefined): boolean => p === undefined || p.exitCode !== null || p.signalCode !== null;
      await new Promise<void>((r) => (gone(leader.proc) ? r() : leader.proc!.once("exit", () => r())));
      await sleep(500); // let the killed member's ports go before it starts again
      start(leader, "existing");
    }
  } finally {
    for (const m of members) m.proc?.kill("SIGKILL");
    await sleep(300);
    rmSync(dir, { recursive: true, force: true });
  }
  return samples;
}
