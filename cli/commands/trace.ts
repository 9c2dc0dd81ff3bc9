// `faultline trace <request_id>`: what happened to one request end to end — every event and
// reject of that id from both streams, in time order, with the upstream (vendor) details.
import { loadConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { openStore } from '../../sql/index.ts';
import { traceRequest, type TraceEntry, type TraceEvent } from '../../sql/trace.ts';
import type { Command } from '../command.ts';
import { intFlag, parseFlags } from '../args.ts';

const useColor = () => process.stdout.isTTY === true && !process.env.NO_COLOR;

function paint(code: string, s: string): string {
  return useColor() ? `\x1b[${code}m${s}\x1b[0m` : s;
}

function oneLine(s: string, max = 160): string {
  const flat = s.replace(/\s*\r?\n\s*/g, ' ⏎ ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function describeEvent(e: TraceEvent): string[] {
  const status = e.http_status ? String(e.http_status) : '---';
  const color = e.outcome === 'ok' ? '32' : e.outcome === 'error' ? '31' : '33';
  const head = [
    e.source.padEnd(7),
    e.method || e.route ? `${e.method} ${e.route}`.trim() : '',
    paint(color, `${status} ${e.outcome}`),
    e.category ? `${e.category}${e.code ? `/${e.code}` : ''}` : e.code,
    e.limit_kind ? `(limit: ${e.limit_kind})` : '',
  ]
    .filter(Boolean)
    .join('  ');
  const ctx = [
    e.channel && `channel=${e.channel}`,
    e.app_id && `app=${e.app_id}`,
    e.attempt !== null && `attempt=${e.attempt}`,
    e.latency_ms !== null && `latency=${e.latency_ms}ms`,
    e.catalog_drift && 'catalog-drift',
  ]
    .filter(Boolean)
    .join(' ');
  const lines = [`${paint('2', e.time)}  ${head}${ctx ? `  ${paint('2', ctx)}` : ''}`];
  if (e.message) lines.push(`    message:  ${oneLine(e.message)}`);
  if (e.upstream_vendor || e.upstream_code || e.upstream_message) {
    const code = [e.upstream_code, e.upstream_sub_code].filter(Boolean).join(' / ');
    lines.push(
      `    upstream: ` +
        `${[e.upstream_vendor || '?', code].filter(Boolean).join(' ')}${e.upstream_message ? ` — ${oneLine(e.upstream_message)}` : ''}`,
    );
  }
  for (const o of e.failed_offers) {
    lines.push(
      `    failed offer ${o.offer_id}${o.spec_id ? ` (spec ${o.spec_id})` : ''}: ` +
        `${o.error_code}${o.error_message ? ` — ${oneLine(o.error_message)}` : ''}`,
    );
  }
  lines.push(paint('2', `    from ${e.topic}[${e.partition}]@${e.offset}`));
  return lines;
}

/** The trace as terminal text. */
function renderTrace(id: string, entries: readonly TraceEntry[]): string {
  if (entries.length === 0) return `no events or rejects found for request id ${JSON.stringify(id)}\n`;
  const events = entries.filter((e) => e.kind === 'event').length;
  const first = entries[0]!.time;
  const last = entries[entries.length - 1]!.time;
  const span = Date.parse(last) - Date.parse(first);
  const out = [`${paint('1', id)}: ${events} event(s), ${entries.length - events} reject(s), ${first} … ${last} (${span} ms)`, ''];
  for (const e of entries) {
    if (e.kind === 'event') out.push(...describeEvent(e));
    else {
      out.push(
        `${paint('2', e.time)}  ${e.source.padEnd(7)}  ${paint('35', `REJECTED ${e.reason}`)}${e.detail ? `: ${oneLine(e.detail)}` : ''}`,
      );
      out.push(`    head: ${oneLine(e.head)}`);
      out.push(paint('2', `    from ${e.topic}[${e.partition}]@${e.offset}`));
    }
  }
  return `${out.join('\n')}\n`;
}

export const command: Command = {
  summary: 'Show every event and reject of one request id, in time order',
  help: `Usage: faultline trace <request_id> [--json] [--limit N]

Looks up one request id (e.g. req_9f2) in both streams and prints every event
and every reject that names it, in time order, with status, category and code,
the upstream vendor's code and message, failed order lines and the Kafka
position of each record.

  --json      one JSON object per line (kind: "event" or "reject")
  --limit N   at most N events and N rejects (default 10000)

Exit status: 0 when something was found, 1 when nothing was.
`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' }, limit: { type: 'string' } }, true);
    if (positionals.length !== 1) throw new ConfigError('expected exactly one request id, e.g. faultline trace req_9f2');
    const limit = intFlag('limit', values.limit, 1, 1_000_000, 10_000);
    const id = positionals[0]!;
    const config = loadConfig();
    const store = await openStore(config);
    try {
      const entries = await traceRequest(store, config.CLICKHOUSE_DATABASE, id, { limit });
      if (values.json) {
        let out = '';
        for (const e of entries) out += `${JSON.stringify(e)}\n`;
        process.stdout.write(out);
      } else process.stdout.write(renderTrace(id, entries));
      return entries.length > 0 ? 0 : 1;
    } finally {
      await store.close();
    }
  },
};
