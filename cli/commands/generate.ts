// `faultline generate`: synthetic gateway and client traffic (ingest/generator) to stdout, to
// files or to Kafka, deterministic with --seed and rate-limited with --rate.
import type { Writable } from 'node:stream';
import { loadConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import {
  generateRecords,
  resolveOptions,
  startOfUtcDay,
  type GenerateOptions,
  type GeneratedSource,
} from '../../ingest/generator/index.ts';
import { fileStream, produceToKafka, writeLines } from '../../ingest/generator/outputs.ts';
import type { Command } from '../command.ts';
import { intFlag, oneOf, parseFlags } from '../args.ts';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `2h`, `1d`, `500ms` -> milliseconds. */
export function parseDuration(flag: string, value: unknown): number {
  const m = typeof value === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim()) : null;
  const ms = m ? Math.round(Number(m[1]) * (UNITS[m[2]!] ?? 0)) : 0;
  if (!m || ms <= 0 || ms > 366 * 86_400_000) {
    throw new ConfigError(
      `invalid --${flag}=${String(value)}: expected a duration such as 90s, 15m, 2h or 1d (units ms, s, m, h, d; at most 366d)`,
    );
  }
  return ms;
}

/** `5000`, `5000/s`, `300/m` -> records per second. */
function parseRate(flag: string, value: unknown): number {
  const m = typeof value === 'string' ? /^(\d+(?:\.\d+)?)(?:\/(s|m|h))?$/.exec(value.trim()) : null;
  const per = m ? ({ s: 1, m: 60, h: 3600 } as Record<string, number>)[m[2] ?? 's']! : 1;
  const rate = m ? Number(m[1]) / per : 0;
  if (!m || !(rate > 0) || rate > 10_000_000) {
    throw new ConfigError(`invalid --${flag}=${String(value)}: expected records per second such as 5000 or 5000/s (also N/m, N/h)`);
  }
  return rate;
}

/** `--start`: an ISO-8601 time or date, or `yesterday` / `today` (00:00 UTC) or `now`. */
export function parseStart(value: unknown, now = Date.now()): number {
  if (value === 'yesterday') return startOfUtcDay(now) - 86_400_000;
  if (value === 'today') return startOfUtcDay(now);
  if (value === 'now') return now;
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T|$)/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new ConfigError(
      `invalid --start=${String(value)}: expected yesterday, today, now, an ISO-8601 time such as 2026-11-21T00:00:00Z or a date such ` +
        `as 2026-11-21`,
    );
  return ms;
}

type Target = { kind: 'stdout' } | { kind: 'kafka' } | { kind: 'file'; path: string };

function parseTarget(value: unknown): Target {
  if (value === undefined || value === 'stdout' || value === '-') return { kind: 'stdout' };
  if (value === 'kafka') return { kind: 'kafka' };
  if (typeof value === 'string' && value.startsWith('file:') && value.length > 5) return { kind: 'file', path: value.slice(5) };
  throw new ConfigError(`invalid --to=${String(value)}: allowed values are stdout, file:PATH, kafka`);
}

