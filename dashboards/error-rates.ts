// "Error rates": error rate (non-ok events / all events) by category and by channel, top codes,
// 4xx vs 5xx, the gateway's and the clients' view of the same requests, and catalog drift.
// Everything reads the event rollups (events_1h for the whole hours of long ranges, events_1m
// otherwise: rollup.ts), except the cross-source comparison, which needs request ids and so
// reads raw `events` (one aggregate row back).
import { dashboard, F, filterVariables, stat, table, timeseries } from './panels.ts';
import { disagreementPanel, retriesPanel } from './ops-questions.ts';
import { eventsRollup, HOUR_PRECISION_NOTE } from './rollup.ts';
import type { ChDashboard, Tables } from './types.ts';

export function errorRates(t: Tables): ChDashboard {
  const where = `${F.channel} AND ${F.source}`;
  const isError = `outcome != 'ok' AND ${F.category}`;
  const overRange = (filter = where) => eventsRollup(t, 'range', filter);
  const perInterval = (filter = where) => eventsRollup(t, 'interval', filter);
  return dashboard({
    uid: 'faultline-error-rates',
    title: 'faultline / Error rates',
    description: 'Error rate (non-ok events / all events) by category, channel and source, top codes, and catalog drift.',
    tags: ['errors'],
    variables: filterVariables(t),
    panels: [
      stat({
        title: 'Error rate',
        description:
          'Non-ok events (error, business failure, partial success) of the selected categories divided by all events of the selected ' +
          'channels and sources, over the whole range ("No events" when there are none).',
        unit: 'percentunit',
        w: 6,
        h: 6,
        // nullIf: an empty range has no rate (NULL, shown as noValue), not 0/0 = NaN.
        noValue: 'No events',
        sql: `SELECT sumIf(events, ${isError}) / nullIf(sum(events), 0) AS error_rate
          FROM ${overRange()}`,
      }),
      stat({
        title: 'Events and errors',
        description: 'All events and non-ok events of the selection over the whole range.',
        unit: 'short',
        w: 6,
        h: 6,
        sql: `SELECT sum(events) AS all_events, sumIf(events, ${isError}) AS errors
          FROM ${overRange()}`,
      }),
      table({
        title: 'Top error codes',
        description: 'The 20 most frequent codes of non-ok events, with their category.',
        unit: 'short',
        w: 12,
        h: 6,
        sql: `SELECT code, category, sum(events) AS errors
          FROM ${overRange(`${where} AND ${isError}`)}
          GROUP BY code, category ORDER BY errors DESC, code LIMIT 20`,
      }),
      timeseries({
        title: 'Error rate by category',
        measure: 'ratio',
        description:
          'Per interval: non-ok events of each category divided by all events of the selected channels and sources in that interval (so ' +
          'the categories add up to the total error rate).',
        unit: 'percentunit',
        sql: `SELECT time, category, errors / requests AS error_rate FROM (
            SELECT $__timeInterval(minute) AS time, category,
              sumIf(events, ${isError}) AS errors,
              sum(sum(events)) OVER (PARTITION BY time) AS requests
            FROM ${perInterval()}
            GROUP BY time, category)
          WHERE errors > 0 ORDER BY time, category`,
      }),
      timeseries({
        title: 'Error rate by channel',
        measure: 'ratio',
        description: 'Per interval and channel: non-ok events of the selected categories divided by all events of that channel.',
        unit: 'percentunit',
        // Events with no channel (client lines that name none) as "unknown", as the alert rules label them, not a bare "error_rate" series.
        sql: `SELECT $__timeInterval(minute) AS time, if(channel = '', 'unknown', channel) AS channel,
            sumIf(events, ${isError}) / sum(events) AS error_rate
          FROM ${perInterval()}
          GROUP BY time, channel ORDER BY time, channel`,
      }),
      timeseries({
        title: '4xx vs 5xx',
        measure: 'count',
        description: 'Events per interval by HTTP status class (client errors 400–499, server and upstream errors 500+).',
        unit: 'short',
        sql: `SELECT $__timeInterval(minute) AS time,
            sumIf(events, http_status < 500) AS "4xx", sumIf(events, http_status >= 500) AS "5xx"
          FROM ${perInterval(`${where} AND ${F.category} AND http_status >= 400`)}
          GROUP BY time ORDER BY time`,
      }),
      timeseries({
        title: 'Error rate by source (gateway vs client)',
        measure: 'ratio',
        description: "Per interval: the gateway's error rate next to the clients' error rate for the selected channels.",
        unit: 'percentunit',
        sql: `SELECT $__timeInterval(minute) AS time, source, sumIf(events, ${isError}) / sum(events) AS error_rate
          FROM ${perInterval()}
          GROUP BY time, source ORDER BY time, source`,
      }),
      table({
        title: 'Same requests, both views',
        description:
          'Request ids logged by both the gateway and a client in the range: how many each side saw fail. Reads raw events (rollups ' +
          'carry no request id).',
        unit: 'short',
        sql: `SELECT count() AS requests, countIf(gw AND cl) AS both_failed,
            countIf(gw AND NOT cl) AS only_gateway_failed, countIf(cl AND NOT gw) AS only_client_failed
          FROM (
            SELECT request_id, maxIf(outcome != 'ok', source = 'gateway') AS gw, maxIf(outcome != 'ok', source = 'client') AS cl
            FROM ${t.events}
            WHERE $__timeFilter(event_time) AND request_id != '' AND ${F.channel}
            GROUP BY request_id
            HAVING countIf(source = 'gateway') > 0 AND countIf(source = 'client') > 0)`,
      }),
      disagreementPanel(t),
      retriesPanel(t),
      table({
        title: 'Catalog drift',
        description:
          `Gateway codes the error catalog does not know (category guessed from the HTTP status): add them to ` +
          `data/errors.catalog.json. ${HOUR_PRECISION_NOTE}`,
        unit: 'short',
        sql: `SELECT code, http_status, sum(events) AS drift_events, min(minute) AS first_seen, max(minute) AS last_seen
          FROM ${overRange(`${where} AND catalog_drift`)}
          GROUP BY code, http_status ORDER BY drift_events DESC, code LIMIT 50`,
      }),
    ],
  });
}
