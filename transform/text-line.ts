// Text log lines (event-model.md §1): an optional leading timestamp (ISO-8601 or the two-token
// `YYYY-MM-DD HH:mm:ss[.SSS]`, never a bare number), an optional level word, free words,
// logfmt pairs (values may be double-quoted) and possibly a JSON object after `key=` or at the
// end of the line. One left-to-right scan, no backtracking regexes.
import type { Obj } from './keys.ts';
import { jsonDepthExceeds, parseJson } from './limits.ts';

/** A JSON value found in the line, with where it sat (for re-serializing `raw` redacted). */
export interface JsonSpan {
  key: string;
  start: number;
  end: number;
  value: unknown;
}

export interface TextRecord {
  /**
   * logfmt pairs (strings, or parsed JSON for `key={…}`), plus `ts`, `level`, `method`, `route`,
   * in line order, the first of a repeated key only (`__proto__` never). Kept as two arrays:
   * an object keyed by text slices costs a string-table lookup per key on every line.
   */
  keys: string[];
  values: unknown[];
  /** The pairs as an object (built on first use; the normalizer reads the arrays). */
  readonly fields: Obj;
  /** A JSON object closing the line with no key of its own. */
  tail: Obj | undefined;
  /** The first bare `req_…` token. */
  reqToken: string;
  spans: JsonSpan[];
  /** Leading timestamp, key=value pair or request id: otherwise not a log line (§7). */
  recognisable: boolean;
}

