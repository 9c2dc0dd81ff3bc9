// Shared by the ingest tests: records with a known fate (valid -> event, garbage -> reject),
// a producer onto the mock broker, counting what is stored, and waiting for it.
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { Store } from '../../sql/store.ts';

export interface Batch {
  values: Buffer[];
  valid: number;
  garbage: number;
}

const GARBAGE = [
  () => '%%% ### not a log line ### %%%',
  (i: number) => `[${i}, ${i + 1}]`,
  (i: number) => `{"request_id": "req_g${i}", "status": `,
  () => 'just some words without anything recognisable',
];

/** `n` records for `source`; every 10th (i % 10 === 9) is garbage when `garbageEvery10`. */
export function records(source: 'gateway' | 'client', n: number, opts: { tag?: string; garbageEvery10?: boolean } = {}): Batch {
  const tag = opts.tag ?? 'r';
  const values: Buffer[] = [];
  let garbage = 0;
  for (let i = 0; i < n; i++) {
    if ((opts.garbageEvery10 ?? true) && i % 10 === 9) {
      values.push(Buffer.from(GARBAGE[i % GARBAGE.length]!(i)));
      garbage++;
      continue;
    }
    const ts = new Date(Date.UTC(2026, 10, 21, 10, 0, 0) + i * 7).toISOString();
    const rec = source === 'gateway'
      ? { ts, request_id: `req_${tag}_${i}`, status: i % 3 === 0 ? 429 : 200, route: '/v1/orders', method: 'POST', channel: '1688', ...(i % 3 === 0 ? { error: { code: 'QUOTA_EXCEEDED', message: 'quota', request_id: `req_${tag}_${i}` } } : {}) }
      : { time: ts, level: 'error', app_id: 'shop-api', requestId: `req_${tag}_${i}`, status_code: i % 2 ? 502 : 200, message: 'call failed' };
    values.push(Buffer.from(JSON.stringify(rec)));
  }
  return { values, valid: n - garbage, garbage };
}

export function kafkaClient(bootstrap: string): Kafka {
  return new Kafka({ brokers: bootstrap.split(','), clientId: 'test-producer', logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
}

/** Produce `values` round-robin over `partitions`, in chunks, acks from the leader. */
export async function produce(producer: Producer, topic: string, values: readonly Buffer[], partitions: number, chunk = 500): Promise<void> {
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
        (SELECT topic, partition, offset, record_index FROM ${db}.events UNION ALL SELECT topic, partition, offset, record_index FROM ${db}.rejects)) AS distinct`);
  return { events: Number(r!.events), rejects: Number(r!.rejects), distinct: Number(r!.distinct) };
}

/** Kafka records with at least one row stored: distinct (topic, partition, offset) across events and rejects. */
export async function storedRecords(store: Store, db: string): Promise<number> {
  const [r] = await store.query<{ n: number }>(`
    SELECT uniqExact(topic, partition, offset) AS n FROM
      (SELECT topic, partition, offset FROM ${db}.events UNION ALL SELECT topic, partition, offset FROM ${db}.rejects)`);
  return Number(r!.n);
}

export async function waitFor<T>(what: string, fn: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number, everyMs = 200): Promise<T> {
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
