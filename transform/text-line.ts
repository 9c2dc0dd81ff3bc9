// Text log lines (docs/event-model.md §1): an optional leading timestamp (ISO-8601 or the two-token
// `YYYY-MM-DD HH:mm:ss[.SSS]`, never a bare number), an optional level word, free words,
// logfmt pairs (values may be double-quoted) and possibly a JSON object after `key=` or at the
// end of the line. One left-to-right scan, no backtracking regexes.
import type { Obj } from './keys.ts';
import { dateAt, isoStartAt, jsonEnd, jsonToEnd, keyEnd, quoted, scan, skipSpace, startLine, tokenEnd } from './text-scan.ts';
import { tryJson } from './limits.ts';

/** A JSON value found in the line, with where it sat (for re-serializing `raw` redacted). */
interface JsonSpan {
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
  /** The line starts with a key=value pair (logfmt), not a timestamp, level or word (docs/real-inputs.md §4 `format`). */
  logfmt: boolean;
}

const LEVELS = new Set(['TRACE', 'DEBUG', 'INFO', 'NOTICE', 'WARN', 'WARNING', 'ERROR', 'ERR', 'FATAL', 'CRIT', 'CRITICAL', 'PANIC']);
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
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

/** `(req_1),` -> `req_1`: one opening bracket, trailing `,;:.)]`. */
function trimPunctuation(word: string): string {
  let end = word.length;
  while (end > 0 && ',;:.)]'.includes(word[end - 1] ?? '')) end--;
  const start = word[0] === '(' || word[0] === '[' ? 1 : 0;
  return word.slice(start, Math.max(start, end));
}

/** A key's bit in Pairs.seen: from its length and first character, both read without hashing. */
function keyBit(key: string): number {
  return 1 << ((key.length * 7 + key.charCodeAt(0)) & 31);
}

/** A line's pairs: first of a key wins; a Set takes over the duplicate check on long lines. */
class Pairs {
  readonly keys: string[] = [];
  readonly values: unknown[] = [];
  private index: Set<string> | undefined;
  /**
   * Bits of the keys added (keyBit): a new key, whose bit is mostly unset, then needs no
   * string comparison with each earlier key.
   */
  private seen = 0;

  has(key: string): boolean {
    if (this.index !== undefined) return this.index.has(key);
    if ((this.seen & keyBit(key)) === 0) return false;
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
    this.seen |= keyBit(key);
    if (this.index !== undefined) this.index.add(key);
    else if (this.keys.length > 16) this.index = new Set(this.keys);
  }
}

/** The pairs as a plain object (a `__proto__` key never gets here). */
function pairsObject(keys: readonly string[], values: readonly unknown[]): Obj {
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
    readonly logfmt: boolean,
  ) {}

  get fields(): Obj {
    this.obj ??= pairsObject(this.keys, this.values);
    return this.obj;
  }
}

/** Whether the level word at s[from, to) can be one of LEVELS (an ASCII first letter must start one). */
function mayBeLevel(s: string, from: number, to: number): boolean {
  if (to - from > 8 || to === from) return false;
  const c = s.charCodeAt(from) | 32;
  // Non-ASCII letters can upper-case to ASCII ones (`ı` -> `I`): those take the full check.
  return c >= 128 || c === 116 || c === 100 || c === 105 || c === 110 || c === 119 || c === 101 || c === 102 || c === 99 || c === 112;
}

/** Whether s[from, to) can be one of METHODS (length and first letter). */
function mayBeMethod(s: string, from: number, to: number): boolean {
  const n = to - from;
  if (n < 3 || n > 7) return false;
  const c = s.charCodeAt(from);
  return c === 71 || c === 80 || c === 68 || c === 72 || c === 79;
}

/** Whether a `req_` starts at word position 0 or 1 of the word at i. */
function reqAt(s: string, i: number): boolean {
  return (s.charCodeAt(i) === 114 && s.startsWith('req_', i)) || (s.charCodeAt(i + 1) === 114 && s.startsWith('req_', i + 1));
}

