// The questions ops ask after the first glance, as panels: which routes the gateway and the
// clients disagree on (click through to the request), and which apps retry against the
// gateway's advice (error reference, test/fixtures/seeds/gateway-errors.en.txt "Recommended
// handling": retry 429 and 500 with exponential backoff, do not retry 400/401 unchanged).
// Both need request ids, so they read raw `events`, time-filtered and LIMITed.
import { F, table, type PanelSpec } from './panels.ts';
import type { Tables } from './types.ts';

/** Data link from a request id cell to the request lookup dashboard (same time range). */
const LOOKUP_LINK: NonNullable<PanelSpec['overrides']> = [
  {
    matcher: { id: 'byName', options: 'example_request_id' },
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
];

/** Statuses the error reference says not to retry unchanged (400, 401) plus 403 and 404, which no retry can fix. */
const NON_RETRYABLE = [400, 401, 403, 404] as const;

export function disagreementPanel(t: Tables) {
  return table({
    title: 'Gateway and client disagree, by route',
    description:
      'Requests logged by both sides in the range whose outcomes differ: the client saw a failure' +
      ' while the gateway logged success (timeouts, client-side errors),' +
      ' or the gateway failed while the client reported success (retried, or the client ignored the error).' +
      " By the gateway's route" +
      '; click a request id to see both sides. Reads raw events.',
    unit: 'short',
    w: 24,
    overrides: LOOKUP_LINK,
    sql: `SELECT route, countIf(cl AND NOT gw) AS client_failed_gateway_ok, countIf(gw AND NOT cl) AS gateway_failed_client_ok,
        min(request_id) AS example_request_id
      FROM (
        SELECT request_id, if(anyIf(route, source = 'gateway') = '', '(no route)', anyIf(route, source = 'gateway')) AS route,
          maxIf(outcome != 'ok', source = 'gateway') AS gw, maxIf(outcome != 'ok', source = 'client') AS cl
        FROM ${t.events}
        WHERE $__timeFilter(event_time) AND request_id != '' AND ${F.channel}
        GROUP BY request_id
        HAVING countIf(source = 'gateway') > 0 AND countIf(source = 'client') > 0 AND gw != cl)
      GROUP BY route ORDER BY client_failed_gateway_ok + gateway_failed_client_ok DESC, route LIMIT 50`,
  });
}

/**
 * A retry is a client event followed (same request id, by time) by one with a higher attempt.
 * Against the advice: the earlier attempt got 400/401/403/404, or it got 429 and the next came
 * sooner than exponential backoff from 1 s allows (attempt n waits at least 2^(n-1) s).
 */
export function retriesPanel(t: Tables) {
  return table({
    title: 'Clients retrying against the advice, by app',
    description:
      `Client retries (a later attempt of the same request id) after ${NON_RETRYABLE.join('/')} (not retryable unchanged), ` +
      `and retries after a 429 sooner than exponential backoff from 1 s allows (attempt n waits at least 2^(n-1) s). By app; click a ` +
      `request id to see it. Reads raw client events.`,
    unit: 'short',
    w: 24,
    overrides: LOOKUP_LINK,
    // Client lines without an app id (logfmt and text lines name no app; docs/event-model.md §1) get a label of their own.
    sql: `SELECT app AS app_id, countIf(http_status IN (${NON_RETRYABLE.join(', ')})) AS non_retryable_retried,
        countIf(http_status = 429 AND gap_ms < 1000 * pow(2, attempt - 1)) AS fast_429_retries,
        min(request_id) AS example_request_id
      FROM (
        SELECT request_id, if(app_id = '', '(no app id)', app_id) AS app, http_status, assumeNotNull(attempt) AS attempt,
          leadInFrame(assumeNotNull(attempt)) OVER w AS next_attempt,
          dateDiff('millisecond', event_time, leadInFrame(event_time) OVER w) AS gap_ms
        FROM ${t.events}
        WHERE $__timeFilter(event_time) AND source = 'client' AND request_id != '' AND attempt IS NOT NULL AND ${F.channel}
        WINDOW w AS (PARTITION BY request_id ORDER BY event_time, attempt ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING))
      WHERE next_attempt > attempt
        AND (http_status IN (${NON_RETRYABLE.join(', ')}) OR (http_status = 429 AND gap_ms < 1000 * pow(2, attempt - 1)))
      GROUP BY app ORDER BY non_retryable_retried + fast_429_retries DESC, app LIMIT 50`,
  });
}
