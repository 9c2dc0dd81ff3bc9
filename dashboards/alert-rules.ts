// The alert rules: one definition per rule, from which both the Grafana file-provisioned rule
// (provisioning.ts) and `faultline alerts check` (alert-check.ts) are made, so the SQL that
// pages people is the SQL the tests execute.
//
// Each query returns one row per channel / vendor / topic (string label columns) and one
// numeric `value`: Grafana turns each row into a series labelled by the string columns,
// reduces it (last) and compares it with the threshold. Rates are compared with the same
// dimension's own recent baseline, not with a fixed count; a minimum volume keeps quiet
// channels from flapping. "Current" is the last 5 complete minutes before the evaluation
// time; "baseline" is the rest of the rule's range.
import { ingestBehindSql, storeFreshnessSql } from './freshness.ts';
import { quotaRunsOutSql } from './quota-forecast.ts';
import type { Tables } from './types.ts';
import { unrecognizedRecords } from './alert-unrecognized.ts';

export interface AlertRuleDef {
  uid: string;
  /** Shown in Grafana and by `alerts check`; no `$` (labels and titles are env-expanded). */
  title: string;
  /** Which label column the rows are grouped by. */
  groupBy: 'channel' | 'vendor' | 'topic';
  /** relativeTimeRange.from in seconds (to is always 0). */
  rangeSeconds: number;
  /** Fires when value > threshold (op gt, the default) or value < threshold (op lt). */
  threshold: number;
  op?: 'gt' | 'lt';
  /** What `value` means, for the summary and `alerts check`. */
  valueMeans: string;
  for: string;
  severity: 'page' | 'ticket';
  sql: string;
  /**
   * `events`: the rule reads event rollups (event time; its annotations say how current the
   * store is). `ingest`: it reads the sink's ledger (wall-clock batch times) and is itself the
   * freshness check: no rows is never "healthy" for it (Grafana's noDataState Alerting).
   */
  reads: 'events' | 'ingest';
  /** Rules over events: the store-freshness query (freshness.ts) behind their data_freshness annotation. */
  freshnessSql?: string;
}

export const ALERT_INTERVAL_MS = 60_000;

const CUR_END = 'toStartOfMinute($__toTime)';
const CUR_START = `(${CUR_END} - INTERVAL 5 MINUTE)`;
const IN_CUR = `minute >= ${CUR_START} AND minute < ${CUR_END}`;
const IN_BASE = `minute < ${CUR_START}`;
/** Baseline minutes per 5-minute window: a 65-minute range leaves 60 baseline minutes. */
const BASE_WINDOWS = 12;

/** value = current count / max(baseline count per 5 min, floor): a burst is "N× its usual". */
function burst(opts: { table: string; label: string; labelExpr: string; count: string; where: string; floor: number }): string {
  return `SELECT ${opts.label}, round(cur / greatest(base / ${BASE_WINDOWS}, ${opts.floor}), 3) AS value
FROM (
  SELECT ${opts.labelExpr} AS ${opts.label},
    sumIf(${opts.count}, ${IN_CUR}) AS cur,
    sumIf(${opts.count}, ${IN_BASE}) AS base
  FROM ${opts.table}
  WHERE $__timeFilter(minute) AND ${opts.where}
  GROUP BY ${opts.label}
)
ORDER BY ${opts.label}`;
}

const channelLabel = "if(channel = '', 'unknown', channel)";

export interface RuleOptions {
  /** FAULTLINE_QUOTA_TZ: the quota day's time zone. */
  quotaTz?: string;
}

