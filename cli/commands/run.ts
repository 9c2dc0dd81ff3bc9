// `faultline run`: the main job. Consumes the gateway and client topics into ClickHouse (or
// stores one file / stdin with --from), serves /metrics, prints progress, and on SIGTERM or
// SIGINT drains: stores and commits everything read, then exits 0.
import { existsSync, statSync } from 'node:fs';
import { loadConfig, type Config } from '../../lib/config.ts';
import { ConfigError, errorMessage, SourceError } from '../../lib/errors.ts';
import { ensureRedactionKey, openShardedDelivery, openStore, serveStore, type ServedStore, type Store } from '../../sql/index.ts';
import {
  createLogger,
  IngestMetrics,
  runFile,
  serveMetrics,
  startKafkaIngest,
  startProgress,
  type Logger,
  type MetricsServer,
} from '../../ingest/index.ts';
import { SOURCES } from '../../transform/event.ts';
import { intFlag, oneOf, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';

const HELP = `Usage: faultline run [--from kafka|file:PATH|-] [--source gateway|client] [flags]

Without --from (or --from kafka): joins consumer group KAFKA_GROUP_ID on KAFKA_BROKERS and
consumes FAULTLINE_GATEWAY_TOPIC and FAULTLINE_CLIENT_TOPIC into ClickHouse until stopped.
Every record becomes one event or one reject; offsets are committed only after ClickHouse
acknowledged the rows, and redelivered ranges are deduplicated (docs/delivery.md).
SIGTERM/SIGINT: stop fetching, store and commit what was read, exit 0.

--from file:PATH stores one file of records (one per line), --from - reads standard input;
both need --source and exit 0 once every line is stored. Offsets are line numbers.

Store: the ClickHouse server at CLICKHOUSE_URL, else embedded chDB under FAULTLINE_DATA;
migrations are applied first. In embedded mode the store is served read-only on loopback so
\`faultline sql\`, \`trace\`, \`status\` and \`alerts check\` work while this runs.

Flags:
  --from SRC              kafka (default), file:PATH, or - for standard input
  --source STREAM         gateway or client (required with file/stdin)
  --brokers LIST          overrides KAFKA_BROKERS (host:port,…)
  --group ID              overrides KAFKA_GROUP_ID
  --batch-size N          overrides FAULTLINE_BATCH_SIZE (records per flush)
  --batch-ms MS           overrides FAULTLINE_BATCH_MS (max age of a buffered record)
  --metrics-port PORT     overrides FAULTLINE_METRICS_PORT (0: no /metrics)
  --start earliest|latest where a group without committed offsets starts (default earliest)
  --progress-ms MS        progress line interval on stderr (default 5000, 0: none)
`;

interface Runtime {
  config: Config;
  store: Store;
  log: Logger;
  metrics: IngestMetrics;
  metricsServer?: MetricsServer;
  served?: ServedStore;
  /** Settles once the store's migrations are applied (awaited by openRuntime unless deferred). */
  migrated: Promise<void>;
}

async function openRuntime(
  config: Config,
  serveMetricsPort: number | undefined,
  opts: { deferMigrations?: boolean } = {},
): Promise<Runtime> {
  const log = createLogger(config.FAULTLINE_LOG_LEVEL);
  const metrics = new IngestMetrics({ defaultMetrics: true });
  // The server store owns the retries of migrations; each of its attempts is logged and counted
  // like the sink's (which owns its own retries: sql/ledger.ts deliveryTarget).
  const store = await openStore(config, {
    fallbackToEndpoint: false,
    // A `status` or `sql` run a moment before may still hold the embedded store: wait for it.
    waitIfBusyMs: 30_000,
    onWait: () =>
      log.warn(`the embedded store at ${config.FAULTLINE_DATA} is open in another faultline command; waiting up to 30 s for it`),
    server: {
      onRetry: (err, attempt, delayMs) => {
        metrics.storeErrors.inc({ code: String(err.clickhouseCode ?? err.code) });
        log.warn(`${err.message.split('\n')[0]} (attempt ${attempt}, retrying in ${delayMs} ms)`);
      },
    },
  });
  const migrated = store.migrate().then((applied) => {
    if (applied.length) log.info(`applied migrations: ${applied.join(', ')}`);
  });
  migrated.catch(() => {});
  const rt: Runtime = { config, store, log, metrics, migrated };
  try {
    // Kafka defers them: the consumer group join (seconds) runs meanwhile, and nothing is inserted before.
    if (!opts.deferMigrations) await migrated;
    if (serveMetricsPort) {
      rt.metricsServer = await serveMetrics(metrics, serveMetricsPort).catch((err: unknown) => {
        throw new ConfigError(
          `cannot serve /metrics on FAULTLINE_METRICS_PORT=${serveMetricsPort}: ${errorMessage(err)} (choose a free port, or 0 for none)`,
        );
      });
      log.info(`metrics on http://localhost:${rt.metricsServer.port}/metrics`);
    }
    if (store.kind === 'embedded') {
      rt.served = await serveStore(store, { readonly: true });
      log.info(`store served read-only at ${rt.served.url} for sql/trace/status`);
    }
    return rt;
  } catch (err) {
    await closeRuntime(rt);
    throw err;
  }
}

async function closeRuntime(rt: Runtime): Promise<void> {
  await rt.served?.close().catch(() => {});
  await rt.metricsServer?.close().catch(() => {});
  await rt.store.close().catch(() => {});
}

/** First signal: graceful stop; a second one: exit at once (nothing committed is lost either way). */
function onSignals(stop: (signal: string) => void): () => void {
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    if (++count > 1) {
      process.stderr.write(`faultline run: ${signal} again: exiting without draining (uncommitted records are read again next time)\n`);
      process.exit(130);
    }
    stop(signal);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}

export const command: Command = {
  summary: 'Consume both Kafka topics (or a file/stdin) into ClickHouse',
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, {
      from: { type: 'string' },
      source: { type: 'string' },
      brokers: { type: 'string' },
      group: { type: 'string' },
      'batch-size': { type: 'string' },
      'batch-ms': { type: 'string' },
      'metrics-port': { type: 'string' },
      start: { type: 'string' },
      'progress-ms': { type: 'string' },
    });
    const config = loadConfig(process.env, {
      KAFKA_BROKERS: values.brokers,
      KAFKA_GROUP_ID: values.group,
      FAULTLINE_BATCH_SIZE: values['batch-size'],
      FAULTLINE_BATCH_MS: values['batch-ms'],
      FAULTLINE_METRICS_PORT: values['metrics-port'],
    });
    const from = values.from ?? 'kafka';
    const start = oneOf('start', values.start, ['earliest', 'latest'] as const, 'earliest');
    const progressMs = intFlag('progress-ms', values['progress-ms'], 0, 3_600_000, 5000);
    if (from !== 'kafka' && from !== '-' && !from.startsWith('file:')) {
      throw new ConfigError(`invalid --from=${from}: allowed values are kafka, file:PATH, -`);
    }
    if (from === 'kafka') {
      if (values.source !== undefined)
        throw new ConfigError('--source applies to --from file:PATH and --from - only (Kafka topics name their stream)');
      return runKafka(config, start, progressMs);
    }
    const source = oneOf('source', values.source, SOURCES);
    if (from.startsWith('file:')) {
      if (from.length === 5) throw new ConfigError('invalid --from=file: expected file:PATH');
      if (!existsSync(from.slice(5)) || !statSync(from.slice(5)).isFile()) throw new ConfigError(`invalid --from=${from}: no such file`);
    }
    return runFileOrStdin(
      config,
      from,
      source,
      progressMs,
      values['metrics-port'] !== undefined || process.env.FAULTLINE_METRICS_PORT !== undefined,
    );
  },
};

