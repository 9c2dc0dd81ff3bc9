// What the Grafana ClickHouse plugin (grafana-clickhouse-datasource 4.x) does to a target's
// rawSql before ClickHouse sees it, reproduced so that tests and `faultline alerts check` run
// exactly the SQL Grafana would run. Three stages, in Grafana's order:
//   1. browser: `$__conditionalAll(cond, $var)` -> `1=1` when the variable is empty or All
//      (src/data/CHDatasource.ts applyConditionalAll; args are not trimmed);
//   2. browser: template variables (`$v`, `${v}`, `${v:fmt}`, `[[v]]`) via templateSrv, with the
//      plugin's default format: arrays -> `'a','b'`, single values unquoted;
//   3. backend: the macros of pkg/macros/macros.go on grafana/macropro (macro-engine.ts).
// Alert rules skip stages 1–2 (no dashboard variables) and use the rule's intervalMs.
import { intervalSeconds, interpolate } from './macro-engine.ts';

export { intervalSeconds };

export interface MacroContext {
  /** Range start/end in epoch ms (Grafana's time picker, or the alert's relativeTimeRange). */
  fromMs: number;
  toMs: number;
  /** Query interval in ms (panel: computed by Grafana from width; alert: model.intervalMs). */
  intervalMs: number;
  /**
   * Dashboard variables: a string for single-value ones, an array for multi-value ones.
   * `'$__all'` / `['$__all']` stands for "All".
   */
  variables?: Record<string, string | readonly string[]>;
}

const ALL = '$__all';

/** Stage 1: `$__conditionalAll(cond, $var)`, innermost-last as the plugin does (lastIndexOf). */
export function applyConditionalAll(sql: string, variables: Record<string, string | readonly string[]>): string {
  const macro = '$__conditionalAll(';
  let idx = sql.lastIndexOf(macro);
  while (idx !== -1) {
    const args = frontendMacroArgs(sql, idx + macro.length - 1);
    if (args.length !== 2) return sql;
    const [cond, ref] = args as [string, string];
    // CHDatasource.ts: `$name` or `${name}`; no variable named -> the condition stays.
    const name = /(?<=\$\{)\w+(?=\})|(?<=\$)\w+/.exec(ref.trim())?.[0];
    const v = name === undefined ? undefined : variables[name];
    const value = v === undefined ? undefined : String(v); // Array#toString joins with ','
    const phrase = value === '' || value === ALL ? '1=1' : cond;
    sql = sql.replace(`${macro}${cond},${ref})`, phrase);
    idx = sql.lastIndexOf(macro);
  }
  return sql;
}

/** The plugin's getMacroArgs: split on top-level commas, keep whitespace. */
function frontendMacroArgs(query: string, argsIndex: number): string[] {
  const args: string[] = [];
  const re = /\(|\)|,/g;
  let depth = 0;
  let last = 1;
  const sub = query.substring(argsIndex);
  for (let m = re.exec(sub); m !== null; m = re.exec(sub)) {
    if (m[0] === '(') depth++;
    else if (m[0] === ')') depth--;
    if (m[0] === ',' && depth === 1) {
      args.push(sub.substring(last, re.lastIndex - 1));
      last = re.lastIndex;
    }
    if (depth === 0) {
      args.push(sub.substring(last, re.lastIndex - 1));
      return args;
    }
  }
  return [];
}

// Grafana's templateSrv variable regex (public/app/features/variables/utils.ts).
const VARIABLE_RE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

/** encodeURIComponent plus !'()* — Grafana's `percentencode` format. */
function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function formatValue(value: string | readonly string[], fmt: string | undefined): string {
  const list = typeof value === 'string' ? [value] : value;
  switch (fmt) {
    case undefined:
      // The plugin's own format function: arrays quoted, single values as they are.
      return typeof value === 'string' ? value : `'${value.join("','")}'`;
    case 'raw':
      return list.join(',');
    case 'csv':
      return list.join(',');
    case 'singlequote':
      return list.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(',');
    case 'sqlstring':
      return list.map((v) => `'${v.replace(/'/g, "''")}'`).join(',');
    case 'percentencode':
      return typeof value === 'string' ? percentEncode(value) : percentEncode(`{${value.join(',')}}`);
    default:
      throw new Error(`variable format :${fmt} is not reproduced by the macro expander`);
  }
}

/** Stage 2: template variables. Unknown names (e.g. `$__timeFilter`) are left alone, as Grafana does. */
export function applyVariables(sql: string, variables: Record<string, string | readonly string[]>): string {
  return sql.replace(VARIABLE_RE, (match, a?: string, b?: string, bFmt?: string, c?: string, _field?: string, cFmt?: string) => {
    const name = a ?? b ?? c;
    const fmt = bFmt ?? cFmt;
    if (name === undefined || !(name in variables)) return match;
    const value = variables[name]!;
    if (value === ALL || (Array.isArray(value) && value.includes(ALL))) {
      // Grafana would expand All to every option; our panels only use multi-value variables
      // inside $__conditionalAll, where All has already become 1=1.
      throw new Error(`variable $${name} is All outside $__conditionalAll: the expander does not know its options`);
    }
    return formatValue(value, fmt);
  });
}

/** Stage 3: the backend macros (macro-engine.ts). */
export function applyMacros(sql: string, ctx: MacroContext): string {
  return interpolate(sql, ctx);
}

/**
 * The SQL ClickHouse receives for a dashboard target (all three stages) or, without
 * `variables`, for an alert query. Throws when a `$__` macro is left unexpanded, so a typo
 * in a panel fails the tests instead of failing in Grafana.
 */
export function expandQuery(rawSql: string, ctx: MacroContext): string {
  const vars = ctx.variables ?? {};
  let sql = applyConditionalAll(rawSql, vars);
  sql = applyVariables(sql, vars);
  sql = applyMacros(sql, ctx);
  const left = /\$__\w+/.exec(sql) ?? /\$\{?\w+/.exec(sql);
  if (left) throw new Error(`unexpanded ${left[0]} in query: ${sql}`);
  return sql;
}
