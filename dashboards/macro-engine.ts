// The backend half of the ClickHouse plugin's macro expansion (grafana-clickhouse-datasource
// 4.20.0 pkg/macros/macros.go on grafana/macropro v1.0.1), reproduced so that `alerts check`,
// the preview and the tests run the SQL Grafana would send:
//   1. comments (`--` to the end of the line, `/* */`, an unterminated one to the end) become
//      spaces of the same length, outside string literals ('…' and "…", doubled-quote and,
//      ClickHouse's, backslash escapes), so a macro inside a comment is never expanded;
//   2. macro names are tried longest first (`$__timeFilter_ms` before `$__timeFilter`); a name
//      followed by a name character is another name; an argument list is a `(` right after
//      the name up to its balanced `)` (quotes respected); arguments split on top-level commas
//      (not inside parentheses or quotes) and are trimmed; every occurrence is replaced.
//      A macro inside another's arguments is expanded by its own pass, before or after.
// An unknown `$__name` is left as it is; a handler error fails the whole query.

export interface EngineContext {
  fromMs: number;
  toMs: number;
  intervalMs: number;
  /** `$__table` / `$__column` (the query builder's; empty for SQL-editor targets). */
  table?: string;
  column?: string;
}

type MacroFn = (ctx: EngineContext, args: string[]) => string;

const toDateTime = (ms: number) => `toDateTime(${Math.floor(ms / 1000)})`;
const toDateTime64 = (ms: number) => `fromUnixTimestamp64Milli(${Math.trunc(ms)})`;
const toDate = (ms: number) => `toDate('${new Date(ms).toISOString().slice(0, 10)}')`;

function arity(name: string, args: string[], want: number): void {
  if (args.length !== want) throw new Error(`$__${name} expected ${want} argument(s), received ${args.length}`);
}
/** macros.go: int(math.Max(interval.Seconds(), 1)). */
export const intervalSeconds = (c: { intervalMs: number }) => Math.trunc(Math.max(c.intervalMs / 1000, 1));

/** Go's time.ParseDuration for the units SQL macros see (h, m, s, ms, us, µs, ns; fractions). */
function parseGoDuration(s: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:h|ms|m|s|us|µs|ns))+$/.exec(s);
  if (!m) throw new Error(`invalid duration ${JSON.stringify(s)}`);
  let ms = 0;
  for (const part of s.replace(/^[+-]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/g)) {
    ms += Number(part[1]) * units[part[2]!]!;
  }
  return m[1] === '-' ? -ms : ms;
}

/** macropro FormatDuration: the largest whole unit (2h, 5m, 30s), else milliseconds. */
function formatDuration(ms: number): string {
  const d = Math.abs(Math.trunc(ms));
  if (d === 0) return '0s';
  if (d % 3_600_000 === 0) return `${d / 3_600_000}h`;
  if (d % 60_000 === 0) return `${d / 60_000}m`;
  if (d % 1000 === 0) return `${d / 1000}s`;
  return `${d}ms`;
}

const filter = (col: string, lo: string, hi: string) => `${col} >= ${lo} AND ${col} <= ${hi}`;

