// "Pipeline health": ingest rate, consumer lag and reconciliation from the sink's per-batch
// ledger `ingest_batches` (consumed offsets = events + rejects), rejects by reason from
// `rejects_1m`.
import { ingestBehindSql } from './freshness.ts';
import { dashboard, F, filterVariables, table, timeseries } from './panels.ts';
import type { ChDashboard, Tables } from './types.ts';

export function pipelineHealth(t: Tables): ChDashboard {
  const batches = `${t.ingestBatches} WHERE $__timeFilter(batch_time)`;
  return dashboard({
    uid: 'faultline-pipeline-health',
    title: 'faultline / Pipeline health',
    description: 'Ingest rate, consumer lag, rejects and the offsets-to-rows reconciliation of the faultline pipeline.',
    tags: ['pipeline'],
    variables: filterVariables(t),
    panels: [
      timeseries({
        title: 'Ingest rate',
        measure: 'rate',
        label: 'topic',
        description: 'Records consumed per second, by topic (batch time, not event time).',
        unit: 'cps',
        sql: `SELECT $__timeInterval(batch_time) AS time, topic, sum(records) / $__interval_s AS records_per_s
          FROM ${batches}
          GROUP BY time, topic ORDER BY time, topic`,
      }),
      timeseries({
        title: 'Consumer lag',
        measure: 'gauge',
        description:
          'Messages behind the partition end, summed over the partitions of each topic (the last batch of each partition in each ' +
          'interval).',
        unit: 'short',
        sql: `SELECT time, topic, sum(partition_lag) AS lag FROM (
            SELECT $__timeInterval(batch_time) AS time, topic, partition, argMax(lag, batch_time) AS partition_lag
            FROM ${batches} GROUP BY time, topic, partition)
          GROUP BY time, topic ORDER BY time, topic`,
      }),
      timeseries({
        title: 'Rejects by reason',
        measure: 'count',
        label: 'reason',
        description: 'Records that could not become events, per interval and reason (see the rejects table for their first bytes).',
        unit: 'short',
        sql: `SELECT $__timeInterval(minute) AS time, reason, sum(rejects) AS reject_count
          FROM ${t.rejects1m} WHERE $__timeFilter(minute) AND ${F.source}
          GROUP BY time, reason ORDER BY time, reason`,
      }),
      table({
        title: 'Rejects by topic and reason',
        description: 'Rejects over the range by source, topic and reason, with the last minute seen.',
        unit: 'short',
        sql: `SELECT source, topic, reason, sum(rejects) AS reject_count, max(minute) AS last_seen
          FROM ${t.rejects1m} WHERE $__timeFilter(minute) AND ${F.source}
          GROUP BY source, topic, reason ORDER BY reject_count DESC, source, topic, reason`,
      }),
      table({
        title: 'Formats seen',
        description:
          'How the records of each topic were read over the range (docs/real-inputs.md §4): json, logfmt, text, or the shipper ' +
          "envelopes before them (docker/json, cri/text, otlp-json/text…), with each format's share of the topic. An unrecognized " +
          'share above 1% pages (rule "Unrecognized records"): a shipper sending a shape nothing reads turns every error into ok.',
        unit: 'short',
        // The share is a ratio: Grafana's per-column unit (a byName override), 0.0635 -> 6.35%.
        overrides: [{ matcher: { id: 'byName', options: 'share' }, properties: [{ id: 'unit', value: 'percentunit' }] }],
        sql: `SELECT topic, if(format = '', '(before 0008)', format) AS format, records,
            records / sum(records) OVER (PARTITION BY topic) AS share
          FROM (SELECT topic, format, sum(events) AS records FROM ${t.formats1m}
            WHERE $__timeFilter(minute) AND ${F.source} GROUP BY topic, format)
          ORDER BY topic, records DESC, format`,
      }),
      table({
        title: 'Reconciliation',
        description:
          'Per partition over the range: offsets spanned by the batches, records consumed, events + rejects written. unaccounted = ' +
          'records − events − rejects and offset_gap = offsets spanned − records must both be 0.',
        // Offsets and exact counts: plain integers ("123 Mil" would hide a gap of a few records).
        unit: 'none',
        w: 16,
        sql: `SELECT topic, partition, min(first_offset) AS min_offset, max(last_offset) AS max_offset,
            max_offset - min_offset + 1 AS offsets_spanned,
            sum(records) AS records_consumed, sum(events) AS events_written, sum(rejects) AS rejects_written,
            toInt64(records_consumed) - toInt64(events_written) - toInt64(rejects_written) AS unaccounted,
            offsets_spanned - toInt64(records_consumed) AS offset_gap
          FROM ${batches}
          GROUP BY topic, partition ORDER BY topic, partition`,
      }),
      table({
        title: 'Seconds behind, by topic',
        description:
          'Per topic that ever wrote a batch, how far its stored data is behind the end of the range: the larger of the seconds since ' +
          "its last batch and its consumer lag ÷ its last 5 minutes' throughput; (none) when the store holds no batch. The value the " +
          '"Ingest stalled or behind" alert fires on (above 180 s).',
        unit: 's',
        w: 8,
        sql: `SELECT topic, value AS seconds_behind FROM (${ingestBehindSql(t)})`,
      }),
    ],
  });
}
