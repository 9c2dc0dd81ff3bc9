// Configuration from environment variables (and CLI flags, which override them), validated
// with zod. Every error names the setting and what it accepts.
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { INPUT_FORMATS } from '../transform/event.ts';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const nonEmpty = z.string().trim().min(1);

/**
 * Every setting: env var name -> schema, default and one-line description (docs/configuration.md's
 * table follows it; test/readme.test.ts checks).
 */
export const SETTINGS = {
  CLICKHOUSE_URL: {
    schema: z.string().url().optional(),
    doc: 'ClickHouse server HTTP URL, e.g. http://localhost:8123. Unset: embedded chDB store.',
  },
  CLICKHOUSE_USER: { schema: z.string().default('default'), doc: 'ClickHouse user (server store).' },
  CLICKHOUSE_PASSWORD: { schema: z.string().default(''), doc: 'ClickHouse password (server store). Never logged.' },
  CLICKHOUSE_CLUSTER: {
    schema: z
      .string()
      .trim()
      .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'a cluster name of remote_servers: letters, digits, _ . and - only')
      .optional(),
    doc: 'ClickHouse cluster to migrate on (ON CLUSTER, Replicated engines, Distributed tables; docs/scaling.md). Unset: one node.',
  },
  CLICKHOUSE_SHARD_URLS: {
    schema: z
      .string()
      .trim()
      .regex(/^https?:\/\/[^\s,]+(,\s*https?:\/\/[^\s,]+)*$/, 'comma-separated http(s) URLs, one per shard in shard_num order')
      .optional(),
    doc:
      'With CLICKHOUSE_CLUSTER: one HTTP URL per shard of the cluster, in shard_num order (any replica, or a balancer over the ' +
      "shard's replicas). `faultline run` then inserts each Kafka partition's rows into its owning shard's `_local` tables, for " +
      'exactly-once across shards (docs/delivery.md). Unset: inserts go to CLICKHOUSE_URL.',
  },
  CLICKHOUSE_READONLY_PASSWORD: {
    schema: z.string().default(''),
    doc:
      "Password of Grafana's read-only ClickHouse user faultline_grafana: Grafana's datasource reads it from its environment, " +
      '`faultline dashboards grant` creates or updates the user with it (stored salted and hashed). Never logged, never written to a file.',
  },
  CLICKHOUSE_DATABASE: {
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .default('faultline'),
    doc: 'Database holding faultline tables.',
  },
  FAULTLINE_DATA: { schema: nonEmpty.default('./var/faultline'), doc: 'Data directory of the embedded chDB store.' },
  FAULTLINE_RETENTION_DAYS: {
    schema: int(0, 3650).default(30),
    doc: 'TTL of raw events and rejects, in days; 0 keeps them forever (no TTL).',
  },
  KAFKA_BROKERS: { schema: nonEmpty.default('localhost:9092'), doc: 'Comma-separated Kafka bootstrap brokers.' },
  KAFKA_GROUP_ID: { schema: nonEmpty.default('faultline'), doc: 'Kafka consumer group id.' },
  KAFKA_CLIENT_ID: { schema: nonEmpty.default('faultline'), doc: 'Kafka client id.' },
  KAFKA_SSL: { schema: z.enum(['true', 'false']).default('false'), doc: 'Use TLS to reach Kafka.' },
  KAFKA_SASL_MECHANISM: { schema: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(), doc: 'SASL mechanism; unset: no SASL.' },
  KAFKA_SASL_USERNAME: { schema: z.string().optional(), doc: 'SASL username.' },
  KAFKA_SASL_PASSWORD: { schema: z.string().optional(), doc: 'SASL password. Never logged.' },
  KAFKA_SESSION_TIMEOUT_MS: {
    schema: int(1000, 300_000).default(30_000),
    doc: "Consumer group session timeout, in ms (a crashed consumer's partitions move after this long).",
  },
  FAULTLINE_GATEWAY_TOPIC: { schema: nonEmpty.default('gateway-logs'), doc: 'Topic of the gateway log stream.' },
  FAULTLINE_CLIENT_TOPIC: { schema: nonEmpty.default('client-logs'), doc: 'Topic of the client log stream.' },
  FAULTLINE_GATEWAY_FORMAT: {
    schema: z.enum(INPUT_FORMATS).default('auto'),
    doc:
      'How the gateway topic is read: `auto` (every JSON and text shape, envelopes, OTLP/JSON) or `otlp_proto` (OpenTelemetry ' +
      'Collector Kafka exporter, OTLP/protobuf).',
  },
  FAULTLINE_CLIENT_FORMAT: {
    schema: z.enum(INPUT_FORMATS).default('auto'),
    doc: 'How the client topic is read: `auto` or `otlp_proto` (as FAULTLINE_GATEWAY_FORMAT).',
  },
  FAULTLINE_BATCH_SIZE: {
    schema: int(1, 1_000_000).default(50_000),
    doc: 'Sink batch size bound, in records (a record counts once per started 512 bytes).',
  },
  FAULTLINE_BATCH_MS: { schema: int(10, 600_000).default(1000), doc: 'Sink batch time bound, in ms.' },
  FAULTLINE_BATCH_MIN_SIZE: {
    schema: int(1, 1_000_000).default(10_000),
    doc:
      'Adaptive cadence: with no insert running, a flush starts as soon as this many records are buffered (capped at ' +
      '`FAULTLINE_BATCH_SIZE`), without waiting for `FAULTLINE_BATCH_MS`; behind, a flush takes up to 2 × `FAULTLINE_BATCH_SIZE`.',
  },
  FAULTLINE_MAX_RECORD_BYTES: {
    schema: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
    doc: 'Records larger than this (UTF-8 bytes) are rejected.',
  },
  FAULTLINE_MAX_DEPTH: { schema: int(1, 10_000).default(64), doc: 'Records nested deeper than this are rejected.' },
  FAULTLINE_RAW: {
    schema: z.enum(['all', 'non-ok']).default('all'),
    doc: 'Which events keep the redacted `raw` record: `all`, or `non-ok` (errors, business failures, partial successes and `unrecognized` records keep it; `ok` events store the normalized columns alone). Trade-off: docs/configuration.md "The raw record".',
  },
  FAULTLINE_RAW_MAX_BYTES: { schema: int(0, 1024 * 1024).default(4096), doc: 'The redacted `raw` column is truncated to this many bytes.' },
  FAULTLINE_REDACTION_KEY: {
    schema: z.string().min(16).optional(),
    doc:
      'Key of the fingerprints `[REDACTED:<fp>]` of API keys and bearer tokens (docs/secrets.md §4), 16+ characters. Unset: the key ' +
      '`faultline migrate` keeps in the store. Never logged.',
  },
  FAULTLINE_PII: {
    schema: z.enum(['keep', 'mask']).default('keep'),
    doc: '`mask`: e-mail local parts and payment card numbers are redacted too (docs/secrets.md §5).',
  },
  FAULTLINE_METRICS_PORT: { schema: int(0, 65535).default(9464), doc: 'Port of the Prometheus /metrics endpoint (0: off).' },
  FAULTLINE_ALERT_WEBHOOK_URL: {
    schema: z.string().url().optional(),
    doc:
      "Webhook receiving faultline's alert notifications (pages and tickets, Grafana's webhook JSON). Grafana reads it from its " +
      'environment; compose defaults it to the local alert-receiver. Never written to a file.',
  },
  FAULTLINE_ALERT_SLACK_URL: {
    schema: z.string().url().optional(),
    doc:
      'Slack incoming-webhook URL. Set at `dashboards build`: pages and tickets also go to Slack (Grafana reads the URL from its ' +
      'environment). Never written to a file.',
  },
  FAULTLINE_ALERT_EMAILS: {
    schema: z
      .string()
      .regex(/^[^\s;@]+@[^\s;@]+(;[^\s;@]+@[^\s;@]+)*$/)
      .optional(),
    doc: 'E-mail recipients of tickets, `;`-separated, written into the contact point at `dashboards build` (Grafana needs SMTP).',
  },
  FAULTLINE_QUOTA_TZ: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_+\-/]+$/)
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'expected an IANA time zone such as UTC or Asia/Shanghai')
      .default('UTC'),
    doc:
      'Time zone of the marketplaces\' quota day (IANA name, e.g. Asia/Shanghai), for the quota forecast panel and the "Quota runs ' +
      'out within 2 h" rule (`dashboards build`).',
  },
  FAULTLINE_LOG_LEVEL: {
    schema: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    doc: 'Log level of the pipeline (logs go to stderr).',
  },
} as const;

