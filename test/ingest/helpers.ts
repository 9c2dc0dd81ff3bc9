// Shared by the ingest tests: records with a known fate (valid -> event, garbage -> reject),
// a producer onto the mock broker, counting what is stored, and waiting for it.
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { Store } from '../../sql/store.ts';
import { normalize } from '../../transform/normalize.ts';
import { PartitionBuffer } from '../../ingest/partition-buffer.ts';
import { complete, type Segment } from '../../ingest/segment.ts';
import { otlpJsonBatch } from '../support/otlp-batch.ts';

export interface Batch {
  /** Kafka records. */
  values: Buffer[];
  /** Event rows they give (an OTLP message gives one row per log record). */
  valid: number;
  /** Reject rows they give. */
  garbage: number;
}

/** Rows a batch gives (events + rejects): its records, plus the extra log records of its OTLP messages. */
export const rowsOf = (b: Batch): number => b.valid + b.garbage;

const GARBAGE = [
  () => '%%% ### not a log line ### %%%',
  (i: number) => `[${i}, ${i + 1}]`,
  (i: number) => `{"request_id": "req_g${i}", "status": `,
  () => 'just some words without anything recognisable',
];

/**
 * `n` records for `source`; every 10th (i % 10 === 9) is garbage when `garbageEvery10`; with
 * `otlpEvery10`, every 10th (i % 10 === 4) is an OTLP/JSON message (test/support/otlp-batch.ts)
 * of three log records: events of two different days (two blocks of one insert) and a reject.
 */
export function records(
  source: 'gateway' | 'client',
  n: number,
  opts: { tag?: string; garbageEvery10?: boolean; otlpEvery10?: boolean } = {},
): Batch {
  const tag = opts.tag ?? 'r';
  const values: Buffer[] = [];
  let garbage = 0;
  let extra = 0;
  for (let i = 0; i < n; i++) {
    if ((opts.garbageEvery10 ?? true) && i % 10 === 9) {
      values.push(Buffer.from(GARBAGE[i % GARBAGE.length]!(i)));
      garbage++;
      continue;
    }
    if (opts.otlpEvery10 && i % 10 === 4) {
      const at = (day: number) => Date.UTC(2026, 10, day, 10, 0, 0) + i * 7;
      const line = (day: number, k: number) =>
        JSON.stringify({
          time: new Date(at(day)).toISOString(),
          level: 'error',
          app_id: 'shop-api',
          requestId: `req_${tag}_${i}_${k}`,
          status_code: 502,
          message: 'call failed',
        });
      values.push(
        Buffer.from(
          otlpJsonBatch([
            { body: line(21, 0), timeMs: at(21) },
            { body: line(22, 1), timeMs: at(22) },
            { body: '{"requestId": "req_cut", "status_code": ', timeMs: at(21) },
          ]),
        ),
      );
      garbage++; // log record 2
      extra += 2; // log records 0 and 1 are events: one more than the record's own
      continue;
    }
    const ts = new Date(Date.UTC(2026, 10, 21, 10, 0, 0) + i * 7).toISOString();
    const rec =
      source === 'gateway'
        ? {
            ts,
            request_id: `req_${tag}_${i}`,
            status: i % 3 === 0 ? 429 : 200,
            route: '/v1/orders',
            method: 'POST',
            channel: '1688',
            ...(i % 3 === 0 ? { error: { code: 'QUOTA_EXCEEDED', message: 'quota', request_id: `req_${tag}_${i}` } } : {}),
          }
        : {
            time: ts,
            level: 'error',
            app_id: 'shop-api',
            requestId: `req_${tag}_${i}`,
            status_code: i % 2 ? 502 : 200,
            message: 'call failed',
          };
    values.push(Buffer.from(JSON.stringify(rec)));
  }
  return { values, valid: n - garbage + extra, garbage };
}

export function kafkaClient(bootstrap: string): Kafka {
  return new Kafka({
    brokers: bootstrap.split(','),
    clientId: 'test-producer',
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100 },
  });
}

/** Produce `values` round-robin over `partitions`, in chunks, acks from the leader. */
export async function produce(
  producer: Producer,
  topic: string,
  values: readonly Buffer[],
  partitions: number,
  chunk = 500,
): Promise<void> {
  for (let i = 0; i < values.length; i += chunk) {
    const messages = values.slice(i, i + chunk).map((value, j) => ({ value, partition: (i + j) % partitions }));
    await producer.send({ topic, messages, acks: 1 });
  }
}

export interface Counts {
  events: number;
  rejects: number;
  /**
   * Distinct rows (topic, partition, offset, record_index) across events and rejects: equals
   * events + rejects when nothing is duplicated (and the records stored, when each is one row).
   */
  distinct: number;
}

export async function counts(store: Store, db: string): Promise<Counts> {
  const [r] = await store.query<{ events: number; rejects: number; distinct: number }>(`
    SELECT
      (SELECT count() FROM ${db}.events) AS events,
      (SELECT count() FROM ${db}.rejects) AS rejects,
      (SELECT uniqExact(topic, partition, offset, record_index) FROM
        (SELECT topic, partition, offset, record_index FROM ${db}.events
         UNION ALL SELECT topic, partition, offset, record_index FROM ${db}.rejects)) AS distinct`);
  return { events: Number(r!.events), rejects: Number(r!.rejects), distinct: Number(r!.distinct) };
}

/** Kafka records with at least one row stored: distinct (topic, partition, offset) across events and rejects. */
export async function storedRecords(store: Store, db: string): Promise<number> {
  const [r] = await store.query<{ n: number }>(`
    SELECT uniqExact(topic, partition, offset) AS n FROM
      (SELECT topic, partition, offset FROM ${db}.events UNION ALL SELECT topic, partition, offset FROM ${db}.rejects)`);
  return Number(r!.n);
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const SEGMENT_LIMITS = { maxRecordBytes: 1 << 20, maxDepth: 64, rawMaxBytes: 4096 };

/**
 * `values` as the segments a partition buffer cuts from offset `start` (one unless `replay`
 * ranges cut them), rows complete: what a flush hands the sink. With `replay`, they are replayed
 * segments (row keys kept), of the composition `group` (null: checked against the store).
 * Transport time `at` (epoch ms) for every record.
 */
export function segmentsOf(
  topic: string,
  partition: number,
  values: Buffer[],
  start = 0,
  replay: { first: number; last: number }[] = [],
  group: string | null = null,
  at = Date.now(),
): Promise<Segment[]> {
  const b = new PartitionBuffer(topic, partition, 'gateway', normalize, SEGMENT_LIMITS, 100_000, { committed: start, replay, group });
  b.append(values.map((v, i) => ({ offset: String(start + i), value: v, timestamp: String(at) })));
  return complete(b.take());
}
