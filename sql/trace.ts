// The saved request-id lookup behind `faultline trace`: every event and every reject of one
// request, from both sources, in time order. The id reaches SQL only as a query parameter.
//
// Events: the request_index (request_id -> first/last time, fed by a materialized view) gives
// the time range, which prunes partitions (days) and granules by time; the bloom filter on
// request_id then skips most granules of that range. The range keeps the lookup's cost
// independent of table size (a bloom filter alone reads one filter per granule of the whole
// table); the storage benchmark measures each ingredient against a full scan. Rejects: the `req_…` token
// extracted from their head at insert time, or for ids of another shape a bounded text match.
import { ConfigError } from '../lib/errors.ts';
import type { Store } from './store.ts';

export interface TraceEvent {
  kind: 'event';
  time: string;
  source: string;
  request_id: string;
  http_status: number;
  outcome: string;
  code: string;
  category: string;
  limit_kind: string;
  channel: string;
  upstream_vendor: string;
  upstream_code: string;
  upstream_sub_code: string;
  upstream_message: string;
  message: string;
  failed_offers: { offer_id: string; spec_id: string; error_code: string; error_message: string }[];
  route: string;
  method: string;
  latency_ms: number | null;
  attempt: number | null;
  app_id: string;
  catalog_drift: boolean;
  topic: string;
  partition: number;
  offset: string;
}

interface TraceReject {
  kind: 'reject';
  time: string;
  source: string;
  reason: string;
  detail: string;
  head: string;
  topic: string;
  partition: number;
  offset: string;
}

export type TraceEntry = TraceEvent | TraceReject;

const MAX_ID_LENGTH = 256;
const REQ_ID = /^req_[A-Za-z0-9_-]+$/;

function reEscape(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

export async function traceRequest(store: Store, db: string, id: string, opts: { limit?: number } = {}): Promise<TraceEntry[]> {
  if (id.trim() === '') throw new ConfigError('invalid request id "": expected a non-empty id such as req_9f2');
  if (id.length > MAX_ID_LENGTH) throw new ConfigError(`invalid request id: longer than ${MAX_ID_LENGTH} characters`);
  const limit = opts.limit ?? 10_000;
  // One statement: ClickHouse evaluates the scalar subqueries on request_index first and uses
  // their values as constants for partition, primary-key and skip-index pruning. An id the
  // index does not know yields the empty range at the epoch: nothing is read.
  const eventsP = store.query<TraceEvent>(
    `SELECT 'event' AS kind, event_time AS time, source, request_id, http_status, outcome, code, category,
            limit_kind, channel, upstream_vendor, upstream_code, upstream_sub_code, upstream_message, message,
            failed_offers, route, method, latency_ms, attempt, app_id, catalog_drift, topic, partition,
            toString(offset) AS offset
     FROM ${db}.events
     WHERE request_id = {id:String}
       AND event_time >= (SELECT min(first_time) FROM ${db}.request_index WHERE request_id = {id:String})
       AND event_time <= (SELECT max(last_time) FROM ${db}.request_index WHERE request_id = {id:String})
     ORDER BY event_time, source, offset
     LIMIT {limit:UInt32}`,
    { id, limit },
  );
  const rejectFilter = REQ_ID.test(id) ? 'request_id = {id:String}' : 'position(head, {id:String}) > 0 AND match(head, {pattern:String})';
  const rejectsP = store.query<TraceReject>(
    `SELECT 'reject' AS kind, transport_time AS time, source, reason, detail, head, topic, partition,
            toString(offset) AS offset
     FROM ${db}.rejects
     WHERE ${rejectFilter}
     ORDER BY transport_time, source, offset
     LIMIT {limit:UInt32}`,
    { id, pattern: `(^|[^A-Za-z0-9_-])${reEscape(id)}($|[^A-Za-z0-9_-])`, limit },
  );
  const [events, rejects] = await Promise.all([eventsP, rejectsP]);
  const all: TraceEntry[] = [...events, ...rejects];
  // ISO millis strings in UTC sort as times; events before rejects at the same instant.
  return all.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.kind === b.kind ? 0 : a.kind === 'event' ? -1 : 1));
}
