/**
 * The ZooKeeper paper's figure (Hunt et al., USENIX ATC 2010, §2.3): "a new leader that must
 * update 5000 different znodes will take 10 seconds if the requests are issued one after the
 * other; by issuing the requests asynchronously ... less than a second" — in the model (default
 * link 0.2-0.6 ms) with a given cost profile, and on a real server through node-zookeeper-client.
 */
import zookeeper from "node-zookeeper-client";
import type { ZkConfig } from "../src/coordinator/config.ts";
import { DEFAULT_LINK } from "../src/sim/network.ts";
import { Harness } from "../src/testing/coordinator-harness.ts";

const N = 5000;

export interface PaperFigures {
  readonly sequentialS: number;
  readonly pipelinedS: number;
}

export function paperFiguresSim(costs: Partial<ZkConfig> | undefined): PaperFigures {
  const h = new Harness(1, { link: DEFAULT_LINK, seed: 7, ...(costs !== undefined ? { config: costs } : {}) });
  h.connectAll([0]);
  const c = h.client(0);
  for (let i = 0; i < N; i++) c.create(`/p${i}`, i, "persistent", i);
  h.advance(600_000);
  const SEQ = 100_000;
  const ASYNC = 200_000;
  let done = 0;
  let end = 0;
  h.onEvent = (_host, e) => {
    if (e.kind !== "result" || e.tag < SEQ || e.tag >= ASYNC) return;
    done++;
    if (done < N) c.setData(`/p${done}`, done, -1, SEQ + done);
    else end = h.kernel.now;
  };
  let start = h.kernel.now;
  c.setData("/p0", 0, -1, SEQ);
  h.advance(10_000_000);
  const sequentialS = (end - start) / 1000;
  h.onEvent = undefined;
  start = h.kernel.now;
  for (let i = 0; i < N; i++) c.setData(`/p${i}`, -i, -1, ASYNC + i);
  h.advance(10_000_000);
  let last = 0;
  for (const r of h.results(0)) if (r.tag >= ASYNC) last = Math.max(last, r.t);
  return { sequentialS, pipelinedS: (last - start) / 1000 };
}

export async function paperFiguresLive(connect: string): Promise<PaperFigures | undefined> {
  const c = zookeeper.createClient(connect, { sessionTimeout: 20_000, retries: 0 });
  const connected = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 10_000);
    c.once("connected", () => {
      clearTimeout(t);
      resolve(true);
    });
    c.connect();
  });
  if (!connected) return undefined;
  const root = `/electorate-parity/${Date.now().toString(36)}-${process.pid}`;
  const data = Buffer.from("x");
  const all = (issue: (i: number, cb: (e: unknown) => void) => void): Promise<number> =>
    new Promise((resolve, reject) => {
      let n = 0;
      const t0 = performance.now();
      for (let i = 0; i < N; i++) issue(i, (e) => (e ? reject(e) : ++n === N && resolve(performance.now() - t0)));
    });
  try {
    await new Promise<void>((resolve, reject) => c.mkdirp(root, (e) => (e ? reject(e) : resolve())));
    await all((i, cb) => c.create(`${root}/p${i}`, data, cb));
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const next = (i: number): void => {
        if (i === N) resolve();
        else c.setData(`${root}/p${i}`, data, -1, (e) => (e ? reject(e) : next(i + 1)));
      };
      next(0);
    });
    const sequentialS = (performance.now() - t0) / 1000;
    const pipelinedS = (await all((i, cb) => c.setData(`${root}/p${i}`, data, -1, cb))) / 1000;
    return { sequentialS, pipelinedS };
  } finally {
    c.close();
  }
}
