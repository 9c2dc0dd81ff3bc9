// Settings for one statement alone, written into the statement. A ClickHouse server applies an
// HTTP request's URL settings to that query only (https://clickhouse.com/docs/interfaces/http,
// "settings in the URL"); chDB has one session per process, shared by the run's own statements,
// so SETting them on the session around a request's statement would reach whatever runs
// meanwhile. A query-level SETTINGS clause (https://clickhouse.com/docs/sql-reference/statements/select#settings-in-select-query)
// applies to its statement alone: after the target of an INSERT (before SELECT or VALUES: it
// applies to the insert, insert_deduplication_token included), otherwise at the end, before a
// FORMAT clause. A CREATE's trailing SETTINGS are the table engine's, and SYSTEM and the rest
// take none: there, settings that would change anything are refused instead of dropped.
import { ProtocolError, settingLiteral } from './http-statement.ts';

const SETTING_NAME = /^[a-z_][a-z0-9_]*$/;
/** Statements whose trailing SETTINGS clause is query-level (checked on chDB: statement-settings.test.ts). */
const TRAILING = new Set([
  'SELECT',
  'WITH',
  'SHOW',
  'DESCRIBE',
  'DESC',
  'EXPLAIN',
  'EXISTS',
  'ALTER',
  'DELETE',
  'OPTIMIZE',
  'DROP',
  'TRUNCATE',
]);
const INSERT_TARGET =
  /^(\s*INSERT\s+INTO\s+(?:TABLE\s+)?(?!FUNCTION\b)[A-Za-z_`][\w`]*(?:\.[A-Za-z_`][\w`]*)?\s*(?:\([^)]*\))?)\s*(SETTINGS\s+)?/i;
const VALUE = String.raw`(?:'(?:[^'\\]|\\.)*'|[^,()'\s]+)`;
const TRAILING_SETTINGS = new RegExp(String.raw`\bSETTINGS\s+[a-z_]\w*\s*=\s*${VALUE}(?:\s*,\s*[a-z_]\w*\s*=\s*${VALUE})*$`, 'i');

/**
 * `sql` (one statement of kind `kind`, statementKind()) with `settings` in a SETTINGS clause of
 * its own. The statement's own SETTINGS come after the request's, so they win, as on a server.
 */
export function withStatementSettings(sql: string, kind: string, settings: Readonly<Record<string, string>>): string {
  const entries = Object.entries(settings).filter(([k]) => SETTING_NAME.test(k));
  if (entries.length === 0) return sql;
  const list = entries.map(([k, v]) => `${k} = ${settingLiteral(v)}`).join(', ');
  const s = sql.replace(/[\s;]+$/, '');
  if (kind === 'INSERT') {
    const m = INSERT_TARGET.exec(s);
    if (m) return `${m[1]!.trimEnd()} SETTINGS ${list}${m[2] ? ', ' : ' '}${s.slice(m[0].length)}`;
  } else if (TRAILING.has(kind)) {
    const format = /\s+FORMAT\s+\w+$/i.exec(s);
    const head = format ? s.slice(0, format.index) : s;
    const tail = format ? format[0] : '';
    return TRAILING_SETTINGS.test(head) ? `${head}, ${list}${tail}` : `${head}\nSETTINGS ${list}${tail}`;
  }
  throw new ProtocolError(
    48,
    'NOT_IMPLEMENTED',
    `faultline: the local endpoint applies a request's settings through the statement's own SETTINGS clause, which ` +
      `${kind || 'this'} statement has none of (its chDB session is shared); send ${entries.map(([k]) => k).join(', ')} ` +
      `another way`,
  );
}
