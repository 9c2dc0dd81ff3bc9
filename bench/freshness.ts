// End-to-end freshness: a steady stream of gateway records, each carrying its produce time as
// its own `ts`, through `faultline run` into chDB. The stream comes from the C producer in its
// own process (steady-producer.ts), whose achieved rate is measured and must reach 95% of the
// target for the figures to count. Two measures:
// - per record, from the store: ingest_time (the insert's now64(3)) − event_time (produce time);
// - external, from outside the process: when the stored-records counter on /metrics reached k
//   versus when record k was produced (FIFO approximation over partitions; includes the
//   commit and the metrics update, i.e. "queryable").
// While the stream runs, the lag (produced − stored) is sampled: a consumer slower than the
// rate shows as a lag that grows to the end of the stream.
import { fileURLToPath } from 'node:url';
import type { TestBroker } from '../support/broker.ts';
import { lastJson, spawnNode, type MemSummary } from './child.ts';
import { startFaultline } from './faultline-run.ts';
import { kafka } from './produce.ts';
import { produceTime, startSteady, type SteadyResult } from './steady-producer.ts';

export { timeTemplates } from './steady-producer.ts';

export interface FreshnessResult {
  rate: number;
  seconds: number;
  producer: SteadyResult;
  produced: number;
  stored: number;
  /** Every produced record was stored within the wait; when false the quantiles are lower bounds. */
  complete: boolean;
  /** From the store, ingest_time − event_time over records produced after the warm-up. */
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Records after the warm-up found in the store. */
  measured: number;
  /** From the /metrics counter timeline (includes insert completion and commit). */
  ext_p50_ms: number;
  ext_p99_ms: number;
  /** Largest produced − stored seen during the stream, and at its end. */
  lag_max: number;
  lag_at_end: number;
  /** produced − stored at every 5 s of the stream: a growing series is a consumer behind the rate. */
  lag_series: number[];
  /** More than 2 s of input unstored when the stream ended, or not all stored within the wait. */
  fell_behind: boolean;
  /** Records stored per second from the warm-up's end to the stream's end. */
  stored_per_s: number;
  /** From the stream's end until everything was stored (0 when it never lagged). */
  drain_ms: number;
  /** Records the mock broker dropped from the head of the topic (its ~5 MiB per partition). */
  broker_dropped: number;
  /** The ingest process's exit code or signal when it exited on its own before being stopped. */
  exited_early?: number | string;
  /** The end of its stderr (for a process that exited early). */
  stderr_tail: string;
  memory: MemSummary;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * External latency samples: for record k (from `fromK`, about 200 per second of stream), its
 * produce time from the producer's timeline against the first counter poll (epoch ms, records
 * of the stream stored) that saw ≥ k + 1 records. Records never counted are left out.
 */
export function externalLatencies(
  produced: readonly [number, number, number][],
  stored: readonly [number, number][],
  fromK: number,
  toK: number,
  step: number,
): number[] {
  const out: number[] = [];
  const at = { i: 0 };
  let j = 0;
  for (let k = fromK; k < toK; k += Math.max(1, step)) {
    while (j < stored.length && stored[j]![1] < k + 1) j++;
    if (j >= stored.length) break;
    const t = produceTime(produced, k, at);
    if (t !== undefined) out.push(stored[j]![0] - t);
  }
  return out.sort((a, b) => a - b);
}

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