export const command: Command = {
  summary: 'Generate synthetic gateway and client log traffic (stdout, files or Kafka)',
  help: `Usage: faultline generate [--to stdout|file:PATH|kafka] [--source gateway|client|both]
                          [--seed N] [--count N | --duration 1d] [--density N]
                          [--rate N/s] [--start WHEN] [--incidents on|off] [--shippers on|off]
                          [--format lines|jsonl]

Writes realistic raw log records of the API gateway and its clients: successes and errors
in every dialect faultline reads (gateway protocol errors with all 17 catalog codes,
business failures with failed offers, partial successes, Taobao TOP 2.0/1.0 bodies,
result_code and Alipay bodies), client JSON, logfmt and text lines sharing request ids
with the gateway, a few planted secrets and a little garbage. The simulated period holds
an incident mix: a Taobao outage with remote timeouts (09:00-10:00 of a day), an
internal-error spike (13:00-13:20), a burst of 1688 failed offers (15:00-15:40) and
1688's daily quota exhausted from 17:00. The same flags and --seed give the same bytes.

Flags:
  --to TARGET        stdout (default), file:PATH, or kafka (KAFKA_BROKERS, topics
                     FAULTLINE_GATEWAY_TOPIC / FAULTLINE_CLIENT_TOPIC, TLS/SASL settings)
                     With file: and --source both, put {source} in PATH
                     (e.g. file:var/{source}.log), or use --format jsonl.
  --source S         gateway, client or both (default both)
  --seed N           PRNG seed, 0-4294967295 (default 1)
  --count N          exact number of records (default: density x duration)
  --duration D       simulated period, e.g. 90s, 15m, 2h, 1d (default 1d)
  --density N        records per simulated second when --count is not given (default 5)
  --rate N/s         wall-clock rate limit, e.g. 2000/s (default: as fast as possible)
  --start WHEN       start of the simulated period: yesterday (default: 00:00 UTC, so
                     the whole day is in the past), today, now, or an ISO-8601 time
  --incidents on|off include the incident mix (default on)
  --shippers on|off  carry some lines as shippers and logging libraries write them: gateway
                     lines in Docker/Fluent Bit and CRI envelopes, client lines as OTLP/JSON
                     (one log record) and as pino, zap and logback JSON (default on; off:
                     every line in the generator's own layouts)
  --format F         lines (default: one raw record per line) or jsonl
                     ({"source","topic","timestamp_ms","value"} per line)

Progress goes to stderr every 2 seconds on long runs, and a summary line at the end.

Examples:
  faultline generate --count 20 --source gateway | faultline parse --source gateway
  faultline generate --to file:var/{source}.log --duration 1d
  faultline generate --to kafka --rate 2000/s --duration 1d
`,
  async run(argv) {
    const { values } = parseFlags(argv, {
      to: { type: 'string' },
      source: { type: 'string' },
      seed: { type: 'string' },
      count: { type: 'string' },
      duration: { type: 'string' },
      density: { type: 'string' },
      rate: { type: 'string' },
      start: { type: 'string' },
      incidents: { type: 'string' },
      shippers: { type: 'string' },
      format: { type: 'string' },
    });
    const target = parseTarget(values.to);
    const sources = oneOf('source', values.source, ['gateway', 'client', 'both'] as const, 'both');
    const format = oneOf('format', values.format, ['lines', 'jsonl'] as const, 'lines');
    const incidents = oneOf('incidents', values.incidents, ['on', 'off'] as const, 'on') === 'on';
    const shippers = oneOf('shippers', values.shippers, ['on', 'off'] as const, 'on') === 'on';
    if (values.count !== undefined && values.density !== undefined) {
      throw new ConfigError('invalid --density together with --count: give one of them');
    }
    const config = loadConfig();
    const opts: GenerateOptions = {
      seed: intFlag('seed', values.seed, 0, 4_294_967_295, 1),
      startMs: parseStart(values.start ?? 'yesterday'),
      durationMs: values.duration === undefined ? 86_400_000 : parseDuration('duration', values.duration),
      sources,
      incidents,
      shippers,
      topics: { gateway: config.FAULTLINE_GATEWAY_TOPIC, client: config.FAULTLINE_CLIENT_TOPIC },
    };
    if (values.count !== undefined) opts.count = intFlag('count', values.count, 0, 1_000_000_000, 0);
    if (values.density !== undefined) opts.ratePerSec = parseRate('density', values.density);
    const rate = values.rate === undefined ? undefined : parseRate('rate', values.rate);
    const total = resolveOptions(opts).count;

    const t0 = performance.now();
    let lastReport = t0;
    const where = target.kind === 'file' ? target.path : target.kind;
    const onProgress = (sent: number): void => {
      const now = performance.now();
      if (now - lastReport < 2000) return;
      lastReport = now;
      const pct = total > 0 ? Math.floor((100 * sent) / total) : 100;
      process.stderr.write(
        `generate: ${sent}/${total} records (${pct}%) to ${where}, ${Math.round(sent / ((now - t0) / 1000))} records/s\n`,
      );
    };
    const records = generateRecords(opts);
    let sent: number;
    if (target.kind === 'kafka') {
      sent = await produceToKafka(records, config, { rate, onProgress });
    } else {
      let streams: Record<GeneratedSource, Writable>;
      const toClose: Writable[] = [];
      if (target.kind === 'stdout') {
        streams = { gateway: process.stdout, client: process.stdout };
      } else if (target.path.includes('{source}')) {
        const g = fileStream(target.path.replaceAll('{source}', 'gateway'));
        const c = fileStream(target.path.replaceAll('{source}', 'client'));
        toClose.push(g, c);
        streams = { gateway: g, client: c };
      } else {
        if (sources === 'both' && format === 'lines') {
          throw new ConfigError(
            `invalid --to=file:${target.path} with --source both: put {source} in the path (file:var/{source}.log), pick --source ` +
              `gateway|client, or use --format jsonl`,
          );
        }
        const f = fileStream(target.path);
        toClose.push(f);
        streams = { gateway: f, client: f };
      }
      try {
        sent = await writeLines(records, streams, format, { rate, onProgress });
      } catch (err) {
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        if ((err as NodeJS.ErrnoException).code === 'EPIPE') return 0;
        throw err;
      } finally {
        await Promise.all(toClose.map((s) => new Promise<void>((r) => s.end(r))));
      }
    }
    const secs = (performance.now() - t0) / 1000;
    process.stderr.write(
      `generate: wrote ${sent} records to ${where} in ${secs.toFixed(1)} s (${Math.round(sent / Math.max(secs, 0.001))} records/s)\n`,
    );
    return 0;
  },
};
