// Event and reject rows as TabSeparated lines (ClickHouse's escaped text format), the
// alternative to JSONCompactEachRow (rows.ts eventLine). Same columns, same order
// (EVENT_COLUMNS / REJECT_COLUMNS), so a payload differs only by its `format`.
//
// TabSeparated rules (ClickHouse "Escaped" serialisation): a field is the value's text with
// backslash, tab, newline (and, for safety, CR and NUL) backslash-escaped; NULL is `\N`;
// Bool is `true`/`false`; an Array(Tuple(String…)) field is its "quoted" text form,
// `[('a','b'),('c','d')]`, whose strings are single-quoted with `\` and `'` escaped, and
// since that form never contains a raw tab or newline it needs no second escaping.
import type { Event } from '../transform/event.ts';
import { EVENT_COLUMNS, REJECT_COLUMNS, type RejectFields } from './rows.ts';
import type { RowPayload } from './store.ts';

/** Event rows built with eventTsvLine, as the payload of one insert into `events`. */
export function eventPayload(body: string | Buffer, rows: number): RowPayload {
  return { format: 'TabSeparated', columns: EVENT_COLUMNS, body, rows };
}

/** Reject rows built with rejectTsvLine, as the payload of one insert into `rejects`. */
export function rejectPayload(body: string | Buffer, rows: number): RowPayload {
  return { format: 'TabSeparated', columns: REJECT_COLUMNS, body, rows };
}

const TSV_SPECIAL = /[\\\t\n\r\0]/;
const TSV_SPECIAL_G = /[\\\t\n\r\0]/g;
const QUOTED_SPECIAL = /[\\'\t\n\r\0]/;
const QUOTED_SPECIAL_G = /[\\'\t\n\r\0]/g;
const ESC: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0', "'": "\\'" };
const escChar = (c: string): string => ESC[c]!;

/** A String field of a TabSeparated row. */
export function tsvString(s: string): string {
  // Most values need no escaping: test first, replace only when needed (a regexp test is far
  // cheaper than a replace that allocates).
  return TSV_SPECIAL.test(s) ? s.replace(TSV_SPECIAL_G, escChar) : s;
}

/** A string inside an array or tuple: single-quoted, escaped. */
export function quotedString(s: string): string {
  return QUOTED_SPECIAL.test(s) ? `'${s.replace(QUOTED_SPECIAL_G, escChar)}'` : `'${s}'`;
}

/** Array(Tuple(offer_id, spec_id, error_code, error_message)) in its quoted text form. */
function offersField(offers: Event['failed_offers']): string {
  if (offers.length === 0) return '[]';
  let s = '[';
  for (let i = 0; i < offers.length; i++) {
    const o = offers[i]!;
    if (i > 0) s += ',';
    s += `(${quotedString(o.offer_id)},${quotedString(o.spec_id)},${quotedString(o.error_code)},${quotedString(o.error_message)})`;
  }
  return `${s}]`;
}

/** One event as a TabSeparated line, in EVENT_COLUMNS order (rows.ts). */
export function eventTsvLine(e: Event, topic: string, partition: number, offset: number, recordIndex = 0): string {
  // Fast path: one regexp test over every free-text field at once; a row needing no escape
  // (nearly all: `raw` is JSON text, whose own escapes are rare) is plain concatenation. The
  // enum fields (source, outcome, category, limit_kind) cannot hold a special character.
  const esc = TSV_SPECIAL.test(
    e.request_id +
      e.code +
      e.channel +
      e.upstream_vendor +
      e.upstream_code +
      e.upstream_sub_code +
      e.upstream_message +
      e.message +
      e.route +
      e.method +
      e.app_id +
      e.raw +
      (e.format ?? '') +
      topic,
  )
    ? tsvString
    : same;
  // One join: a flat string (a chain of `+` leaves a rope of ~50 pieces per row, which costs
  // more to flatten into the payload than JSON.stringify costs for the compact JSON line).
  return `${[
    e.event_time,
    e.source,
    esc(e.request_id),
    e.http_status,
    e.outcome,
    esc(e.code),
    e.category,
    e.limit_kind,
    esc(e.channel),
    esc(e.upstream_vendor),
    esc(e.upstream_code),
    esc(e.upstream_sub_code),
    esc(e.upstream_message),
    esc(e.message),
    e.failed_offers.length === 0 ? '[]' : offersField(e.failed_offers),
    esc(e.route),
    esc(e.method),
    e.latency_ms === null ? '\\N' : e.latency_ms,
    e.attempt === null ? '\\N' : e.attempt,
    esc(e.app_id),
    e.catalog_drift ? 'true' : 'false',
    esc(e.raw),
    esc(e.format ?? ''),
    esc(topic),
    partition,
    offset,
    recordIndex,
  ].join('\t')}\n`;
}

const same = (s: string): string => s;

/** One reject as a TabSeparated line, in REJECT_COLUMNS order (rows.ts). */
export function rejectTsvLine(r: RejectFields): string {
  return (
    r.transport_time +
    '\t' +
    r.source +
    '\t' +
    tsvString(r.topic) +
    '\t' +
    r.partition +
    '\t' +
    r.offset +
    '\t' +
    r.reason +
    '\t' +
    tsvString(r.detail) +
    '\t' +
    tsvString(r.head) +
    '\t' +
    (r.record_index ?? 0) +
    '\n'
  );
}
