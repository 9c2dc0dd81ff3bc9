// Where `faultline generate` sends records: lines to a stream (stdout or files), or a kafkajs
// producer. Both honour a wall-clock rate limit and report progress through a callback.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { Partitioners } from 'kafkajs';
import type { Config } from '../../lib/config.ts';
import { SourceError } from '../../lib/errors.ts';
import { createKafka } from '../kafka-client.ts';
import { createLogger, type Logger } from '../log.ts';
import type { GeneratedRecord, GeneratedSource } from './index.ts';

export interface SendOptions {
  /** Records per second of wall-clock time; undefined: as fast as possible. */
  rate?: number | undefined;
  onProgress?: (sent: number) => void;
}

/** Sleeps so that `sent` records took at least `sent / rate` seconds since `t0`. */
async function pace(t0: number, sent: number, rate: number | undefined): Promise<void> {
  if (!rate) return;
  const due = t0 + (sent / rate) * 1000;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
}

function write(stream: Writable, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    stream.once('error', onError);
    const ok = stream.write(chunk, () => undefined);
    const done = (): void => {
      stream.off('error', onError);
      resolve();
    };
    if (ok) done();
    else stream.once('drain', done);
  });
}

/**
 * Write one record value per line. `streams` maps a source to its stream (the same stream
 * for both when lines are mixed). `format: 'jsonl'` writes `{source, topic, timestamp_ms, value}`
 * objects instead of the bare values.
 */
export async function writeLines(
  records: Iterable<GeneratedRecord>,
  streams: Record<GeneratedSource, Writable>,
  format: 'lines' | 'jsonl',
  opts: SendOptions = {},
): Promise<number> {
  const t0 = performance.now();
  const bufs: Record<GeneratedSource, string> = { gateway: '', client: '' };
  const flush = async (source: GeneratedSource): Promise<void> => {
    if (bufs[source].length === 0) return;
    const chunk = bufs[source];
    bufs[source] = '';
    await write(streams[source], chunk);
  };
  let n = 0;
  const step = opts.rate ? Math.max(1, Math.min(1000, Math.floor(opts.rate / 20))) : 8000;
  for (const r of records) {
    bufs[r.source] += `${
      format === 'jsonl' ? JSON.stringify({ source: r.source, topic: r.topic, timestamp_ms: r.timestampMs, value: r.value }) : r.value
    }\n`;
    n++;
    if (n % step === 0) {
      await flush('gateway');
      await flush('client');
      opts.onProgress?.(n);
      await pace(t0, n, opts.rate);
    }
  }
  await flush('gateway');
  await flush('client');
  opts.onProgress?.(n);
  return n;
}

/** Open `path` for writing (creating its directory). */
export function fileStream(path: string): Writable {
  mkdirSync(dirname(path), { recursive: true });
  return createWriteStream(path);
}

/**
 * Produce records to their topics with acks from all in-sync replicas, in batches. Each
 * message is keyed by its request id, so one request's records share a partition per topic,
 * and stamped with the record's own time.
 */
export async function produceToKafka(
  records: Iterable<GeneratedRecord>,
  config: Config,
  opts: SendOptions & { batch?: number; log?: Logger } = {},
): Promise<number> {
  const log = opts.log ?? createLogger(config.FAULTLINE_LOG_LEVEL, 'faultline generate');
  const kafka = createKafka(config, log, `${config.KAFKA_CLIENT_ID}-generate`);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
  try {
    await producer.connect();
  } catch (err) {
    throw new SourceError('KAFKA_CONNECT', `cannot reach Kafka at ${config.KAFKA_BROKERS} (KAFKA_BROKERS): ${(err as Error).message}`, {
      cause: err,
    });
  }
  const batchSize = opts.batch ?? (opts.rate ? Math.max(1, Math.min(2000, Math.floor(opts.rate / 10))) : 2000);
  const t0 = performance.now();
  let n = 0;
  let pending = new Map<string, { key: string | null; value: string; timestamp: string }[]>();
  let inBatch = 0;
  const send = async (): Promise<void> => {
    if (inBatch === 0) return;
    const topicMessages = [...pending].map(([topic, messages]) => ({ topic, messages }));
    pending = new Map();
    inBatch = 0;
    await producer.sendBatch({ topicMessages, acks: -1 });
  };
  try {
    for (const r of records) {
      let list = pending.get(r.topic);
      if (!list) {
        list = [];
        pending.set(r.topic, list);
      }
      list.push({ key: /req_[A-Za-z0-9_-]+/.exec(r.value)?.[0] ?? null, value: r.value, timestamp: String(r.timestampMs) });
      n++;
      if (++inBatch >= batchSize) {
        await send();
        opts.onProgress?.(n);
        await pace(t0, n, opts.rate);
      }
    }
    await send();
    opts.onProgress?.(n);
  } finally {
    await producer.disconnect();
  }
  return n;
}
