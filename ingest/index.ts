// Public surface of ingest/: the Kafka consumer group and the file/stdin source, both through
// the same normalize + sink path, plus metrics, progress and logging: what the CLI (`faultline
// run`, `faultline status`) and the demo use. Tests and the bench import the modules themselves.
import type { Readable } from 'node:stream';
import type { Kafka } from 'kafkajs';
import type { Config } from '../lib/config.ts';
import { deliveryTarget, type DeliveryTarget } from '../sql/ledger.ts';
import type { Store } from '../sql/store.ts';
import { normalizeRecord as transformNormalize, type Source } from '../transform/index.ts';
import { runFileSource, type FileSourceResult } from './file-source.ts';
import { createKafka } from './kafka-client.ts';
import { KafkaIngest } from './kafka-source.ts';
import { createLogger, type Logger } from './log.ts';
import { IngestMetrics } from './metrics.ts';
import type { BackoffPolicy } from '../lib/retry.ts';
import { limitsOf } from './record-rows.ts';
import { Sink } from './sink.ts';

export { KafkaIngest } from './kafka-source.ts';
export type { FileSourceResult } from './file-source.ts';
export { IngestMetrics, serveMetrics, type MetricsServer } from './metrics.ts';
export { startProgress } from './progress.ts';
export { createLogger, type Logger } from './log.ts';

/** What every source needs: configuration and an open, migrated store. */
export interface IngestDeps {
  config: Config;
  store: Store;
  log?: Logger;
  metrics?: IngestMetrics;
  backoff?: BackoffPolicy;
  /** Where the sink writes; default `deliveryTarget(store)`. A cluster's shard routing (sql/shard-route.ts) passes its own. */
  target?: DeliveryTarget;
}

/** Topic -> stream, from FAULTLINE_GATEWAY_TOPIC / FAULTLINE_CLIENT_TOPIC. */
function topicsOf(config: Config): Map<string, Source> {
  return new Map<string, Source>([
    [config.FAULTLINE_GATEWAY_TOPIC, 'gateway'],
    [config.FAULTLINE_CLIENT_TOPIC, 'client'],
  ]);
}

/** What both sources share: logger and metrics (given or defaulted), the sink, normalizer and limits. */
function pipelineOf(deps: IngestDeps) {
  const c = deps.config;
  const log = deps.log ?? createLogger(c.FAULTLINE_LOG_LEVEL);
  const metrics = deps.metrics ?? new IngestMetrics();
  const sink = new Sink({
    target: deps.target ?? deliveryTarget(deps.store),
    log,
    metrics,
    consumer: `${c.KAFKA_CLIENT_ID}@${process.pid}`,
    ...(deps.backoff ? { backoff: deps.backoff } : {}),
  });
  return {
    log,
    metrics,
    sink,
    normalize: transformNormalize,
    limits: limitsOf(c),
    batchSize: c.FAULTLINE_BATCH_SIZE,
    batchMs: c.FAULTLINE_BATCH_MS,
    batchMinSize: c.FAULTLINE_BATCH_MIN_SIZE,
  };
}

/** Start consuming both topics into the store; stop with `ingest.stop()`, failures surface on `ingest.done`. */
export async function startKafkaIngest(
  deps: IngestDeps,
  opts: { kafka?: Kafka; fromBeginning?: boolean; highWater?: number; ready?: Promise<unknown>; normalizeThread?: boolean } = {},
): Promise<KafkaIngest> {
  const c = deps.config;
  const p = pipelineOf(deps);
  const ingest = new KafkaIngest({
    ...p,
    kafka: opts.kafka ?? createKafka(c, p.log),
    groupId: c.KAFKA_GROUP_ID,
    topics: topicsOf(c),
    sessionTimeoutMs: c.KAFKA_SESSION_TIMEOUT_MS,
    ...(opts.fromBeginning !== undefined ? { fromBeginning: opts.fromBeginning } : {}),
    ...(opts.highWater !== undefined ? { highWater: opts.highWater } : {}),
    ...(opts.ready ? { ready: opts.ready } : {}),
    ...(deps.backoff ? { backoff: deps.backoff } : {}),
    // The thread loads transform/'s normalizer itself (normalize-worker.ts).
    normalizeThread: opts.normalizeThread ?? true,
  });
  await ingest.start();
  return ingest;
}

/**
 * Store every line of a file (`{ path }`) or stream (`{ stream }`, e.g. stdin) as events and
 * rejects; resolves once all are stored. Line numbers are the offsets.
 */
export function runFile(
  deps: IngestDeps,
  input: { path: string } | { stream: Readable; topic?: string },
  source: Source,
  opts: { signal?: AbortSignal; transportTimeOf?: (lineNo: number) => number | undefined } = {},
): Promise<FileSourceResult> {
  return runFileSource({ ...pipelineOf(deps), input, source, signal: opts.signal, transportTimeOf: opts.transportTimeOf });
}
