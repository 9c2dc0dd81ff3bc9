// End-to-end freshness: a steady stream of gateway records, each carrying its produce time as
// its own `ts`, through `faultline run` into chDB. Two measures:
// - per record, from the store: ingest_time (the insert's now64(3)) − event_time (produce time);
// - external, from outside the process: when the stored-records counter on /metrics reached k
//   versus when record k was produced (FIFO approximation over partitions; includes the
//   commit and the metrics update, i.e. "queryable").
import type { TestBroker } from '../test/support/broker.ts';
import { lastJson, spawnNode, type MemSummary } from './child.ts';
import { startFaultline, waitStored } from './faultline-run.ts';
import { produceSteady } from './produce.ts';
import { fileURLToPath } from 'node:url';

const TIME_KEYS = ['ts', 'time', 'timestamp', '@timestamp', 'event_time', 'logged_at'];

/** Turn records into templates `{"ts":"<produce time>",…rest}` (their own time keys removed). */
export function timeTemplates(records: readonly string[], max = 5000): string[] {
  const out: string[] = [];
  for (const r of records) {
    if (out.length >= max) break;
    let obj: Record<string, unknown>;
    try {
      const v = JSON.parse(r) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
      obj = v as Record<string, unknown>;
    } catch {
      continue;
    }
    for (const k of TIME_KEYS) delete obj[k];
    const rest = JSON.stringify(obj).slice(1); // `…}` without the opening brace
    out.push(rest === '}' ? '}' : ',' + rest);
  }
  return out;
}

export interface FreshnessResult {
  rate: number;
  seconds: number;
  produced: number;
  stored: number;
  /** Every produced record was stored within the wait; when false the quantiles are lower bounds. */
  complete: boolean;
  /** From the store, ingest_time − event_time over records produced after the warm-up. */
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** From the /metrics counter timeline (includes insert completion and commit). */
  ext_p50_ms: number;
  ext_p99_ms: number;
  producer_max_send_ms: number;
  memory: MemSummary;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function measureFreshness(o: {
  broker: TestBroker;
  topic: string;
  clientTopic: string;
  partitions: number;
  records: readonly string[];
  rate: number;
  seconds: number;
  warmupSeconds: number;
  dataDir: string;
  metricsPort: number;
  flags: string[];
  nativeBaseMb: number;
  echo: boolean;
  /** Measure this ingest entry instead of `faultline run` (the bench's prototype). */
  script?: string;
}): Promise<FreshnessResult> {
  const templates = timeTemplates(o.records);
  if (templates.length === 0) throw new Error('freshness: no JSON object records to use as templates');
  const make = (seq: number, now: number): string => `{"ts":"${new Date(now).toISOString()}"${templates[seq % templates.length]}`;
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
  try {
    // Wait until faultline has joined the group and stores what arrives: trickle probe
    // records until the counter moves, so the measured stream starts on a warm consumer.
    const ready = performance.now() + 60_000;
    for (;;) {
      if (run.child.proc.exitCode !== null) throw new Error(`faultline run exited early: ${run.child.stderr().slice(-2000)}`);
      if (performance.now() > ready) throw new Error('freshness: faultline stored nothing within 60 s');
      const n = await run.stored();
      if (n !== undefined && n > 0) break;
      await produceSteady(o.broker.bootstrap, o.topic, o.partitions, o.partitions * 5, 0.2, make);
      await new Promise((res) => setTimeout(res, 500));
    }
    const before = (await run.stored()) ?? 0;
    const streamStart = Date.now();
    const warmEnd = streamStart + o.warmupSeconds * 1000;
    const [sent, timed] = await Promise.all([
      produceSteady(o.broker.bootstrap, o.topic, o.partitions, o.rate, o.seconds, make),
      // Poll until everything produced is stored; a process slower than the rate needs the
      // backlog's time on top (up to 4 minutes, then the figures are lower bounds).
      waitStored(run, before + Math.round(o.rate * o.seconds), (o.seconds + 240) * 1000, 100),
    ]);
    // External measure: record k of the stream was due at t0 + k/rate (t0: the producer's
    // start, on the same clock as the timeline: ms since spawn); it became visible
    // when the counter first reached before + k.
    const ext: number[] = [];
    const t0 = sent.started_at - run.spawnedAt;
    const warmK = o.warmupSeconds * o.rate;
    let j = 0;
    for (let k = warmK; k < sent.records; k += Math.max(1, Math.floor(o.rate / 200))) {
      while (j < timed.timeline.length && timed.timeline[j]![1] < before + k + 1) j++;
      if (j >= timed.timeline.length) break;
      ext.push(timed.timeline[j]![0] - (t0 + (k / o.rate) * 1000));
    }
    ext.sort((a, b) => a - b);
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
    const rows = lastJson<unknown>(`{"r":${q.stdout().trim() || 'null'}}`) as { r: [[{ n: string; p50: string; p99: string; mx: string }]] | null };
    const row = rows.r?.[0]?.[0];
    if (!row) throw new Error(`freshness: cannot read the store: ${q.stderr().slice(-1000)}`);
    return {
      rate: o.rate,
      seconds: o.seconds,
      produced: sent.records,
      stored: Math.min(sent.records, timed.stored - before),
      complete: timed.stored - before >= sent.records,
      p50_ms: Number(row.p50),
      p99_ms: Number(row.p99),
      max_ms: Number(row.mx),
      ext_p50_ms: Math.round(quantile(ext, 0.5)),
      ext_p99_ms: Math.round(quantile(ext, 0.99)),
      producer_max_send_ms: sent.behind_ms_max,
      memory: stopped.memory,
    };
  } finally {
    if (run.child.proc.exitCode === null) run.child.proc.kill('SIGKILL');
  }
}
