// Worker thread of the multi-worker prototype (proto-workers.ts): one kafkajs consumer of the
// shared group plus the full normalizer, on its own core. It serialises its rows to
// JSONEachRow and hands the bytes (transferred, not copied) to the thread that owns chDB;
// offsets are resolved only once that thread acknowledged the insert (at-least-once).
import { Kafka, logLevel } from 'kafkajs';
import { parentPort, workerData } from 'node:worker_threads';
import { eventLine } from '../sql/rows.ts';
import type { NormalizeContext, NormalizeResult } from '../transform/event.ts';

export interface ProtoWorkerData {
  id: number;
  brokers: string;
  gatewayTopic: string;
  clientTopic: string;
  group: string;
  batchRows: number;
  batchMs: number;
  /** Row format of events: JSONEachRow (objects, as the sink writes today) or JSONCompactEachRow (arrays in sql/rows.ts EVENT_COLUMNS order). */
  format: 'JSONEachRow' | 'JSONCompactEachRow';
}

/** Worker → owner: one flush. */
export interface FlushMessage {
  type: 'flush';
  worker: number;
  seq: number;
  events: ArrayBuffer;
  rejects: ArrayBuffer;
  nEvents: number;
  nRejects: number;
}

type Normalize = (record: Uint8Array, ctx: NormalizeContext) => NormalizeResult;

async function run(d: ProtoWorkerData): Promise<void> {
  const port = parentPort!;
  const { normalize } = (await import('../transform/normalize.ts')) as { normalize: Normalize };
  const kafka = new Kafka({ clientId: `proto-${d.id}`, brokers: d.brokers.split(','), logLevel: logLevel.NOTHING });
  // A short heartbeat makes members notice the second member's join quickly (the rebalance
  // is only learnt from a heartbeat response), which shortens the start of the group.
  const consumer = kafka.consumer({
    groupId: d.group,
    maxBytes: 50 * 1024 * 1024,
    maxBytesPerPartition: 1024 * 1024,
    maxWaitTimeInMs: 100,
    heartbeatInterval: 500,
  });
  if (process.env.FAULTLINE_BENCH_DEBUG) {
    const t0 = performance.now();
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      process.stderr.write(
        `worker ${d.id} joined at ${Math.round(performance.now() - t0)} ms: ${JSON.stringify(e.payload.memberAssignment).length} B ` +
          `assignment\n`,
      );
    });
  }
  await consumer.connect();
  await consumer.subscribe({ topics: [d.gatewayTopic, d.clientTopic], fromBeginning: true });

  let events = '';
  let rejects = '';
  let nEvents = 0;
  let nRejects = 0;
  /** Next offset to commit per topic/partition once the open accumulator is stored. */
  let positions = new Map<string, { topic: string; partition: number; offset: string }>();
  let timer: NodeJS.Timeout | undefined;
  let seq = 0;
  // Flushes posted and not yet acknowledged; eachBatch waits only when too many are in flight
  // (backpressure), never for its own rows: with the mock broker a fetch returns one produced
  // batch per partition, so waiting for the time bound in eachBatch would idle the consumer.
  const inFlight = new Map<number, { done: Promise<void>; resolve: () => void }>();
  port.on('message', (m: { type: 'ack'; seq: number }) => inFlight.get(m.seq)?.resolve());
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (nEvents + nRejects === 0) return;
    const ev = Buffer.from(events);
    const rj = Buffer.from(rejects);
    const evAb = ev.buffer.slice(ev.byteOffset, ev.byteOffset + ev.byteLength) as ArrayBuffer;
    const rjAb = rj.buffer.slice(rj.byteOffset, rj.byteOffset + rj.byteLength) as ArrayBuffer;
    const mySeq = ++seq;
    const msg: FlushMessage = { type: 'flush', worker: d.id, seq: mySeq, events: evAb, rejects: rjAb, nEvents, nRejects };
    const commit = [...positions.values()];
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r)).then(async () => {
      inFlight.delete(mySeq);
      // Commit only what ClickHouse acknowledged (at-least-once).
      await consumer.commitOffsets(commit).catch(() => undefined);
    });
    inFlight.set(mySeq, { done, resolve });
    if (process.env.FAULTLINE_BENCH_DEBUG)
      process.stderr.write(`worker ${d.id} flush #${mySeq} ${nEvents} rows at ${Math.round(performance.now())} ms\n`);
    port.postMessage(msg, [evAb, rjAb]);
    events = '';
    rejects = '';
    nEvents = 0;
    nRejects = 0;
    positions = new Map();
  };

  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 64,
    eachBatch: async ({ batch }) => {
      if (batch.messages.length === 0) return;
      const source = batch.topic === d.clientTopic ? 'client' : 'gateway';
      const ctx: NormalizeContext = { source, transportTimeMs: 0 };
      for (const m of batch.messages) {
        ctx.transportTimeMs = Number(m.timestamp);
        const r = normalize(m.value ?? Buffer.alloc(0), ctx);
        if (r.ok) {
          const e = r.event;
          events +=
            d.format === 'JSONCompactEachRow'
              ? eventLine(e, batch.topic, batch.partition, Number(m.offset)) // the sink's own compact line: no spread, no key names
              : `${JSON.stringify({ ...e, topic: batch.topic, partition: batch.partition, offset: m.offset })}\n`;
          nEvents++;
        } else {
          rejects += `${JSON.stringify({
            ...r.reject,
            source,
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            transport_time: new Date(Number(m.timestamp)).toISOString(),
          })}\n`;
          nRejects++;
        }
      }
      positions.set(`${batch.topic}:${batch.partition}`, {
        topic: batch.topic,
        partition: batch.partition,
        offset: String(Number(batch.lastOffset()) + 1),
      });
      if (nEvents + nRejects >= d.batchRows) flush();
      else timer ??= setTimeout(flush, d.batchMs);
      while (inFlight.size >= 2) await inFlight.values().next().value!.done;
    },
  });
  port.postMessage({ type: 'ready', worker: d.id });
}

run(workerData as ProtoWorkerData).catch((err: unknown) => {
  parentPort?.postMessage({ type: 'error', message: err instanceof Error ? err.stack : String(err) });
});
