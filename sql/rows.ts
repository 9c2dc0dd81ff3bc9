// Conventions both backends share, so that the same SQL returns the same JSON from chDB and
// from a ClickHouse server: ISO date-times (`2026-11-21T10:00:01.234Z`, as the event contract
// writes them), 64-bit integers as JSON numbers (counts stay numbers; exact up to 2^53), and
// ISO input accepted on insert.
import type { Event, Source } from '../transform/event.ts';
import type { InsertOptions } from './store.ts';

/** Settings applied to every query: `SET` once on the chDB session, sent per request to a server. */
export const SESSION_SETTINGS = {
  date_time_output_format: 'iso',
  output_format_json_quote_64bit_integers: 0,
  date_time_input_format: 'best_effort',
} as const satisfies Record<string, string | number>;

/**
 * Per-insert settings. With a token, ClickHouse drops a retried block it has already stored,
 * in the raw table and (with the MV setting) in every materialized-view target, so at-least-once
 * delivery leaves no duplicates in the rollups either.
 */
export function insertSettings(opts?: InsertOptions): Record<string, string | number> {
  const s: Record<string, string | number> = { date_time_input_format: 'best_effort' };
  if (opts?.dedupToken) {
    s.insert_deduplication_token = opts.dedupToken;
    s.insert_deduplicate = 1;
    s.deduplicate_blocks_in_dependent_materialized_views = 1;
  }
  return s;
}

/** Columns of an event row in JSONCompactEachRow, in the order eventLine writes them. */
export const EVENT_COLUMNS = [
  'event_time',
  'source',
  'request_id',
  'http_status',
  'outcome',
  'code',
  'category',
  'limit_kind',
  'channel',
  'upstream_vendor',
  'upstream_code',
  'upstream_sub_code',
  'upstream_message',
  'message',
  'failed_offers',
  'route',
  'method',
  'latency_ms',
  'attempt',
  'app_id',
  'catalog_drift',
  'raw',
  'format',
  'topic',
  'partition',
  'offset',
  'record_index',
] as const;

/** Columns of a reject row, in the order rejectLine writes them. */
export const REJECT_COLUMNS = [
  'transport_time',
  'source',
  'topic',
  'partition',
  'offset',
  'reason',
  'detail',
  'head',
  'record_index',
] as const;

/**
 * One event as a JSONCompactEachRow line (EVENT_COLUMNS order), read straight from its fields:
 * no spread row object, no keys (545 vs 848 B/row, measured by the sink benchmark). `failed_offers` stays an
 * array of objects, which the engine reads into the named tuples.
 */
export function eventLine(e: Event, topic: string, partition: number, offset: number, recordIndex = 0): string {
  return `${JSON.stringify([
    e.event_time,
    e.source,
    e.request_id,
    e.http_status,
    e.outcome,
    e.code,
    e.category,
    e.limit_kind,
    e.channel,
    e.upstream_vendor,
    e.upstream_code,
    e.upstream_sub_code,
    e.upstream_message,
    e.message,
    e.failed_offers,
    e.route,
    e.method,
    e.latency_ms,
    e.attempt,
    e.app_id,
    e.catalog_drift,
    e.raw,
    e.format ?? '',
    topic,
    partition,
    offset,
    recordIndex,
  ])}\n`;
}

/** The fields of a reject row, as both of its line formats take them (rejectLine here, rejectTsvLine in row-format.ts). */
export interface RejectFields {
  transport_time: string;
  source: Source;
  topic: string;
  partition: number;
  offset: number;
  reason: string;
  detail: string;
  head: string;
  record_index?: number;
}

/** One reject as a JSONCompactEachRow line (REJECT_COLUMNS order). */
export function rejectLine(r: RejectFields): string {
  const row = [r.transport_time, r.source, r.topic, r.partition, r.offset, r.reason, r.detail, r.head, r.record_index ?? 0];
  return `${JSON.stringify(row)}\n`;
}
