// The parts of ClickHouse's HTTP interface (https://clickhouse.com/docs/interfaces/http) that
// turn one request into one statement for chDB: the query from the `query` URL parameter
// and/or the body, `param_*` values in ClickHouse's escaped text form, settings from the URL,
// and `INSERT … FORMAT <fmt>` whose data is the body. Pure functions, tested on their own.
import type { RawInsert } from './embedded-store.ts';

/** URL parameters that are part of the protocol, not ClickHouse settings. */
const PROTOCOL_PARAMS = new Set([
  'query',
  'database',
  'query_id',
  'default_format',
  'user',
  'password',
  'quota_key',
  'session_id',
  'session_timeout',
  'session_check',
  'compress',
  'decompress',
  'buffer_size',
  'wait_end_of_query',
  'role',
  'enable_http_compression',
  'http_headers_progress_interval_ms',
  'send_progress_in_http_headers',
  'http_zlib_compression_level',
  'http_native_compression_disable_checksumming_on_decompress',
]);

const READ_KINDS = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXPLAIN', 'EXISTS']);
const INSERT_FORMATS = new Set<RawInsert['format']>([
  'JSONEachRow',
  'JSONCompactEachRow',
  'CSV',
  'CSVWithNames',
  'TSV',
  'TabSeparated',
  'TSVWithNames',
  'TabSeparatedWithNames',
]);

export class ProtocolError extends Error {
  constructor(
    readonly code: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** Decode a `param_*` value from ClickHouse's escaped text form (`\N` alone is NULL). */
export function decodeParam(v: string): string | null {
  if (v === '\\N') return null;
  return v.replace(/\\(.)/gs, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c === '0' ? '\0' : c === 'b' ? '\b' : c === 'f' ? '\f' : c,
  );
}

type ParamValue = string | null | ParamValue[];

/**
 * Parse an array parameter's text (`['a\\'b', NULL, 3]`, as ClickHouse reads an Array in
 * escaped form) into JS values, which chDB's binder re-serializes as the same literal.
 */
export function parseArrayLiteral(text: string): ParamValue[] {
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const value = (): ParamValue => {
    ws();
    const c = text[i];
    if (c === '[') {
      i++;
      const out: ParamValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return out;
        }
        throw new ProtocolError(130, 'CANNOT_READ_ARRAY_FROM_TEXT', `Cannot read array from text at position ${i}`);
      }
    }
    if (c === "'") {
      let s = '';
      i++;
      while (i < text.length && text[i] !== "'") {
        if (text[i] === '\\') {
          s += decodeParam(text.slice(i, i + 2)) ?? '';
          i += 2;
        } else s += text[i++];
      }
      i++;
      return s;
    }
    const m = /^[^,\]\s]+/.exec(text.slice(i));
    if (!m) throw new ProtocolError(130, 'CANNOT_READ_ARRAY_FROM_TEXT', `Cannot read array from text at position ${i}`);
    i += m[0].length;
    return m[0] === 'NULL' ? null : m[0];
  };
  const v = value();
  if (!Array.isArray(v)) throw new ProtocolError(130, 'CANNOT_READ_ARRAY_FROM_TEXT', 'Cannot read array from text');
  return v;
}

/** `{name:Type}` placeholders of a statement. */
function placeholderTypes(sql: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of sql.matchAll(/\{\s*([A-Za-z_]\w*)\s*:\s*([^}]+?)\s*\}/g)) out.set(m[1]!, m[2]!);
  return out;
}

/** Decode URL parameter values by the type their placeholder declares. */
export function bindParams(sql: string, raw: Record<string, string>): Record<string, ParamValue> {
  const types = placeholderTypes(sql);
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(raw)) {
    out[k] = /^Array\(/i.test(types.get(k) ?? '') ? parseArrayLiteral(v) : decodeParam(v);
  }
  return out;
}

export interface SplitParams {
  params: Record<string, string>;
  settings: Record<string, string>;
}

export function splitUrlParams(search: URLSearchParams): SplitParams {
  const params: Record<string, string> = {};
  const settings: Record<string, string> = {};
  for (const [k, v] of search) {
    if (k.startsWith('param_')) params[k.slice(6)] = v;
    else if (!PROTOCOL_PARAMS.has(k) && /^[a-z_][a-z0-9_]*$/.test(k)) settings[k] = v;
  }
  return { params, settings };
}

