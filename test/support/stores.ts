// Test stores on real chDB. chDB allows one data directory per process (and scripts/test.js
// runs several unit files in one process), so every test file shares one temporary directory
// and each test takes its own database: `await testStore()` -> migrated, isolated, dropped on cleanup.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../lib/config.ts';
import { KEEP_FOREVER } from './keep-forever.ts';
import { openStore, type Store } from '../../sql/index.ts';
import { eventPayload, eventTsvLine, rejectPayload, rejectTsvLine } from '../../sql/row-format.ts';
import type { EventRow, InsertOptions, RejectRow } from '../../sql/store.ts';

let dataDir: string | undefined;

/**
 * This process's temporary FAULTLINE_DATA (removed at exit), under FAULTLINE_TEST_TMPDIR when
 * set (scripts/test.js points unit runs at tmpfs) or the system's temporary directory.
 */
export function testDataDir(): string {
  if (!dataDir) {
    const dir = mkdtempSync(join(process.env.FAULTLINE_TEST_TMPDIR || tmpdir(), 'faultline-test-'));
    dataDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return dataDir;
}

/** A unique database name, e.g. `t_trace_3fa9c1d2`. */
export function uniqueDatabase(prefix = 't'): string {
  return `${prefix.replace(/[^A-Za-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`;
}

/** Config for an embedded store in this process's data dir and a fresh database. */
export function testConfig(prefix = 't', overrides: Partial<Config> = {}): Config {
  return { ...loadConfig(KEEP_FOREVER), FAULTLINE_DATA: testDataDir(), CLICKHOUSE_DATABASE: uniqueDatabase(prefix), ...overrides };
}

export interface TestStore {
  store: Store;
  db: string;
  config: Config;
  /** Drop the database and close the store. */
  cleanup(): Promise<void>;
}

/** An embedded store on a fresh, migrated database. */
export async function testStore(prefix = 't', overrides: Partial<Config> = {}): Promise<TestStore> {
  const config = testConfig(prefix, overrides);
  const store = await openStore(config);
  await store.migrate();
  const db = config.CLICKHOUSE_DATABASE;
  return {
    store,
    db,
    config,
    async cleanup() {
      await store.command(`DROP DATABASE IF EXISTS ${db} SYNC`);
      await store.close();
    },
  };
}

/** An event row with every field of transform/event.ts set; override what a test cares about. */
export function makeEvent(over: Partial<EventRow> = {}): EventRow {
  return {
    event_time: '2026-11-21T10:00:01.234Z',
    source: 'gateway',
    request_id: 'req_test1',
    http_status: 429,
    outcome: 'error',
    code: 'QUOTA_EXCEEDED',
    category: 'RATE_LIMIT_ERROR',
    limit_kind: 'quota',
    channel: '1688',
    upstream_vendor: '',
    upstream_code: '',
    upstream_sub_code: '',
    upstream_message: '',
    message: 'quota exceeded for app',
    failed_offers: [],
    route: '/v1/procurement/orders',
    method: 'POST',
    latency_ms: 120,
    attempt: 1,
    app_id: 'shop-api',
    catalog_drift: false,
    raw: '{"error":{"code":"QUOTA_EXCEEDED"}}',
    topic: 'gateway-logs',
    partition: 0,
    offset: '0',
    ...over,
  };
}

export function makeReject(over: Partial<RejectRow> = {}): RejectRow {
  return {
    source: 'client',
    reason: 'invalid_json',
    detail: 'Unexpected end of JSON input',
    head: '{"request_id":"req_test1","status":',
    transport_time: '2026-11-21T10:00:02.000Z',
    topic: 'client-logs',
    partition: 0,
    offset: '0',
    ...over,
  };
}

/**
 * Store rows a test wrote as objects the way the product stores them: as the sink's TabSeparated
 * lines (sql/row-format.ts, the format a segment's rows are built in) through `insertPayload`.
 */
export function insertRows(
  store: Pick<Store, 'insertPayload'>,
  table: 'events',
  rows: readonly EventRow[],
  opts?: InsertOptions,
): Promise<void>;
export function insertRows(
  store: Pick<Store, 'insertPayload'>,
  table: 'rejects',
  rows: readonly RejectRow[],
  opts?: InsertOptions,
): Promise<void>;
export function insertRows(
  store: Pick<Store, 'insertPayload'>,
  table: 'events' | 'rejects',
  rows: readonly (EventRow | RejectRow)[],
  opts?: InsertOptions,
): Promise<void> {
  // The offset goes in as its decimal text: a test's UInt64 offset may be past 2^53, which a
  // number cannot hold, and the TabSeparated field is that same text.
  const offset = (o: string) => o as unknown as number;
  let body = '';
  if (table === 'events') for (const e of rows as readonly EventRow[]) body += eventTsvLine(e, e.topic, e.partition, offset(e.offset));
  else for (const r of rows as readonly RejectRow[]) body += rejectTsvLine({ ...r, offset: offset(r.offset) });
  const payload = table === 'events' ? eventPayload(body, rows.length) : rejectPayload(body, rows.length);
  return store.insertPayload(table, payload, opts);
}