export async function measureFreshness(o: {
  broker: TestBroker;
  topic: string;
  clientTopic: string;
  partitions: number;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  templatesFile: string;
  lingerMs: number;
  dataDir: string;
  metricsPort: number;
  flags: string[];
  nativeBaseMb: number;
  echo: boolean;
  /** Measure this ingest entry instead of `faultline run` (the bench's prototype). */
  script?: string;
  log?: (msg: string) => void;
}): Promise<FreshnessResult> {
  const log = o.log ?? (() => undefined);
  const steady = (rate: number, seconds: number, lingerMs = o.lingerMs) =>
    startSteady({
      brokers: o.broker.bootstrap,
      topic: o.topic,
      partitions: o.partitions,
      rate,
      seconds,
      templatesFile: o.templatesFile,
      lingerMs,
    });
  const run = startFaultline({
    brokers: o.broker.bootstrap,
    gatewayTopic: o.topic,
    clientTopic: o.clientTopic,
    dataDir: o.dataDir,
    metricsPort: o.metricsPort,
    flags: o.flags,
    echo: o.echo,
    ...(o.script ? { script: o.script } : {}),
  });
  let producer: ReturnType<typeof startSteady> | undefined;
  try {
    // Wait until faultline has joined the group and stores what arrives: trickle probe
    // records (one per partition) until the counter moves, so the stream meets a warm consumer.
    const ready = performance.now() + 90_000;
    for (;;) {
      if (run.child.proc.exitCode !== null) throw new Error(`faultline run exited early: ${run.child.stderr().slice(-2000)}`);
      if (performance.now() > ready) throw new Error('freshness: faultline stored nothing within 90 s');
      const n = await run.stored();
      if (n !== undefined && n > 0) break;
      await steady(o.partitions * 10, 0.1, 5).done;
      await sleep(500);
    }
    const before = (await run.stored()) ?? 0;
    producer = steady(o.rate, o.seconds);
    const total = Math.round(o.rate * o.seconds);
    // Poll the counter every 100 ms: (epoch ms, records of the stream stored), and the lag.
    const counted: [number, number][] = [];
    let lagMax = 0;
    const lagSeries: number[] = [];
    let lagAtEnd: number | undefined;
    let streamEnd: number | undefined;
    let sent: SteadyResult | undefined;
    let producerError: unknown;
    producer.done.then(
      (r) => (sent = r),
      (err: unknown) => (producerError = err ?? new Error('steady producer failed')),
    );
    let lastGrowth = Date.now();
    let stored = 0;
    for (;;) {
      if (producerError !== undefined) throw producerError;
      if (run.child.proc.exitCode !== null) break;
      const n = await run.stored();
      const now = Date.now();
      if (n !== undefined) {
        if (n - before > stored) lastGrowth = now;
        stored = n - before;
        counted.push([now, stored]);
      }
      const p = producer.latest();
      if (p) {
        lagMax = Math.max(lagMax, p[0] - stored);
        const startedAt = producer.startedAt();
        if (!sent && startedAt !== undefined && now - startedAt >= (lagSeries.length + 1) * 5000) lagSeries.push(p[0] - stored);
      }
      if (sent && lagAtEnd === undefined) {
        streamEnd = now;
        lagAtEnd = Math.max(0, sent.records - stored);
        log(
          `freshness: stream ended (${sent.achieved_per_s.toLocaleString('en')}/s achieved), ${lagAtEnd.toLocaleString('en')} records ` +
            `not yet stored`,
        );
      }
      if (sent && stored >= sent.records) break;
      // A backlog gets up to 4 minutes after the stream, and 30 s without progress ends the wait.
      if (streamEnd !== undefined && (now - streamEnd > 240_000 || now - lastGrowth > 30_000)) break;
      await sleep(100);
    }
    const prod = sent ?? (await producer.done);
    const drainedAt = counted.find(([, s]) => s >= prod.records)?.[0];
    const warmEnd = prod.started_at + o.warmupSeconds * 1000;
    // The first record produced after the warm-up (from the producer's own timeline).
    const warmK = prod.timeline.find(([, , t]) => t >= warmEnd)?.[0] ?? Math.round(o.warmupSeconds * o.rate);
    const ext = externalLatencies(prod.timeline, counted, warmK, prod.records, Math.floor(o.rate / 200));
    const atWarm = counted.find(([t]) => t >= warmEnd);
    const atEnd = counted.find(([t]) => t >= (streamEnd ?? Infinity)) ?? counted[counted.length - 1];
    const storedPerS = atWarm && atEnd && atEnd[0] > atWarm[0] ? Math.round((atEnd[1] - atWarm[1]) / ((atEnd[0] - atWarm[0]) / 1000)) : 0;

    // Did the mock keep everything? (it drops a partition's oldest batches beyond ~5 MiB)
    const admin = kafka(o.broker.bootstrap).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(o.topic).finally(() => admin.disconnect());
    const dropped = offsets.reduce((a, x) => a + Number(x.low), 0);

    const exitedEarly = run.child.proc.exitCode ?? run.child.proc.signalCode ?? undefined;
    const stopped = await run.stop(o.nativeBaseMb);
    const q = spawnNode(
      ['--import', 'tsx'],
      fileURLToPath(new URL('./store-query.ts', import.meta.url)),
      [
        '--data',
        o.dataDir,
        `SELECT count() AS n,
           quantileExact(0.5)(lat) AS p50, quantileExact(0.99)(lat) AS p99, max(lat) AS mx
         FROM (SELECT toUnixTimestamp64Milli(ingest_time) - toUnixTimestamp64Milli(event_time) AS lat
               FROM faultline.events WHERE event_time >= fromUnixTimestamp64Milli(${warmEnd}))`,
      ],
      {},
      { memOut: `${o.dataDir}.query.mem.jsonl` },
    );
    await q.exited;
    const rows = lastJson<unknown>(`{"r":${q.stdout().trim() || 'null'}}`) as {
      r: [[{ n: string; p50: string; p99: string; mx: string }]] | null;
    };
    const row = rows.r?.[0]?.[0];
    if (!row) throw new Error(`freshness: cannot read the store: ${q.stderr().slice(-1000)}`);
    const complete = stored >= prod.records;
    return {
      rate: o.rate,
      seconds: o.seconds,
      producer: prod,
      produced: prod.records,
      stored: Math.min(prod.records, stored),
      complete,
      p50_ms: Number(row.p50),
      p99_ms: Number(row.p99),
      max_ms: Number(row.mx),
      measured: Number(row.n),
      ext_p50_ms: Math.round(quantile(ext, 0.5)),
      ext_p99_ms: Math.round(quantile(ext, 0.99)),
      lag_max: lagMax,
      lag_at_end: lagAtEnd ?? Math.max(0, total - stored),
      lag_series: lagSeries,
      fell_behind: !complete || (lagAtEnd ?? 0) > o.rate * 2,
      stored_per_s: storedPerS,
      drain_ms: drainedAt !== undefined && streamEnd !== undefined ? Math.max(0, drainedAt - streamEnd) : -1,
      broker_dropped: dropped,
      ...(exitedEarly !== undefined ? { exited_early: exitedEarly } : {}),
      stderr_tail: run.child.stderr().slice(-300).replace(/\s+/g, ' '),
      memory: stopped.memory,
    };
  } finally {
    producer?.kill();
    if (run.child.proc.exitCode === null) run.child.proc.kill('SIGKILL');
  }
}