/** Strip leading comments, whitespace and parentheses; return the first keyword, upper-cased. */
export function statementKind(sql: string): string {
  const s = sql.replace(/^(\s|\(|--[^\n]*\n?|\/\*[\s\S]*?\*\/)+/, '');
  return (/^[A-Za-z]+/.exec(s)?.[0] ?? '').toUpperCase();
}

export function isReadOnlyKind(kind: string): boolean {
  return READ_KINDS.has(kind);
}

/** True when a `;` outside quotes and comments is followed by more SQL (the HTTP interface allows one statement). */
export function isMultiStatement(sql: string): boolean {
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== c) j += sql[j] === '\\' ? 2 : 1;
      i = j + 1;
    } else if (c === ';') {
      return (
        sql
          .slice(i + 1)
          .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '')
          .trim().length > 0
      );
    } else i++;
  }
  return false;
}

/** A setting's value as a literal of `SET`/`SETTINGS` (numbers bare, anything else quoted). */
export function settingLiteral(v: string): string {
  return /^-?\d+(\.\d+)?$/.test(v) ? v : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * For a read statement: make sure it names an output format (the request's default, as the
 * HTTP interface does), then append the request's settings as a trailing SETTINGS clause,
 * which ClickHouse applies after any SETTINGS of the query itself.
 */
export function withFormatAndSettings(sql: string, defaultFormat: string, settings: Record<string, string>): string {
  let s = sql.replace(/[\s;]+$/, '');
  const tail = /\bFORMAT\s+\w+(\s+SETTINGS\s+[\s\S]*)?$/i.exec(s);
  if (!tail) s += `\nFORMAT ${defaultFormat}`;
  const entries = Object.entries(settings).filter(([k]) => /^[a-z_][a-z0-9_]*$/.test(k));
  if (entries.length === 0) return s;
  const list = entries.map(([k, v]) => `${k} = ${settingLiteral(v)}`).join(', ');
  return tail?.[1] ? `${s}, ${list}` : `${s}\nSETTINGS ${list}`;
}

/** The format a read statement names, else the default. */
export function outputFormat(sql: string, defaultFormat: string): string {
  return /\bFORMAT\s+(\w+)(\s+SETTINGS\s+[\s\S]*)?[\s;]*$/i.exec(sql)?.[1] ?? defaultFormat;
}

/**
 * `INSERT INTO [TABLE] db.t [(a, b)] [SETTINGS …] FORMAT fmt` followed by data. Returns
 * undefined for inserts that carry no data (`INSERT … SELECT`, `VALUES`).
 */
export function parseInsert(sql: string, body: Buffer | undefined, settings: Record<string, string>): RawInsert | undefined {
  const m =
    /^\s*INSERT\s+INTO\s+(?:TABLE\s+)?([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)?)\s*(?:\(([^)]*)\))?\s*(?:SETTINGS\s+([\s\S]*?))?\s*FORMAT\s+(\w+)[ \t]*(?:\r?\n|$)/i.exec(
      sql,
    );
  if (!m) return undefined;
  const format = m[4] as RawInsert['format'];
  if (!INSERT_FORMATS.has(format)) {
    throw new ProtocolError(
      73,
      'UNKNOWN_FORMAT',
      `Insert format ${format} is not served by the local endpoint; use one of ${[...INSERT_FORMATS].join(', ')}`,
    );
  }
  const inline = sql.slice(m[0].length);
  const data = inline.trim() ? Buffer.concat([Buffer.from(inline), body ?? Buffer.alloc(0)]) : (body ?? Buffer.alloc(0));
  const own: Record<string, string | number> = {};
  for (const part of (m[3] ?? '').split(',')) {
    const kv = /^\s*([a-z_][a-z0-9_]*)\s*=\s*'?(.*?)'?\s*$/.exec(part);
    if (kv) own[kv[1]!] = kv[2]!;
  }
  const columns = m[2]
    ?.split(',')
    .map((c) => c.trim().replace(/^`|`$/g, ''))
    .filter(Boolean);
  return {
    table: m[1]!,
    format,
    body: data,
    ...(columns && columns.length > 0 ? { columns } : {}),
    settings: { ...settings, ...own },
  };
}
