/** The ZooKeeper model: server, clients, configuration and statistics. */
export { DEFAULT_ZK_CONFIG, zkConfig, type ZkConfig } from "./config.ts";
export { ZkServer, type ZkServerSeries } from "./server.ts";
export { ZkClients, ZkClientImpl, validatePath, type ZkEventSink } from "./client.ts";
export { ZkAccounting, MaxSeries, type ZkStats, type ZkHostStats, type ZkClientHostStats } from "./stats.ts";
