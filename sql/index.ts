// Public surface of sql/: open a store (embedded chDB or a ClickHouse server), serve an embedded
// store over the ClickHouse HTTP interface, the saved request-id lookup, and migrations.
export type { EventRow, RejectRow, InsertOptions, QueryParams, Store } from './store.ts';
export { openStore, openReadStore, readEndpointInfo, endpointFile, type EndpointInfo, type OpenOptions, type StoreConfig } from './open.ts';
export { EmbeddedStore } from './embedded-store.ts';
export { ServerStore, type RetryPolicy, type ServerStoreOptions } from './server-store.ts';
export { loadMigrations, migrationPlan, runMigrations, splitStatements, checkDatabaseName } from './migrate.ts';
export { deliveryTarget, reconcile, reconciled, storedRowKey, type DeliveryTarget, type LedgerRow, type PartitionReconciliation, type StoredRange } from './ledger.ts';
export { toStoreError, parseClickHouseError, classifyStoreError } from './store-errors.ts';
export { ensureRedactionKey, readRedactionKey } from './redaction-key.ts';
export { maskedCounts, type MaskedCounts } from './masked-counts.ts';
export { insertCallHistory, type CallHistoryRow } from './call-history.ts';
// serveStore serves an embedded store only (call it when store.kind === 'embedded').
export { serveStore, type ServeOptions, type ServedStore } from './local-endpoint.ts';
export { traceRequest, requestTimeRange, type TraceEntry, type TraceEvent, type TraceReject } from './trace.ts';
export { formatsByTopic, type TopicFormats } from './formats.ts';
// Exactly once across shards: `faultline run` with CLICKHOUSE_SHARD_URLS.
export { openShardedDelivery, type ShardedDelivery } from './shard-route.ts';
