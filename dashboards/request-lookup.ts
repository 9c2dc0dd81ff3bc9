// "Request lookup": paste a `req_…` id into the textbox and see that request's events from
// both sources in time order, with every column. The lookup first reads `request_index` for
// the id's time range, then scans only that range of `events` (the table is ordered by hour),
// and ignores the time picker: a support engineer should not have to guess when it happened.
//
// The textbox value reaches SQL through Grafana's `percentencode` format and ClickHouse's
// decodeURLComponent: the encoded text contains no quote or backslash, so no value can end
// the string literal (the plugin has no bind parameters; this is the equivalent).
import { dashboard, F, filterVariables, requestIdVariable, table } from './panels.ts';
import type { ChDashboard, Tables } from './types.ts';

const REQUEST_ID_EXPR = "trimBoth(decodeURLComponent('${request_id:percentencode}'))";

export const EVENT_COLUMNS = [
  'event_time',
  'source',
  'outcome',
  'http_status',
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
  'topic',
  'partition',
  'offset',
  'raw',
] as const;

export function requestLookup(t: Tables): ChDashboard {
  const rid = REQUEST_ID_EXPR;
  return dashboard({
    uid: 'faultline-request-lookup',
    title: 'faultline / Request lookup',
    description: 'Every event of one request id, from the gateway and its clients, in time order.',
    tags: ['requests'],
    time: { from: 'now-24h', to: 'now' },
    variables: [...filterVariables(t), requestIdVariable],
    panels: [
      table({
        title: 'Request summary',
        description:
          'First and last time the request id was seen and how many events carry it (from request_index, whatever the time range).',
        unit: 'short',
        h: 4,
        w: 24,
        sql: `SELECT request_id, min(first_time) AS first_seen, max(last_time) AS last_seen, sum(events) AS event_count
          FROM ${t.requestIndex} WHERE request_id = ${rid}
          GROUP BY request_id`,
      }),
      table({
        title: 'Request events',
        description: 'All events of the request id, both sources, oldest first, with every column (1000 at most).',
        unit: 'none',
        w: 24,
        h: 12,
        sql: `SELECT ${EVENT_COLUMNS.join(', ')}
          FROM ${t.events}
          WHERE request_id = ${rid}
            AND event_time >= (SELECT min(first_time) FROM ${t.requestIndex} WHERE request_id = ${rid})
            AND event_time <= (SELECT max(last_time) FROM ${t.requestIndex} WHERE request_id = ${rid})
          ORDER BY event_time, source, topic, partition, offset
          LIMIT 1000`,
      }),
      table({
        title: 'Recent failing requests',
        description: 'The 100 most recent request ids with a non-ok event in the range; click an id to look it up.',
        unit: 'short',
        w: 24,
        h: 10,
        overrides: [
          {
            matcher: { id: 'byName', options: 'request_id' },
            properties: [
              {
                id: 'links',
                value: [
                  {
                    title: 'Look up this request',
                    url: '/d/faultline-request-lookup/request-lookup?var-request_id=${__value.raw}&${__url_time_range}',
                  },
                ],
              },
            ],
          },
        ],
        sql: `SELECT request_id, max(event_time) AS last_seen, count() AS failing_events,
            argMax(code, event_time) AS last_code, argMax(channel, event_time) AS last_channel
          FROM ${t.events}
          WHERE $__timeFilter(event_time) AND outcome != 'ok' AND request_id != ''
            AND ${F.channel} AND ${F.source} AND ${F.category}
          GROUP BY request_id ORDER BY last_seen DESC, request_id LIMIT 100`,
      }),
    ],
  });
}