/**
 * The configuration with the redaction key (docs/secrets.md §4): FAULTLINE_REDACTION_KEY, else
 * the store's (created by the migrations when missing). Needed before the first record is
 * normalized, so this waits for the migrations.
 */
async function withRedactionKey(rt: Runtime): Promise<Config> {
  if (rt.config.FAULTLINE_REDACTION_KEY) return rt.config;
  await rt.migrated;
  return { ...rt.config, FAULTLINE_REDACTION_KEY: await ensureRedactionKey(rt.store, rt.config.CLICKHOUSE_DATABASE) };
}

async function runKafka(cfg: Config, start: 'earliest' | 'latest', progressMs: number): Promise<number> {
  const rt = await openRuntime(cfg, cfg.FAULTLINE_METRICS_PORT, { deferMigrations: true });
  const config = await withRedactionKey(rt).catch(async (err: unknown) => {
    await closeRuntime(rt);
    throw err;
  });
  const { log, metrics } = rt;
  let code = 0;
  // On a cluster with CLICKHOUSE_SHARD_URLS: each partition's rows go to its owning shard (docs/delivery.md).
  const sharded = await openShardedDelivery(config, rt.store).catch(async (err: unknown) => {
    await closeRuntime(rt);
    throw err;
  });
  if (sharded) log.info(`inserting into the _local tables of ${sharded.shards} shards, each partition into its owning shard`);
  try {
    const ingest = await startKafkaIngest(
      { config, store: rt.store, log, metrics, ...(sharded ? { target: sharded.target } : {}) },
      { fromBeginning: start === 'earliest', ready: rt.migrated },
    ).catch((err: unknown) => {
      throw new SourceError(
        'KAFKA',
        `cannot consume from KAFKA_BROKERS=${config.KAFKA_BROKERS} (topics ${config.FAULTLINE_GATEWAY_TOPIC}, ` +
          `${config.FAULTLINE_CLIENT_TOPIC}): ${errorMessage(err)}`,
        { cause: err },
      );
    });
    log.info(
      `consuming ${config.FAULTLINE_GATEWAY_TOPIC} (gateway) and ${config.FAULTLINE_CLIENT_TOPIC} (client) as group ` +
        `${config.KAFKA_GROUP_ID}`,
    );
    const progress = progressMs > 0 ? startProgress(metrics, () => ingest.snapshot(), { everyMs: progressMs }) : undefined;
    const offSignals = onSignals((signal) => {
      log.info(`${signal}: draining (storing and committing what was read)`);
      ingest.stop().catch(() => {});
    });
    try {
      await ingest.done;
    } catch (err) {
      log.error(`stopped: ${errorMessage(err)}`);
      code = 1;
    } finally {
      offSignals();
      await progress?.stop();
    }
  } finally {
    await sharded?.close().catch(() => {});
    await closeRuntime(rt);
    // kafkajs (e.g. after a failed connect) can leave handles behind; do not let them hold the exit.
    setTimeout(() => process.exit(process.exitCode ?? code), 3000).unref();
  }
  return code;
}

