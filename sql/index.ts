// Public surface of sql/, what other folders use: open a store (embedded chDB or a ClickHouse
// server), serve an embedded store over the ClickHouse HTTP interface, migrations, reconciliation,
// the shard routing of `faultline run`.
export type { QueryParams, Store } from './store.ts';
export { openStore } from './open.ts';
export { migrationPlan } from './migrate.ts';
export { reconcile, reconciled, type PartitionReconciliation } from './ledger.ts';
export { ensureRedactionKey } from './redaction-key.ts';
export { maskedCounts, type MaskedCounts } from './masked-counts.ts';
export { insertCallHistory } from './call-history.ts';
// serveStore serves an embedded store only (call it when store.kind === 'embedded').
export { serveStore, type ServedStore } from './local-endpoint.ts';
export { formatsByTopic, type TopicFormats } from './formats.ts';
// Exactly once across shards: `faultline run` with CLICKHOUSE_SHARD_URLS.
export { openShardedDelivery } from './shard-route.ts';