export function alertRules(t: Tables, o: RuleOptions = {}): AlertRuleDef[] {
  const freshnessSql = storeFreshnessSql(t);
  const rules: AlertRuleDef[] = [
    {
      uid: 'faultline-error-rate-spike',
      title: 'Error rate spike',
      groupBy: 'channel',
      rangeSeconds: 65 * 60,
      threshold: 3,
      valueMeans: "the channel's error rate over the last 5 minutes divided by its error rate over the hour before (0 below 20 errors)",
      for: '5m',
      severity: 'page',
      reads: 'events',
      sql: `SELECT channel, if(cur_errors < 20, 0,
    round((cur_errors / cur_events) / greatest(base_errors / greatest(base_events, 1), 0.01), 3)) AS value
FROM (
  SELECT ${channelLabel} AS channel,
    sumIf(events, outcome != 'ok' AND ${IN_CUR}) AS cur_errors,
    sumIf(events, ${IN_CUR}) AS cur_events,
    sumIf(events, outcome != 'ok' AND ${IN_BASE}) AS base_errors,
    sumIf(events, ${IN_BASE}) AS base_events
  FROM ${t.events1m}
  WHERE $__timeFilter(minute)
  GROUP BY channel
)
ORDER BY channel`,
    },
    {
      uid: 'faultline-quota-exhausted',
      title: 'Quota exhausted',
      groupBy: 'channel',
      rangeSeconds: 10 * 60,
      threshold: 10,
      valueMeans: 'daily-quota and platform-quota hits of the channel in the last 5 minutes',
      for: '2m',
      severity: 'page',
      reads: 'events',
      sql: `SELECT ${channelLabel} AS channel, sumIf(events, ${IN_CUR}) AS value
FROM ${t.events1m}
WHERE $__timeFilter(minute) AND limit_kind IN ('quota', 'platform')
GROUP BY channel
ORDER BY channel`,
    },
    {
      uid: 'faultline-quota-runs-out',
      title: 'Quota runs out within 2 h',
      groupBy: 'channel',
      rangeSeconds: 8 * 86_400,
      threshold: 120,
      op: 'lt',
      valueMeans:
        "minutes until the channel's daily quota (learned from the last 7 quota days: calls served before the first QUOTA_EXCEEDED) " +
        "runs out at the last hour's rate",
      for: '5m',
      severity: 'page',
      reads: 'events',
      sql: quotaRunsOutSql(t, o.quotaTz ?? 'UTC'),
    },
    {
      uid: 'faultline-vendor-failure-burst',
      title: 'Vendor failure burst',
      groupBy: 'vendor',
      rangeSeconds: 65 * 60,
      threshold: 5,
      valueMeans:
        "the vendor's upstream errors (limits excluded) in the last 5 minutes divided by its usual 5-minute count over the hour before " +
        '(at least 10)',
      for: '5m',
      severity: 'page',
      reads: 'events',
      sql: burst({
        table: t.events1m,
        label: 'vendor',
        labelExpr: 'upstream_vendor',
        count: 'events',
        where: "upstream_vendor != '' AND outcome = 'error' AND limit_kind = ''",
        floor: 10,
      }),
    },
    {
      uid: 'faultline-internal-error-spike',
      title: 'Internal error spike',
      groupBy: 'channel',
      rangeSeconds: 65 * 60,
      threshold: 4,
      valueMeans:
        "the channel's INTERNAL_ERROR events in the last 5 minutes divided by its usual 5-minute count over the hour before (at least 5)",
      for: '5m',
      severity: 'page',
      reads: 'events',
      sql: burst({
        table: t.events1m,
        label: 'channel',
        labelExpr: channelLabel,
        count: 'events',
        where: "category = 'INTERNAL_ERROR'",
        floor: 5,
      }),
    },
    {
      uid: 'faultline-rejects-growing',
      title: 'Rejects growing',
      groupBy: 'topic',
      rangeSeconds: 65 * 60,
      threshold: 3,
      valueMeans: "the topic's rejects in the last 5 minutes divided by its usual 5-minute count over the hour before (at least 5)",
      for: '5m',
      severity: 'ticket',
      reads: 'events',
      sql: burst({ table: t.rejects1m, label: 'topic', labelExpr: 'topic', count: 'rejects', where: '1 = 1', floor: 5 }),
    },
    {
      // Threshold 3 minutes + for 1m + a 1-minute evaluation interval: fires within 5 minutes
      // of the last batch, and stays firing (every topic that ever wrote a batch is kept)
      // until the topic is less than 3 minutes behind again.
      uid: 'faultline-ingest-stalled',
      title: 'Ingest stalled or behind',
      groupBy: 'topic',
      rangeSeconds: 24 * 3600,
      threshold: 180,
      valueMeans:
        "seconds the topic's stored data is behind: the larger of the time since its last batch and its consumer lag divided by its " +
        "last 5 minutes' throughput (topic (none): the store holds no batch at all)",
      for: '1m',
      severity: 'page',
      sql: ingestBehindSql(t),
      reads: 'ingest',
    },
    unrecognizedRecords(t, { IN_CUR }),
  ];
  return rules.map((r) => (r.reads === 'events' ? { ...r, freshnessSql } : r));
}