export function parseTextLine(s: string, maxDepth: number): TextRecord {
  startLine(s);
  const fields = new Pairs();
  const spans: JsonSpan[] = [];
  let tail: Obj | undefined;
  let reqToken = '';
  let pairs = 0;
  let leadingTime = false;
  let proseStatus = '';

  let i = skipSpace(s, 0);
  // Leading timestamp, possibly in brackets.
  let t0 = i;
  if (s.charCodeAt(t0) === 91) t0++;
  let e = tokenEnd(s, t0);
  const tokEnd = s.charCodeAt(e - 1) === 93 ? e - 1 : e;
  if (isoStartAt(s, t0, tokEnd)) {
    let ts = s.slice(t0, tokEnd);
    leadingTime = true;
    i = skipSpace(s, e);
    const e2 = tokenEnd(s, i);
    if (offsetAt(s, i, e2)) {
      ts += s.slice(i, e2);
      i = skipSpace(s, e2);
    }
    fields.add('ts', ts);
  } else if (tokEnd - t0 === 10 && dateAt(s, t0)) {
    const j = skipSpace(s, e);
    const e2 = tokenEnd(s, j);
    let clock = s.slice(j, s.charCodeAt(e2 - 1) === 93 ? e2 - 1 : e2);
    if (CLOCK.test(clock)) {
      leadingTime = true;
      i = skipSpace(s, e2);
      const e3 = tokenEnd(s, i);
      if (offsetAt(s, i, e3)) {
        clock += s.slice(i, e3);
        i = skipSpace(s, e3);
      }
      fields.add('ts', `${s.slice(t0, tokEnd)} ${clock}`);
    }
  }
  // Level word: `[ERROR]`, `ERROR:` -> `ERROR` (one leading `[`, one trailing `]` or `:`).
  e = tokenEnd(s, i);
  const ls = e > i && s.charCodeAt(i) === 91 ? i + 1 : i;
  const last = s.charCodeAt(e - 1);
  const le = e > ls && (last === 93 || last === 58) ? e - 1 : e;
  if (mayBeLevel(s, ls, le)) {
    const w = s.slice(ls, le);
    if (LEVELS.has(w) || LEVELS.has(w.toUpperCase())) {
      fields.add('level', w);
      i = skipSpace(s, e);
    }
  }

  const firstToken = leadingTime || fields.has('level') ? -1 : i;
  let logfmt = false;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 123) {
      // A JSON object: taken when it closes the line.
      const v = jsonToEnd(s, i, 125, maxDepth);
      if (v !== undefined) {
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
          tail = v as Obj;
          spans.push({ key: '', start: i, end: scan.jsonToEndAt, value: v });
        }
        break;
      }
      const end = jsonEnd(s, i);
      if (end > 0 && skipSpace(s, end) === s.length) {
        const v = tryJson(s.slice(i, end), maxDepth);
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
          tail = v as Obj;
          spans.push({ key: '', start: i, end, value: v });
        }
        break;
      }
    }
    // key=value: key characters up to a '='.
    const eq = keyEnd(s, i, s.length);
    if (eq > i && s.charCodeAt(eq) === 61) {
      const key = s.slice(i, eq);
      let j = eq + 1;
      let value: unknown;
      const vc = s.charCodeAt(j);
      if (vc === 34) {
        value = quoted(s, j);
        j = scan.quotedEnd;
      } else if (vc === 123 || vc === 91) {
        let parsed = jsonToEnd(s, j, vc + 2, maxDepth); // the closer: `}` is `{` + 2, `]` is `[` + 2
        let end = scan.jsonToEndAt;
        if (parsed === undefined) {
          end = jsonEnd(s, j);
          parsed = end > 0 ? tryJson(s.slice(j, end), maxDepth) : undefined;
        }
        if (parsed !== undefined) {
          spans.push({ key, start: j, end, value: parsed });
          value = parsed;
          j = end;
        } else {
          j = tokenEnd(s, j);
          value = s.slice(eq + 1, j);
        }
      } else {
        // The value runs to the end of the token.
        j = tokenEnd(s, j);
        value = s.slice(eq + 1, j);
      }
      fields.add(key, value);
      if (i === firstToken) logfmt = true;
      pairs++;
      i = skipSpace(s, j);
      continue;
    }
    e = tokenEnd(s, i);
    // A request id token starts `req_`, after at most one opening bracket.
    if (reqToken === '' && e - i <= 200 && reqAt(s, i)) {
      const w = trimPunctuation(s.slice(i, e));
      if (REQ.test(w)) reqToken = w;
    }
    // Prose like `failed with HTTP 502`: the status when no status= pair says otherwise.
    if (e - i === 4 && c === 72 && proseStatus === '' && s.startsWith('HTTP', i)) {
      const j = skipSpace(s, e);
      const se = tokenEnd(s, j);
      const num = trimPunctuation(s.slice(j, se));
      if (/^[1-5]\d\d$/.test(num)) proseStatus = num;
    }
    if (mayBeMethod(s, i, e)) {
      const word = s.slice(i, e);
      if (METHODS.has(word) && !fields.has('method')) {
        const j = skipSpace(s, e);
        if (s.charCodeAt(j) === 47) {
          const pe = tokenEnd(s, j);
          fields.add('method', word);
          // A `route=` pair before it is overwritten (the prose route names the request).
          fields.set('route', s.slice(j, pe));
          i = skipSpace(s, pe);
          continue;
        }
      }
    }
    i = skipSpace(s, e);
  }
  if (proseStatus !== '') fields.add('status', proseStatus);
  return new Line(fields.keys, fields.values, tail, reqToken, spans, leadingTime || pairs > 0 || reqToken !== '', logfmt);
}
