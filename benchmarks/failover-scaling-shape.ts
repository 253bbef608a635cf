/** The cluster shape of bench:scaling: 100 brokers, fewer for small counts (10 partitions per broker at least, 6 brokers at least). */
export function brokersFor(partitions: number): number {
  return Math.max(6, Math.min(100, Math.floor(partitions / 10)));
}
