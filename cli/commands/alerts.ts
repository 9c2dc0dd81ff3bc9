// `faultline alerts check [--at ISO]`: evaluate the provisioned alert rules' queries against the
// configured store, exactly as Grafana would at that time, and print which would fire and why.
// Exit 0 whatever fires (it is a report, usable from cron); 1 only when the store fails.
// `faultline alerts receive`: a local webhook receiver printing Grafana's notifications.
import { loadConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { alertRules, evaluateRules, formatResults, tables } from '../../dashboards/index.ts';
import { startAlertReceiver } from '../../dashboards/alert-receiver.ts';
import { openStore } from '../../sql/index.ts';
import type { Command } from '../command.ts';
import { parseFlags } from '../args.ts';

export function parseAt(value: unknown, now = Date.now()): number {
  if (value === undefined) return now;
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new ConfigError(`invalid --at=${String(value)}: expected an ISO-8601 time such as 2026-11-21T10:07:00Z`);
  }
  return ms;
}

export const command: Command = {
  summary: 'Evaluate the alert rules against the store and print which would fire',
  help: `Usage: faultline alerts check [--at ISO] [--rule UID] [--database NAME] [--sql]
       faultline alerts receive [--port 9095] [--host 0.0.0.0]

Runs each alert rule's query (the same SQL as dashboards/provisioning/alerting) with
Grafana's macros expanded for the rule's time range ending at --at (default: now), and
prints, per rule and per channel / vendor / topic, the value, the threshold and whether
the rule would fire. Works without Grafana, e.g. from cron. Exit status 0 whatever fires.

Store: CLICKHOUSE_URL, else embedded chDB under FAULTLINE_DATA; while \`faultline run\`
holds the embedded store, its local query endpoint is used.

Flags:
  --at ISO          evaluation time, e.g. 2026-11-21T10:07:00Z
  --rule UID        only this rule (e.g. faultline-error-rate-spike)
  --database NAME   overrides CLICKHOUSE_DATABASE
  --sql             also print the expanded SQL of each rule

receive listens for Grafana's webhook notifications (POST, Grafana's webhook JSON) and
prints one line per notification: receiver, firing/resolved, group, each alert's channel /
vendor / topic and value. compose runs it as service alert-receiver; point
FAULTLINE_ALERT_WEBHOOK_URL at it. Runs until SIGTERM/SIGINT.
  --port N          port (default 9095)
  --host ADDR       address to listen on (default 0.0.0.0)
`,
  run: (argv) => runAlerts(argv, (text) => process.stdout.write(text)),
};

/** The command with its output sink injectable (tests capture it without touching stdout). */
export async function runAlerts(argv: string[], write: (text: string) => void): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      at: { type: 'string' },
      rule: { type: 'string' },
      database: { type: 'string' },
      sql: { type: 'boolean' },
      port: { type: 'string' },
      host: { type: 'string' },
    },
    true,
  );
  if ((positionals[0] !== 'check' && positionals[0] !== 'receive') || positionals.length > 1) {
    throw new ConfigError(
      `expected the subcommand 'check' or 'receive' (got ${positionals.length ? `'${positionals.join(' ')}'` : 'nothing'}): faultline ` +
        `alerts check [--at ISO]`,
    );
  }
  if (positionals[0] === 'receive') return receive(values, write);
  const at = parseAt(values.at);
  const config = loadConfig(process.env, { CLICKHOUSE_DATABASE: values.database });
  let rules = alertRules(tables(config.CLICKHOUSE_DATABASE), { quotaTz: config.FAULTLINE_QUOTA_TZ });
  if (values.rule !== undefined) {
    const uids = rules.map((r) => r.uid);
    rules = rules.filter((r) => r.uid === values.rule);
    if (rules.length === 0) throw new ConfigError(`invalid --rule=${String(values.rule)}: allowed values are ${uids.join(', ')}`);
  }
  const store = await openStore(config);
  try {
    const results = await evaluateRules(store, rules, at);
    write(`${formatResults(results, at)}\n`);
    if (values.sql) for (const r of results) write(`\n-- ${r.rule.uid}\n${r.sql}\n`);
    return results.some((r) => r.error !== undefined) ? 1 : 0;
  } finally {
    await store.close();
  }
}

async function receive(values: Record<string, unknown>, write: (text: string) => void): Promise<number> {
  const port = values.port === undefined ? 9095 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`invalid --port=${String(values.port)}: expected a port number 0-65535`);
  const receiver = await startAlertReceiver({
    port,
    ...(typeof values.host === 'string' ? { host: values.host } : {}),
    write: (line) => write(`${line}\n`),
    warn: (line) => process.stderr.write(`${line}\n`),
  });
  process.stderr.write(`alert receiver listening on port ${receiver.port}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await receiver.close();
  return 0;
}
