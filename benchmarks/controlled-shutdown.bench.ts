/**
 * Controlled shutdown of one broker at 10k partitions per broker (5 brokers, replication factor 2,
 * 25 000 partitions; the broker leads 5000 of them), by state-write mode:
 *   npm run bench:shutdown -- [partitionsPerBroker]   (npx tsx benchmarks/controlled-shutdown.bench.ts)
 * Published (Jun Rao, Confluent blog 2018): 6.5 minutes with Kafka 1.0, 3 seconds with 1.1.
 */
import { controlledShutdown } from "../algorithms/kafka-controller/shutdown-scenario.ts";

const perBroker = Number(process.argv[2] ?? 10_000);
const label = { sequential: "Kafka 1.0 (one at a time)", pipelined: "Kafka 1.1+ (pipelined, 10 in flight)", multi: "multi-batched (not a release)" };
console.log(`controlled shutdown, ${perBroker} partitions per broker, 5 brokers, RF 2`);
console.log("mode                                   led  leaders moved   broker stopped  attempts  LeaderAndIsr  wall");
for (const mode of ["sequential", "pipelined", "multi"] as const) {
  const r = controlledShutdown(mode, perBroker);
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`.padStart(14);
  console.log(
    `${label[mode].padEnd(37)} ${String(r.led).padStart(5)} ${s(r.leadersMovedMs)}  ${s(r.shutdownMs)}  ${String(r.attempts).padStart(8)}  ${String(r.leaderAndIsrRequests).padStart(12)}  ${(r.wallMs / 1000).toFixed(1)} s`,
  );
}