type Settings = typeof SETTINGS;
export type Config = { [K in keyof Settings]: z.output<Settings[K]['schema']> };
export type SettingName = keyof Settings;

/** Describe what a schema accepts, for error messages. */
function allowed(schema: z.ZodType): string {
  const def = (schema as unknown as { unwrap?: () => z.ZodType }).unwrap?.() ?? schema;
  const inner = (def as unknown as { removeDefault?: () => z.ZodType }).removeDefault?.() ?? def;
  if (inner instanceof z.ZodEnum) return `one of ${inner.options.join(', ')}`;
  return '';
}

/**
 * Read the configuration from `env`, with `overrides` (from CLI flags, keyed by env var
 * name) taking precedence. Throws ConfigError naming the first bad setting.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<SettingName, string | undefined>> = {}): Config {
  const out: Record<string, unknown> = {};
  for (const [name, { schema }] of Object.entries(SETTINGS) as [SettingName, Settings[SettingName]][]) {
    const raw = overrides[name] ?? env[name];
    const value = raw === '' && name !== 'CLICKHOUSE_PASSWORD' ? undefined : raw;
    const res = (schema as z.ZodType).safeParse(value);
    if (!res.success) {
      const issue = res.error.issues[0];
      const hint = allowed(schema as z.ZodType);
      const shown = /PASSWORD|REDACTION_KEY/.test(name) ? '(hidden)' : JSON.stringify(value);
      throw new ConfigError(`invalid ${name}=${shown}: ${hint || issue?.message || 'invalid value'}`);
    }
    out[name] = res.data;
  }
  return out as Config;
}
