// Bulk synthetic events generated inside ClickHouse (`INSERT … SELECT … FROM numbers()`), so
// a million rows cost about a second and never pass through JS. Used by the trace tests and
// bench/storage.ts. Ids are `req_<hex>`, about `perRequest` events each, spread evenly over
// `days` days ending at `end`. The dimensions come from 32 traffic profiles (picked by a hash
// of the row number), so a minute holds at most 32 distinct dimension combinations, as real
// traffic of a few apps, channels and error codes does; ids and offsets stay unique.
import type { Store } from '../sql/index.ts';

export interface BulkOptions {
  rows: number;
  /** Events per request id (consecutive numbers share an id). */
  perRequest?: number;
  days?: number;
  /** ISO end of the time range (default 2026-11-22T00:00:00Z). */
  end?: string;
  /** Insert block size; large inserts are split so memory stays bounded. */
  chunk?: number;
}

/** The id the generator gives row `n` (same formula as the SQL). */
export function bulkRequestIdSql(expr: string, perRequest: number): string {
  return `concat('req_', lower(hex(cityHash64(intDiv(${expr}, ${perRequest})))))`;
}

export async function insertBulkEvents(store: Store, db: string, opts: BulkOptions): Promise<void> {
  const per = opts.perRequest ?? 3;
  const days = opts.days ?? 7;
  const end = (opts.end ?? '2026-11-22T00:00:00.000Z').replace('T', ' ').replace('Z', '');
  const chunk = opts.chunk ?? 2_000_000;
  const stepMs = Math.max(1, Math.floor((days * 86_400_000) / opts.rows));
  for (let start = 0; start < opts.rows; start += chunk) {
    const n = Math.min(chunk, opts.rows - start);
    await store.command(
      `
      INSERT INTO ${db}.events (event_time, source, request_id, http_status, outcome, code, category, limit_kind,
        channel, upstream_vendor, upstream_code, upstream_sub_code, upstream_message, message, failed_offers,
        route, method, latency_ms, attempt, app_id, catalog_drift, raw, topic, partition, offset)
      SELECT
        toDateTime64({end:String}, 3, 'UTC') - toIntervalMillisecond((${opts.rows} - number) * ${stepMs}) AS event_time,
        if(p % 4 = 0, 'client', 'gateway') AS source,
        ${bulkRequestIdSql('number', per)} AS request_id,
        [200, 200, 200, 429, 401, 502, 400, 200][p % 8 + 1] AS http_status,
        ['ok', 'ok', 'ok', 'error', 'error', 'error', 'error', 'business_failure'][p % 8 + 1] AS outcome,
        ['', '', '', 'QUOTA_EXCEEDED', 'INVALID_SIGNATURE', 'CHANNEL_UPSTREAM_ERROR', 'INVALID_PARAMETER',
         'ORDER_CREATE_FAILED'][p % 8 + 1] AS code,
        ['', '', '', 'RATE_LIMIT_ERROR', 'AUTH_ERROR', 'CHANNEL_ERROR', 'VALIDATION_ERROR', 'BUSINESS_ERROR'][p % 8 + 1] AS category,
        ['', '', '', 'quota', '', '', '', ''][p % 8 + 1] AS limit_kind,
        ['1688', 'taobao', 'alipay', 'pdd'][intDiv(p, 8) % 4 + 1] AS channel,
        if(p % 8 = 5, ['taobao', '1688'][intDiv(p, 8) % 2 + 1], '') AS upstream_vendor,
        if(p % 8 = 5, toString(intDiv(p, 8) % 3 + 5), '') AS upstream_code,
        if(p % 8 = 5, 'isv.item-not-exist', '') AS upstream_sub_code,
        if(p % 8 = 5, 'remote service error', '') AS upstream_message,
        if(p % 8 >= 3, 'synthetic failure', '') AS message,
        if(p % 8 = 7, [('o1', 's1', ['STOCK_NOT_ENOUGH', 'PRICE_CHANGED'][number % 2 + 1], 'line failed')],
           []) :: Array(Tuple(offer_id String, spec_id String, error_code String, error_message String)) AS failed_offers,
        ['/v1/procurement/orders', '/v1/products', '/v1/orders/preview'][number % 3 + 1] AS route,
        ['POST', 'GET'][number % 2 + 1] AS method,
        if(number % 10 = 0, NULL, toUInt32(number % 1500)) AS latency_ms,
        if(number % 3 = 0, NULL, toUInt16(number % 4)) AS attempt,
        ['shop-api', 'erp-sync', 'mobile'][intDiv(p, 4) % 3 + 1] AS app_id,
        p = 31 AS catalog_drift,
        '{}' AS raw,
        if(number % 4 = 0, 'client-logs', 'gateway-logs') AS topic,
        toInt32(number % 16) AS partition,
        toInt64(number) AS offset
      FROM (SELECT number, cityHash64(number) % 32 AS p FROM numbers(${start}, ${n}))`,
      { end },
    );
  }
}
