// `faultline dashboards build [--out DIR] [--check]`: write the Grafana dashboards JSON and the
// provisioning files (datasource, dashboard provider, alert rules, notifications) generated from
// dashboards/*.ts; `preview`: a static HTML page of them; `grant`: create or update the
// read-only ClickHouse user Grafana logs in as, from CLICKHOUSE_READONLY_PASSWORD.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { writeFileSync } from 'node:fs';
import {
  buildArtifacts,
  buildDashboards,
  READONLY_USER,
  readonlyUserStatements,
  renderPreview,
  staleArtifacts,
  writeArtifacts,
} from '../../dashboards/index.ts';
import { openStore } from '../../sql/index.ts';
import { parseAt } from './alerts.ts';
import type { Command } from '../command.ts';
import { parseFlags } from '../args.ts';

// The checkout's dashboards/ folder, whether this runs compiled (dist/cli/commands/) or from the sources.
const REPO_DASHBOARDS = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../../dashboards/' : '../../../dashboards/', import.meta.url),
);

export const command: Command = {
  summary: 'Generate the Grafana dashboards, datasource, dashboard provider and alert rules',
  help: `Usage: faultline dashboards build [--out DIR] [--database NAME] [--check]
       faultline dashboards preview --out FILE.html [--at ISO] [--range 6h] [--request-id ID]
       faultline dashboards grant [--database NAME]

Writes, under DIR (default: the repository's dashboards/ folder):
  generated/<uid>.json                    five dashboards (error rates, quota exhaustion,
                                          vendor failures, request lookup, pipeline health)
  provisioning/datasources/faultline.yaml grafana-clickhouse-datasource, read-only user,
                                          password from Grafana's $CLICKHOUSE_READONLY_PASSWORD
  provisioning/dashboards/faultline.yaml  file provider reading ${'/var/lib/grafana/dashboards/faultline'}
  provisioning/alerting/faultline.yaml    alert rules (evaluate them here: faultline alerts check)
  provisioning/alerting/notifications.yaml contact points (webhook $FAULTLINE_ALERT_WEBHOOK_URL;
                                          Slack when FAULTLINE_ALERT_SLACK_URL is set; e-mail to
                                          FAULTLINE_ALERT_EMAILS) and the page/ticket policies

Mount generated/ at /var/lib/grafana/dashboards/faultline and provisioning/ at
/etc/grafana/provisioning. Table names in the SQL are qualified with the database
(CLICKHOUSE_DATABASE, default faultline); the datasource host comes from CLICKHOUSE_URL
(unset: the compose service clickhouse:8123).

Flags:
  --out DIR         output directory (default: dashboards/ of this checkout)
  --database NAME   overrides CLICKHOUSE_DATABASE
  --check           write nothing; exit 1 when a file under DIR differs from a fresh build

preview runs every panel's query against the configured store (All selected, range ending
at --at, default now) and writes a static HTML page: charts as SVG, tables as HTML.
  --range DUR       length of the range: 30m, 6h, 24h, 7d (default 6h)
  --request-id ID   request id for the request lookup panels

grant creates the read-only user faultline_grafana on the ClickHouse server at
CLICKHOUSE_URL (as CLICKHOUSE_USER, who needs access management), or updates its password,
and grants it SELECT on the database. The password is CLICKHOUSE_READONLY_PASSWORD (the
value Grafana gets in its environment); it is sent salted and hashed, never printed.
`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        out: { type: 'string' },
        database: { type: 'string' },
        check: { type: 'boolean' },
        at: { type: 'string' },
        range: { type: 'string' },
        'request-id': { type: 'string' },
      },
      true,
    );
    const [sub, ...extra] = positionals;
    if ((sub !== 'build' && sub !== 'preview' && sub !== 'grant') || extra.length > 0) {
      throw new ConfigError(
        `expected the subcommand 'build', 'preview' or 'grant' (got ${sub === undefined ? 'nothing' : `'${positionals.join(' ')}'`}): ` +
          `faultline dashboards build [--out DIR]`,
      );
    }
    if (sub === 'preview') return preview(values);
    if (sub === 'grant') return grant(values);
    const config = loadConfig(process.env, { CLICKHOUSE_DATABASE: values.database });
    const out = resolve(values.out ?? REPO_DASHBOARDS);
    const artifacts = buildArtifacts({
      database: config.CLICKHOUSE_DATABASE,
      clickhouseUrl: config.CLICKHOUSE_URL,
      quotaTz: config.FAULTLINE_QUOTA_TZ,
      notifications: { slack: config.FAULTLINE_ALERT_SLACK_URL !== undefined, emails: config.FAULTLINE_ALERT_EMAILS?.split(';') ?? [] },
    });
    if (values.check) {
      const stale = staleArtifacts(out, artifacts);
      if (stale.length > 0) {
        process.stderr.write(`out of date under ${out}: ${stale.join(', ')} (run: faultline dashboards build)\n`);
        return 1;
      }
      process.stdout.write(`${artifacts.size} files under ${out} are up to date\n`);
      return 0;
    }
    const written = writeArtifacts(out, artifacts);
    process.stdout.write(`wrote ${written.length} files under ${out} (database ${config.CLICKHOUSE_DATABASE})\n`);
    return 0;
  },
};

