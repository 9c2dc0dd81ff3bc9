// Evaluate the alert rules the way Grafana does, against a Store: expand the rule's SQL with
// its relativeTimeRange ending at `at` and intervalMs, run it, turn each row into a series
// (string columns = labels, `value` = the number), reduce (last: one row is one value) and
// compare with the threshold. `faultline alerts check` prints the result; the tests assert it.
import type { Store } from '../sql/store.ts';
import { ALERT_INTERVAL_MS, type AlertRuleDef } from './alert-rules.ts';
import { FRESHNESS_DAY_S } from './freshness.ts';
import { expandQuery } from './macros.ts';
import { formatGroup, groupNotifications, type FiringSeries } from './notifications.ts';

interface SeriesResult {
  labels: Record<string, string>;
  value: number;
  firing: boolean;
}

export interface RuleResult {
  rule: AlertRuleDef;
  sql: string;
  series: SeriesResult[];
  firing: boolean;
  error?: string;
  /** Rules over events: seconds between `at` and the newest ingest batch (the data_freshness annotation). */
  freshnessS?: number;
}

/** The SQL Grafana's alert evaluation would send for `rule` at `atMs`. */
function alertSql(rule: AlertRuleDef, atMs: number): string {
  return expandQuery(rule.sql, { fromMs: atMs - rule.rangeSeconds * 1000, toMs: atMs, intervalMs: ALERT_INTERVAL_MS });
}

export async function evaluateRule(store: Store, rule: AlertRuleDef, atMs: number): Promise<RuleResult> {
  const sql = alertSql(rule, atMs);
  let rows: Record<string, unknown>[];
  try {
    rows = await store.query(sql);
  } catch (err) {
    return { rule, sql, series: [], firing: false, error: err instanceof Error ? err.message : String(err) };
  }
  const series = rows.map((row) => {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(row)) if (typeof v === 'string') labels[k] = v;
    const value = Number(row.value);
    return { labels, value, firing: Number.isFinite(value) && (rule.op === 'lt' ? value < rule.threshold : value > rule.threshold) };
  });
  // noDataState (provisioning.ts): OK for rules over events, Alerting for the ingest rule.
  const firing = series.some((s) => s.firing) || (series.length === 0 && rule.reads === 'ingest');
  const result: RuleResult = { rule, sql, series, firing };
  if (rule.freshnessSql !== undefined) {
    try {
      const [row] = await store.query(alertSql({ ...rule, sql: rule.freshnessSql, rangeSeconds: 24 * 3600 }, atMs));
      result.freshnessS = Number(row?.value);
    } catch (err) {
      return { ...result, error: `freshness query: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  return result;
}

export async function evaluateRules(store: Store, rules: AlertRuleDef[], atMs: number): Promise<RuleResult[]> {
  const out: RuleResult[] = [];
  // One at a time: the embedded engine serialises queries anyway, and a server is spared a burst.
  for (const r of rules) out.push(await evaluateRule(store, r, atMs));
  return out;
}

const opSign = (r: AlertRuleDef) => (r.op === 'lt' ? '<' : '>');

/** Every firing series of the results, for notification grouping. */
export function firingSeries(results: RuleResult[]): FiringSeries[] {
  return results.flatMap((r) => r.series.filter((s) => s.firing).map((s) => ({ rule: r.rule, labels: s.labels, value: s.value })));
}

/** The data_freshness annotation, in words. */
function freshnessText(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds >= FRESHNESS_DAY_S)
    return 'no ingest batch in the day before: this rule cannot see current traffic (ok means unknown)';
  const behind = seconds > 180 ? ' (faultline is behind: ok may mean unknown)' : '';
  return `newest ingest batch ${seconds} s before the evaluation time${behind}`;
}

const fmtLabels = (l: Record<string, string>) =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || '(no labels)';

/** Human report: one block per rule, firing series first, with the reason. */
export function formatResults(results: RuleResult[], atMs: number): string {
  const lines = [`alert evaluation at ${new Date(atMs).toISOString()}`];
  for (const r of results) {
    const head = r.error ? 'ERROR ' : r.firing ? 'FIRING' : 'ok    ';
    lines.push(`${head} ${r.rule.uid} (${r.rule.title}; fires when value ${opSign(r.rule)} ${r.rule.threshold} for ${r.rule.for})`);
    if (r.error) {
      const hint = /UNKNOWN_(DATABASE|TABLE)/.test(r.error) ? ' (is the schema there? run: faultline migrate)' : '';
      lines.push(`       query failed: ${r.error}${hint}`);
      continue;
    }
    if (r.series.length === 0) {
      lines.push(
        r.rule.reads === 'ingest' ? '       no rows (Grafana: no data -> Alerting)' : '       no data in the range (treated as OK)',
      );
    }
    const sorted = [...r.series].sort((a, b) => Number(b.firing) - Number(a.firing) || b.value - a.value);
    for (const s of sorted) {
      const why = s.firing
        ? `value ${s.value} ${opSign(r.rule)} ${r.rule.threshold}`
        : `value ${s.value} ${r.rule.op === 'lt' ? '>=' : '<='} ${r.rule.threshold}`;
      lines.push(`       ${s.firing ? '!' : ' '} ${fmtLabels(s.labels)}: ${why}`);
    }
    if (r.firing) lines.push(`       value is ${r.rule.valueMeans}`);
    if (r.freshnessS !== undefined) lines.push(`       data: ${freshnessText(r.freshnessS)}`);
  }
  const firing = results.filter((r) => r.firing).length;
  lines.push(`${firing} of ${results.length} rules would fire (Grafana also requires the condition to hold for the rule's "for" duration)`);
  const groups = groupNotifications(firingSeries(results));
  if (groups.length) {
    lines.push(`notifications (one per rule and dimension, dashboards/notifications.ts): ${groups.length}`);
    for (const g of groups) lines.push(`  ${formatGroup(g)}`);
  }
  return lines.join('\n');
}
