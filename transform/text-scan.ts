// Character-level scanners for text-line.ts. They read the line in place by index: a text
// line is ~150 characters of which only the pairs' keys and values are kept, and on this
// engine a JS loop costs ~4 ns per character, a slice or a regexp call ~30-50 ns, while native
// indexOf skips ahead at memchr speed. So tokens are delimited with indexOf, and the per-
// character loops left run only over short keys. State is per line (parseTextLine is never
// re-entered), reset by startLine.
import { tryJson } from './limits.ts';

/** Whether `s` holds whitespace other than ' ' (then tokens cannot be cut with indexOf(' ')). */
export function hasOtherSpace(s: string): boolean {
  // Five native searches cost half of one regexp scan of the line for [\t\n\v\f\r].
  return s.indexOf('\t') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\v') >= 0 || s.indexOf('\f') >= 0;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

/** [A-Za-z0-9_.@-] by table: one load instead of a chain of range tests per character. */
const KEY_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  KEY_CHAR[c] =
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 64 || c === 45 ? 1 : 0;
}

/** End of the key characters at from (at most `to`). */
export function keyEnd(s: string, from: number, to: number): number {
  let i = from;
  for (; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || KEY_CHAR[c] === 0) break;
  }
  return i;
}

function digits(s: string, i: number, n: number): boolean {
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** `YYYY-MM-DD` at i (ASCII digits: what \d means in the regexps this replaces). */
export function dateAt(s: string, i: number): boolean {
  return s.charCodeAt(i + 4) === 45 && s.charCodeAt(i + 7) === 45 && digits(s, i, 4) && digits(s, i + 5, 2) && digits(s, i + 8, 2);
}

/** /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}/ on s[i, end). */
export function isoStartAt(s: string, i: number, end: number): boolean {
  if (end - i < 16) return false;
  const t = s.charCodeAt(i + 10);
  return (t === 84 || t === 116) && s.charCodeAt(i + 13) === 58 && dateAt(s, i) && digits(s, i + 11, 2) && digits(s, i + 14, 2);
}

/** Per-line scanner state, reset by `startLine` (parseTextLine is never re-entered). */
export const scan = {
  /** No whitespace but ' ' in the line: tokens then end at the next space, found by native indexOf. */
  onlySpaces: false,
  /** Spending limit of the jsonEnd calls of one line (see there). */
  budget: 0,
  /** Index of the next backslash at or after the last quoted value; -1: none; -2: not searched. */
  backslash: -2,
  /** Where the last `quoted` call stopped (after the closing quote). */
  quotedEnd: 0,
  /** Whether jsonToEnd was tried on this line, and where its value ended. */
  triedToEnd: false,
  jsonToEndAt: 0,
};

export function startLine(s: string): void {
  scan.onlySpaces = !hasOtherSpace(s);
  scan.budget = 4 * s.length + 64;
  scan.backslash = -2;
  scan.triedToEnd = false;
}

/**
 * End (exclusive) of the balanced JSON object/array at i, or -1 when it never closes. Scanning
 * spends from `scan.budget` (a few times the line length in all): a line of many unclosed `{`
 * would otherwise cost quadratic time.
 */
export function jsonEnd(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    if (--scan.budget < 0) return -1;
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

/** A double-quoted logfmt value starting at i (the quote); its end goes to scan.quotedEnd. */
export function quoted(s: string, i: number): string {
  const from = i + 1;
  const close = s.indexOf('"', from);
  if (scan.backslash === -2 || (scan.backslash >= 0 && scan.backslash < from)) scan.backslash = s.indexOf('\\', from);
  // Most quoted values hold no escape: then the value is one slice up to the next quote.
  if (close >= 0 && (scan.backslash < 0 || scan.backslash > close)) {
    scan.quotedEnd = close + 1;
    return s.slice(from, close);
  }
  let out = '';
  let j = from;
  let start = j;
  for (; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 92 && j + 1 < s.length) {
      out += s.slice(start, j);
      const e = s[j + 1];
      out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : (e ?? '');
      j++;
      start = j + 1;
    } else if (c === 34) {
      scan.quotedEnd = j + 1;
      return out + s.slice(start, j);
    }
  }
  scan.quotedEnd = s.length;
  return out + s.slice(start);
}

/** End of the whitespace-delimited token starting at i. */
export function tokenEnd(s: string, i: number): number {
  if (scan.onlySpaces) {
    const j = s.indexOf(' ', i);
    return j < 0 ? s.length : j;
  }
  while (i < s.length && !isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** The first non-whitespace index at or after i. */
export function skipSpace(s: string, i: number): number {
  if (scan.onlySpaces) {
    while (i < s.length && s.charCodeAt(i) === 32) i++;
    return i;
  }
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/**
 * The JSON value at i when it runs to the end of the line (`body={…}` last, or a tail object),
 * parsed without first finding its end by a character scan: when the rest of the line parses,
 * that scan would have stopped at the line's end too. `close` is the char code it must end
 * with. undefined: not that case, or it did not parse (the caller then scans as before). Tried
 * once per line, so a line of many `{` costs no more than one extra parse.
 */
export function jsonToEnd(s: string, i: number, close: number, maxDepth: number): unknown {
  if (scan.triedToEnd) return undefined;
  let end = s.length;
  while (end > i && isSpace(s.charCodeAt(end - 1))) end--;
  // The scan would spend at most end - i from the budget; if that could exhaust it, scan.
  if (s.charCodeAt(end - 1) !== close || end - i > scan.budget) return undefined;
  scan.triedToEnd = true;
  const v = tryJson(s.slice(i, end), maxDepth);
  if (v !== undefined) {
    scan.budget -= end - i;
    scan.jsonToEndAt = end;
  }
  return v;
}
