// "Vendor failures": upstream errors by vendor, code and sub-code, vendor timeouts (from the
// event rollups, rollup.ts), 1688 failed-offer codes (from `failed_offers_1m`, which has no
// hourly twin) and sample upstream messages (raw `events`, one per vendor/code/sub-code,
// LIMITed).
import { dashboard, F, filterVariables, table, timeseries } from './panels.ts';
import { eventsRollup, HOUR_PRECISION_NOTE } from './rollup.ts';
import type { ChDashboard, Tables } from './types.ts';

/**
 * A vendor timeout: Taobao remote-service timeouts 900–902 (docs/event-model.md §5), or any
 * vendor sub-code / gateway code that names a timeout (e.g. isp.remote-service-timeout).
 */
const TIMEOUT_PREDICATE = `(upstream_code IN ('900', '901', '902')
  OR positionCaseInsensitive(upstream_sub_code, 'timeout') > 0 OR positionCaseInsensitive(code, 'timeout') > 0)`;

export function vendorFailures(t: Tables): ChDashboard {
  const where = `${F.channel} AND ${F.source} AND ${F.category}`;
  const upstream = `${where} AND upstream_vendor != '' AND outcome != 'ok'`;
  return dashboard({
    uid: 'faultline-vendor-failures',
    title: 'faultline / Vendor failures',
    description: 'Upstream (marketplace and payment vendor) errors by vendor, code and sub-code; timeouts; failed 1688 order lines.',
    tags: ['vendors'],
    variables: filterVariables(t),
    panels: [
      timeseries({
        title: 'Upstream errors by vendor',
        measure: 'count',
        label: 'vendor',
        description: 'Non-ok events carrying a vendor error, per interval and vendor.',
        unit: 'short',
        sql: `SELECT $__timeInterval(minute) AS time, upstream_vendor AS vendor, sum(events) AS errors
          FROM ${eventsRollup(t, 'interval', upstream)}
          GROUP BY time, vendor ORDER BY time, vendor`,
      }),
      timeseries({
        title: 'Vendor timeouts',
        measure: 'count',
        label: 'vendor',
        description: 'Vendor errors that are timeouts (Taobao 900–902, or a code/sub-code naming a timeout), per interval and vendor.',
        unit: 'short',
        sql: `SELECT $__timeInterval(minute) AS time, upstream_vendor AS vendor, sum(events) AS timeouts
          FROM ${eventsRollup(t, 'interval', `${upstream} AND ${TIMEOUT_PREDICATE}`)}
          GROUP BY time, vendor ORDER BY time, vendor`,
      }),
      table({
        title: 'Upstream codes',
        description: `Vendor code and sub-code of upstream errors (top 50), with the last minute seen. ${HOUR_PRECISION_NOTE}`,
        unit: 'short',
        sql: `SELECT upstream_vendor AS vendor, upstream_code, upstream_sub_code, sum(events) AS errors, max(minute) AS last_seen
          FROM ${eventsRollup(t, 'range', upstream)}
          GROUP BY vendor, upstream_code, upstream_sub_code
          ORDER BY errors DESC, vendor, upstream_code, upstream_sub_code LIMIT 50`,
      }),
      table({
        title: 'Failed offer error codes (1688)',
        description: 'Failed order lines (failed_offers / unavailable_lines) by error code and channel (top 50).',
        unit: 'short',
        sql: `SELECT channel, error_code, sum(lines) AS failed_lines
          FROM ${t.failedOffers1m} WHERE $__timeFilter(minute) AND ${F.channel} AND ${F.source}
          GROUP BY channel, error_code ORDER BY failed_lines DESC, channel, error_code LIMIT 50`,
      }),
      timeseries({
        title: 'Failed order lines over time',
        measure: 'count',
        label: 'error_code',
        description: 'Failed order lines per interval by error code.',
        unit: 'short',
        sql: `SELECT $__timeInterval(minute) AS time, error_code, sum(lines) AS failed_lines
          FROM ${t.failedOffers1m} WHERE $__timeFilter(minute) AND ${F.channel} AND ${F.source}
          GROUP BY time, error_code ORDER BY time, error_code`,
      }),
      table({
        title: 'Sample upstream messages',
        description:
          'The latest vendor message of each vendor/code/sub-code in the range (50 at most). Reads raw events; secrets were removed at ' +
          'ingest.',
        unit: 'short',
        w: 24,
        sql: `SELECT event_time, upstream_vendor AS vendor, upstream_code, upstream_sub_code, upstream_message, request_id
          FROM ${t.events}
          WHERE $__timeFilter(event_time) AND upstream_vendor != '' AND upstream_message != ''
            AND ${F.channel} AND ${F.source} AND ${F.category}
          ORDER BY event_time DESC, request_id DESC
          LIMIT 1 BY upstream_vendor, upstream_code, upstream_sub_code
          LIMIT 50`,
      }),
    ],
  });
}
