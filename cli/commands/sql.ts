// `faultline sql "<query>"`: run ad-hoc SQL against the store; a table for people, or one JSON
// object per line for scripts. Values come in as `--param name=value` (ClickHouse query
// parameters, `{name:Type}` in the query), never spliced into the text.
import { loadConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { openStore, type QueryParams } from '../../sql/index.ts';
import { isReadOnlyKind, statementKind } from '../../sql/http-statement.ts';
import type { Command } from '../command.ts';
import { oneOf, parseFlags } from '../args.ts';

const MAX_CELL = 80;

function cell(v: unknown): string {
  const s = v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const flat = s.replace(/\r?\n/g, '\\n').replace(/\t/g, '\\t');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

/** Render rows as an aligned text table (numbers right-aligned). */
function renderTable(rows: readonly Record<string, unknown>[]): string {
  if (rows.length === 0) return '(0 rows)\n';
  const cols = Object.keys(rows[0]!);
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const width = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const numeric = cols.map((c) => rows.every((r) => typeof r[c] === 'number' || r[c] === null));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(width[i]!) : v.padEnd(width[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(cols), width.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)];
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}

function parseParams(list: readonly string[]): QueryParams {
  const params: QueryParams = {};
  for (const p of list) {
    const i = p.indexOf('=');
    const name = i > 0 ? p.slice(0, i) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ConfigError(`invalid --param ${JSON.stringify(p)}: expected name=value with a name of letters, digits and _`);
    }
    params[name] = p.slice(i + 1);
  }
  return params;
}

export const command: Command = {
  summary: 'Run a SQL query against the event store',
  help: `Usage: faultline sql "<query>" [--format table|json] [--param name=value ...]

Runs one SQL statement against the store (unqualified table names resolve in
CLICKHOUSE_DATABASE, default faultline) and prints the rows.

  --format table   aligned columns for a terminal (default)
  --format json    one JSON object per row, one per line
  --param k=v      a query parameter: write {k:String} (or another type) in the
                   query; the value never becomes part of the SQL text

Examples:
  faultline sql "SELECT category, count() FROM events GROUP BY category"
  faultline sql "SELECT * FROM events WHERE channel = {ch:String} LIMIT 5" --param ch=1688 --format json

While \`faultline run\` holds the embedded store, queries go through its local
read-only endpoint.
`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { format: { type: 'string' }, param: { type: 'string', multiple: true } }, true);
    const format = oneOf('format', values.format, ['table', 'json'] as const, 'table');
    if (positionals.length !== 1 || !positionals[0]!.trim()) {
      throw new ConfigError('expected exactly one query argument, e.g. faultline sql "SELECT count() FROM events"');
    }
    const sql = positionals[0]!.replace(/[\s;]+$/, '');
    const params = parseParams(values.param ?? []);
    const config = loadConfig();
    const store = await openStore(config);
    try {
      if (!isReadOnlyKind(statementKind(sql))) {
        await store.command(sql, params);
        process.stdout.write(format === 'json' ? '' : 'ok\n');
        return 0;
      }
      const rows = await store.query(sql, params);
      if (format === 'json') {
        let out = '';
        for (const r of rows) out += `${JSON.stringify(r)}\n`;
        process.stdout.write(out);
      } else process.stdout.write(renderTable(rows));
      return 0;
    } finally {
      await store.close();
    }
  },
};
