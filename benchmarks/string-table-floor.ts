/**
 * The floor under the ZooKeeper model's path tables (stop 26): N fresh path strings inserted into a
 * plain Map<string, object> and into PathMap (src/coordinator/path-map.ts, hashes kept beside the
 * paths), ns per insert, and N/100 paths into each of 100 Sets / PathSets (the clients' watch tables;
 * a PathSet from hashes noted beforehand, as a settled start notes them).
 * One N per process (after two 10k warm-up rounds), so that N = 100k and N = 1M are compared on
 * equal terms:
 *
 *   flock /work/bench.lock node --max-semi-space-size=32 --import tsx benchmarks/string-table-floor.ts 1000000
 *
 * The paths are made first, in order, and every insert makes one small object, as a znode create
 * does. CPU time (process.cpuUsage), not wall.
 */
import { PathMap } from "../src/coordinator/path-map.ts";
import { PathSet } from "../src/coordinator/path-set.ts";
import { pathHash } from "../src/coordinator/path-table.ts";

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function round(n: number, print: boolean): void {
  const paths = new Array<string>(n);
  for (let i = 0; i < n; i++) paths[i] = `/leaders/${i}`;
  const t0 = cpuMs();
  const map = new Map<string, { v: number }>();
  for (let i = 0; i < n; i++) map.set(paths[i], { v: i });
  const t1 = cpuMs();
  const paths2 = new Array<string>(n);
  for (let i = 0; i < n; i++) paths2[i] = `/leaders/${i}`;
  const t2 = cpuMs();
  const ours = new PathMap<{ v: number }>();
  for (let i = 0; i < n; i++) ours.set(paths2[i], { v: i }, pathHash(paths2[i]));
  const t3a = cpuMs();
  // Each path's hash, computed in order while its string is fresh (as a settled start notes them).
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = pathHash(paths2[i]);
  const t3 = cpuMs();
  for (let h = 0; h < 100; h++) {
    const mine: string[] = [];
    for (let i = h; i < n; i += 100) mine.push(paths[i]);
    new Set(mine);
  }
  const t4 = cpuMs();
  for (let h = 0; h < 100; h++) {
    const mine: string[] = [];
    const hashes = new Int32Array(Math.ceil(n / 100));
    for (let i = h; i < n; i += 100) hashes[mine.push(paths2[i]) - 1] = all[i];
    new PathSet().addAll(mine, hashes, mine.length);
  }
  const t5 = cpuMs();
  const ns = (a: number, b: number): string => (((b - a) * 1e6) / n).toFixed(0).padStart(5);
  if (print) {
    console.log(`${n.toLocaleString("en-US").padStart(9)} paths, ns per insert: Map ${ns(t0, t1)}, PathMap ${ns(t2, t3a)}; 100 watch tables of N/100: Set ${ns(t3, t4)}, PathSet ${ns(t4, t5)} (${map.size + ours.size})`);
  }
}

round(10_000, false);
round(10_000, false);
round(Number(process.argv[2] ?? 1_000_000), true);