async function runFileOrStdin(
  cfg: Config,
  from: string,
  source: (typeof SOURCES)[number],
  progressMs: number,
  wantMetrics: boolean,
): Promise<number> {
  const rt = await openRuntime(cfg, wantMetrics ? cfg.FAULTLINE_METRICS_PORT : undefined);
  const config = await withRedactionKey(rt).catch(async (err: unknown) => {
    await closeRuntime(rt);
    throw err;
  });
  const { log, metrics } = rt;
  const abort = new AbortController();
  const offSignals = onSignals((signal) => {
    log.warn(`${signal}: stopping after the segment being stored (re-run the file to finish; stored lines are not duplicated)`);
    abort.abort();
  });
  const progress =
    progressMs > 0 ? startProgress(metrics, () => ({}), { everyMs: progressMs, label: from === '-' ? 'stdin' : from }) : undefined;
  try {
    const input = from === '-' ? { stream: process.stdin, topic: 'stdin' } : { path: from.slice('file:'.length) };
    const r = await runFile({ config, store: rt.store, log, metrics }, input, source, { signal: abort.signal });
    process.stderr.write(
      `${r.topic}: ${r.records} records stored: ${r.events} events, ${r.rejects} rejects${abort.signal.aborted ? ' (interrupted)' : ''}\n`,
    );
    return abort.signal.aborted ? 1 : 0;
  } finally {
    offSignals();
    await progress?.stop(false);
    await closeRuntime(rt);
  }
}
