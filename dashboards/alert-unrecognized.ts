// The "Unrecognized records" rule (docs/real-inputs.md §4): a topic whose records faultline
// cannot read (a JSON object with no field it knows: a shipper misconfigured overnight, a new
// layout) stores them as `ok` events, so its error rate drops to zero and no other rule fires.
// This one pages when more than 1% of a topic's records in the last 5 minutes were unrecognized.
// Reads the formats_1m rollup (migration 0008), like every rule reads a rollup.
import type { AlertRuleDef } from './alert-rules.ts';
import type { Tables } from './types.ts';

/** At least this many records in the window: a quiet topic does not flap on one odd record. */
const MIN_RECORDS = 20;

export function unrecognizedRecords(t: Tables, w: { IN_CUR: string }): AlertRuleDef {
  return {
    uid: 'faultline-unrecognized-records',
    title: 'Unrecognized records',
    groupBy: 'topic',
    rangeSeconds: 10 * 60,
    threshold: 0.01,
    valueMeans:
      `share of the topic's records in the last 5 minutes read as unrecognized (no field faultline knows; at least ` +
      `${MIN_RECORDS} records)`,
    for: '5m',
    severity: 'page',
    reads: 'events',
    sql: `SELECT topic, round(unrecognized / records, 4) AS value
FROM (
  SELECT topic, sumIf(events, format = 'unrecognized') AS unrecognized, sum(events) AS records
  FROM ${t.formats1m}
  WHERE $__timeFilter(minute) AND ${w.IN_CUR}
  GROUP BY topic
)
WHERE records >= ${MIN_RECORDS}
ORDER BY topic`,
  };
}