const LEVELS = new Set(['TRACE', 'DEBUG', 'INFO', 'NOTICE', 'WARN', 'WARNING', 'ERROR', 'ERR', 'FATAL', 'CRIT', 'CRITICAL', 'PANIC']);
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const ISO_START = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const CLOCK = /^\d{2}:\d{2}(:\d{2}([.,]\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$/;
const OFFSET = /^([Zz]|UTC|GMT|[+-]\d{2}(:?\d{2})?)$/;
const REQ = /^req_[A-Za-z0-9_-]+$/;

/**
 * OFFSET.test(s.slice(i, e)), without the slice and the regexp call for the usual token
 * after a timestamp (the level word): an offset starts with Z, z, U, G, + or -.
 */
function offsetAt(s: string, i: number, e: number): boolean {
  const c = s.charCodeAt(i);
  return (c === 90 || c === 122 || c === 85 || c === 71 || c === 43 || c === 45) && OFFSET.test(s.slice(i, e));
}

/** [A-Za-z0-9_.@-] */
function isKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 64 || c === 45;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

// Whether the line being parsed has no whitespace but ' ' (set by parseTextLine, which is
// never re-entered): tokens then end at the next space, found by native indexOf.
let onlySpaces = false;
const OTHER_SPACE = /[\t\n\v\f\r]/;

/** End of the whitespace-delimited token starting at i. */
function tokenEnd(s: string, i: number): number {
  if (onlySpaces) {
    const j = s.indexOf(' ', i);
    return j < 0 ? s.length : j;
  }
  while (i < s.length && !isSpace(s.charCodeAt(i))) i++;
  return i;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/**
 * End (exclusive) of the balanced JSON object/array at i, or -1 when it never closes. Scanning
 * spends from `budget` (a few times the line length in all): a line of many unclosed `{`
 * would otherwise cost quadratic time.
 */
function jsonEnd(s: string, i: number, budget: { left: number }): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    if (--budget.left < 0) return -1;
    const c = s.charCodeAt(j);
    if (c === 34) {
      for (j++; j < s.length; j++) {
        const d = s.charCodeAt(j);
        if (d === 92) j++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      if (--depth === 0) return j + 1;
    }
  }
  return -1;
}

function tryJson(text: string, maxDepth: number): unknown {
  if (jsonDepthExceeds(text, maxDepth)) return undefined;
  try {
    return parseJson(text);
  } catch {
    return undefined;
  }
}

/** A double-quoted logfmt value starting at i (the quote): [value, end]. */
function quoted(s: string, i: number): [string, number] {
  let out = '';
  let j = i + 1;
  let from = j;
  for (; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 92 && j + 1 < s.length) {
      out += s.slice(from, j);
      const e = s[j + 1];
      out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : (e ?? '');
      j++;
      from = j + 1;
    } else if (c === 34) {
      return [out + s.slice(from, j), j + 1];
    }
  }
  return [out + s.slice(from), s.length];
}

/** `(req_1),` -> `req_1`: one opening bracket, trailing `,;:.)]`. */
function trimPunctuation(word: string): string {
  let end = word.length;
  while (end > 0 && ',;:.)]'.includes(word[end - 1] ?? '')) end--;
  const start = word[0] === '(' || word[0] === '[' ? 1 : 0;
  return word.slice(start, Math.max(start, end));
}

/** A line's pairs: first of a key wins; a Set takes over the duplicate check on long lines. */
class Pairs {
  readonly keys: string[] = [];
  readonly values: unknown[] = [];
  private index: Set<string> | undefined;

  has(key: string): boolean {
    if (this.index !== undefined) return this.index.has(key);
    const ks = this.keys;
    for (let i = 0; i < ks.length; i++) if (ks[i] === key) return true;
    return false;
  }

  /** Set `key`, replacing the value of an earlier one in its place. */
  set(key: string, value: unknown): void {
    const i = this.keys.indexOf(key);
    if (i < 0) this.add(key, value);
    else this.values[i] = value;
  }

  add(key: string, value: unknown): void {
    if (key === '__proto__' || this.has(key)) return;
    this.keys.push(key);
    this.values.push(value);
    if (this.index !== undefined) this.index.add(key);
    else if (this.keys.length > 16) this.index = new Set(this.keys);
  }
}

/** The pairs as a plain object (a `__proto__` key never gets here). */
export function pairsObject(keys: readonly string[], values: readonly unknown[]): Obj {
  const o: Obj = {};
  for (let i = 0; i < keys.length; i++) o[keys[i] as string] = values[i];
  return o;
}

class Line implements TextRecord {
  private obj: Obj | undefined;
  constructor(
    readonly keys: string[],
    readonly values: unknown[],
    readonly tail: Obj | undefined,
    readonly reqToken: string,
    readonly spans: JsonSpan[],
    readonly recognisable: boolean,
  ) {}

  get fields(): Obj {
    return (this.obj ??= pairsObject(this.keys, this.values));
  }
}

/** `[ERROR]`, `ERROR:` -> `ERROR` (one leading `[`, one trailing `]` or `:`). */
function levelWord(tok: string): string {
  const start = tok.charCodeAt(0) === 91 ? 1 : 0;
  const last = tok.charCodeAt(tok.length - 1);
  const end = tok.length > start && (last === 93 || last === 58) ? tok.length - 1 : tok.length;
  return start === 0 && end === tok.length ? tok : tok.slice(start, end);
}

export function parseTextLine(s: string, maxDepth: number): TextRecord {
  onlySpaces = !OTHER_SPACE.test(s);
  const fields = new Pairs();
  const spans: JsonSpan[] = [];
  let tail: Obj | undefined;
  let reqToken = '';
  let pairs = 0;
  let leadingTime = false;
  const budget = { left: 4 * s.length + 64 };
  let proseStatus = '';

  let i = skipSpace(s, 0);
  // Leading timestamp, possibly in brackets.
  let t0 = i;
  if (s[t0] === '[') t0++;
  let e = tokenEnd(s, t0);
  let tok = s.slice(t0, s[e - 1] === ']' ? e - 1 : e);
  if (ISO_START.test(tok)) {
    leadingTime = true;
    i = skipSpace(s, e);
    const e2 = tokenEnd(s, i);
    if (offsetAt(s, i, e2)) {
      tok += s.slice(i, e2);
      i = skipSpace(s, e2);
    }
    fields.add('ts', tok);
  } else if (DATE_ONLY.test(tok)) {
    const j = skipSpace(s, e);
    const e2 = tokenEnd(s, j);
    let clock = s.slice(j, s[e2 - 1] === ']' ? e2 - 1 : e2);
    if (CLOCK.test(clock)) {
      leadingTime = true;
      i = skipSpace(s, e2);
      const e3 = tokenEnd(s, i);
      if (offsetAt(s, i, e3)) {
        clock += s.slice(i, e3);
        i = skipSpace(s, e3);
      }
      fields.add('ts', `${tok} ${clock}`);
    }
  }
  // Level word.
  e = tokenEnd(s, i);
  tok = levelWord(s.slice(i, e));
  if (tok.length <= 8 && LEVELS.has(tok.toUpperCase())) {
    fields.add('level', tok);
    i = skipSpace(s, e);
  }

  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 123) {
      // A JSON object: taken when it closes the line.
      const end = jsonEnd(s, i, budget);
      if (end > 0 && skipSpace(s, end) === s.length) {
        const v = tryJson(s.slice(i, end), maxDepth);
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
          tail = v as Obj;
          spans.push({ key: '', start: i, end, value: v });
        }
        break;
      }
    }
    // key=value?
    let k = i;
    while (k < s.length && isKeyChar(s.charCodeAt(k))) k++;
    if (k > i && s[k] === '=') {
      const key = s.slice(i, k);
      let j = k + 1;
      let value: unknown;
      const vc = s.charCodeAt(j);
      if (vc === 34) {
        [value, j] = quoted(s, j);
      } else if (vc === 123 || vc === 91) {
        const end = jsonEnd(s, j, budget);
        const parsed = end > 0 ? tryJson(s.slice(j, end), maxDepth) : undefined;
        if (parsed !== undefined) {
          spans.push({ key, start: j, end, value: parsed });
          value = parsed;
          j = end;
        } else {
          const te = tokenEnd(s, j);
          value = s.slice(j, te);
          j = te;
        }
      } else {
        const te = tokenEnd(s, j);
        value = s.slice(j, te);
        j = te;
      }
      fields.add(key, value);
      pairs++;
      i = skipSpace(s, j);
      continue;
    }
    e = tokenEnd(s, i);
    const word = s.slice(i, e);
    if (reqToken === '') {
      // A request id token starts `req_`, after at most one opening bracket.
      if (word.length <= 200 && word.indexOf('req_') <= 1 && word.indexOf('req_') >= 0) {
        const w = trimPunctuation(word);
        if (REQ.test(w)) reqToken = w;
      }
    }
    // Prose like `failed with HTTP 502`: the status when no status= pair says otherwise.
    if (word === 'HTTP' && proseStatus === '') {
      const j = skipSpace(s, e);
      const se = tokenEnd(s, j);
      const num = trimPunctuation(s.slice(j, se));
      if (/^[1-5]\d\d$/.test(num)) proseStatus = num;
    }
    if (word.length >= 3 && word.length <= 7 && METHODS.has(word) && !fields.has('method')) {
      const j = skipSpace(s, e);
      const pe = tokenEnd(s, j);
      if (s[j] === '/') {
        fields.add('method', word);
        // A `route=` pair before it is overwritten (the prose route names the request).
        fields.set('route', s.slice(j, pe));
        i = skipSpace(s, pe);
        continue;
      }
    }
    i = skipSpace(s, e);
  }
  if (proseStatus !== '') fields.add('status', proseStatus);
  return new Line(fields.keys, fields.values, tail, reqToken, spans, leadingTime || pairs > 0 || reqToken !== '');
}
