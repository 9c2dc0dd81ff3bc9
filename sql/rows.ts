// Conventions both backends share, so that the same SQL returns the same JSON from chDB and
// from a ClickHouse server: ISO date-times (`2026-11-21T10:00:01.234Z`, as the event contract
// writes them), 64-bit integers as JSON numbers (counts stay numbers; exact up to 2^53), and
// ISO input accepted on insert.
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

/** Rows as a JSONEachRow payload (one JSON object per line). */
export function toJsonEachRow(rows: readonly object[]): Buffer {
  let out = '';
  for (const r of rows) out += JSON.stringify(r) + '\n';
  return Buffer.from(out, 'utf8');
}