/** macropro.DefaultMacros merged with the ClickHouse overrides of macros.go (ClickHouseMacros). */
const MACROS: Record<string, MacroFn> = {
  interval: (c) => formatDuration(c.intervalMs),
  interval_ms: (c) => String(Math.trunc(c.intervalMs)),
  table: (c) => {
    if (!c.table) throw new Error('$__table: no table name in query context');
    return c.table;
  },
  column: (c) => {
    if (!c.column) throw new Error('$__column: no column name in query context');
    return c.column;
  },
  timeFilter: (c, a) => {
    arity('timeFilter', a, 1);
    return filter(a[0]!, toDateTime(c.fromMs), toDateTime(c.toMs));
  },
  timeFrom: (c, a) => {
    arity('timeFrom', a, 1);
    return `${a[0]} >= ${toDateTime(c.fromMs)}`;
  },
  timeTo: (c, a) => {
    arity('timeTo', a, 1);
    return `${a[0]} <= ${toDateTime(c.toMs)}`;
  },
  timeGroup: (_c, a) => {
    arity('timeGroup', a, 2);
    const period = a[1]!.trim().replace(/^['"]+|['"]+$/g, '');
    const secs = Math.round(parseGoDuration(period) / 1000);
    if (secs <= 0) throw new Error(`$__timeGroup: interval must be positive, got ${JSON.stringify(period)}`);
    return `toStartOfInterval(toDateTime(${a[0]!.trim()}), INTERVAL ${secs} second)`;
  },
  fromTime: (c) => toDateTime(c.fromMs),
  toTime: (c) => toDateTime(c.toMs),
  fromTime_ms: (c) => toDateTime64(c.fromMs),
  toTime_ms: (c) => toDateTime64(c.toMs),
  timeFilter_ms: (c, a) => {
    arity('timeFilter_ms', a, 1);
    return filter(a[0]!, toDateTime64(c.fromMs), toDateTime64(c.toMs));
  },
  dateFilter: (c, a) => {
    arity('dateFilter', a, 1);
    return filter(a[0]!, toDate(c.fromMs), toDate(c.toMs));
  },
  dateTimeFilter: (c, a) => dateTime('dateTimeFilter', c, a),
  dt: (c, a) => dateTime('dateTimeFilter', c, a),
  timeInterval: (c, a) => {
    arity('timeInterval', a, 1);
    return `toStartOfInterval(toDateTime(${a[0]}), INTERVAL ${intervalSeconds(c)} second)`;
  },
  timeInterval_ms: (c, a) => {
    arity('timeInterval_ms', a, 1);
    return `toStartOfInterval(toDateTime64(${a[0]}, 3), INTERVAL ${Math.trunc(Math.max(c.intervalMs, 1))} millisecond)`;
  },
  interval_s: (c) => String(intervalSeconds(c)),
};

function dateTime(name: string, c: EngineContext, a: string[]): string {
  arity(name, a, 2);
  return `(${filter(a[0]!, toDate(c.fromMs), toDate(c.toMs))}) AND (${filter(a[1]!, toDateTime(c.fromMs), toDateTime(c.toMs))})`;
}

/** Longest first, then alphabetical (macropro's order). */
const NAMES = Object.keys(MACROS).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));

/** Index just past the string literal opening at `pos` (doubled quotes and backslash escapes). */
function endOfLiteral(s: string, pos: number): number {
  const q = s[pos];
  let j = pos + 1;
  while (j < s.length) {
    if (s[j] === '\\') j += 2;
    else if (s[j] === q) {
      if (s[j + 1] === q) j += 2;
      else return j + 1;
    } else j++;
  }
  return s.length;
}

function stripComments(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const j = endOfLiteral(sql, i);
      out += sql.slice(i, j);
      i = j;
    } else if (c === '-' && sql[i + 1] === '-') {
      let j = i;
      while (j < sql.length && sql[j] !== '\n' && sql[j] !== '\r') j++;
      out += ' '.repeat(j - i);
      i = j;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      const j = close < 0 ? sql.length : close + 2;
      out += ' '.repeat(j - i);
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Index of the `)` closing the `(` at `open`, or -1 when unbalanced. */
function closingParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; ) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      i = endOfLiteral(s, i);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
    i++;
  }
  return -1;
}

function splitArgs(raw: string): string[] {
  raw = raw.trim();
  if (raw === '') return [];
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < raw.length; ) {
    const c = raw[i]!;
    if (c === "'" || c === '"') {
      i = endOfLiteral(raw, i);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) throw new Error(`unexpected ')' at position ${i}`);
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(raw.slice(start, i).trim());
      start = i + 1;
    }
    i++;
  }
  if (depth !== 0) throw new Error('unbalanced parentheses in arguments');
  args.push(raw.slice(start).trim());
  return args;
}

const isNameChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

/** Stage 3 of macros.ts: the backend's Interpolate. */
export function interpolate(sql: string, ctx: EngineContext): string {
  let result = stripComments(sql);
  for (const name of NAMES) {
    const token = `$__${name}`;
    let out = '';
    let s = result;
    for (;;) {
      const idx = s.indexOf(token);
      if (idx < 0) break;
      const after = idx + token.length;
      if (isNameChar(s[after])) {
        out += s.slice(0, after);
        s = s.slice(after);
        continue;
      }
      out += s.slice(0, idx);
      s = s.slice(after);
      let raw = '';
      if (s[0] === '(') {
        const end = closingParen(s, 0);
        if (end >= 0) {
          raw = s.slice(1, end);
          s = s.slice(end + 1);
        }
      }
      const args = splitArgs(raw);
      try {
        out += MACROS[name]!(ctx, args);
      } catch (err) {
        throw new Error(`macro ${token}(${args.join(', ')}): ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    result = out + s;
  }
  return result;
}