export function parseRange(value: unknown): number {
  if (value === undefined) return 6 * 3_600_000;
  const m = typeof value === 'string' ? /^(\d+)(m|h|d)$/.exec(value) : null;
  if (!m || Number(m[1]) === 0) throw new ConfigError(`invalid --range=${String(value)}: expected a duration such as 30m, 6h or 7d`);
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}

/** The flags `preview` reads (parseFlags types them from the spec above). */
interface PreviewFlags {
  out?: string | undefined;
  at?: string | undefined;
  range?: string | undefined;
  database?: string | undefined;
  'request-id'?: string | undefined;
}

async function preview(values: PreviewFlags): Promise<number> {
  const file = values.out;
  if (typeof file !== 'string') throw new ConfigError('dashboards preview needs --out FILE.html');
  const atMs = parseAt(values.at);
  const rangeMs = parseRange(values.range);
  const config = loadConfig(process.env, { CLICKHOUSE_DATABASE: values.database });
  const store = await openStore(config);
  try {
    // About 120 points per chart, whole minutes (the rollups' resolution).
    const intervalMs = Math.max(60_000, Math.round(rangeMs / 120 / 60_000) * 60_000);
    const requestId = values['request-id'];
    const html = await renderPreview(store, buildDashboards(config.CLICKHOUSE_DATABASE, { quotaTz: config.FAULTLINE_QUOTA_TZ }), {
      atMs,
      rangeMs,
      intervalMs,
      ...(requestId ? { requestId } : {}),
    });
    writeFileSync(file, html);
    process.stdout.write(`wrote ${resolve(file)}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

async function grant(values: Record<string, unknown>): Promise<number> {
  const config = loadConfig(process.env, { CLICKHOUSE_DATABASE: values.database as string | undefined });
  if (!config.CLICKHOUSE_URL) {
    throw new ConfigError('dashboards grant creates a user on a ClickHouse server: set CLICKHOUSE_URL (the embedded store has no users)');
  }
  if (config.CLICKHOUSE_READONLY_PASSWORD === '') {
    throw new ConfigError(
      `invalid CLICKHOUSE_READONLY_PASSWORD=(hidden): expected the non-empty password Grafana uses for ${READONLY_USER}`,
    );
  }
  const store = await openStore(config, { fallbackToEndpoint: false });
  try {
    for (const statement of readonlyUserStatements(config.CLICKHOUSE_DATABASE, config.CLICKHOUSE_READONLY_PASSWORD))
      await store.command(statement);
  } finally {
    await store.close();
  }
  process.stdout.write(`${READONLY_USER}: created or password updated, SELECT on ${config.CLICKHOUSE_DATABASE}.*\n`);
  return 0;
}
