// Secrets never stored (docs/secrets.md): values under secret-named keys anywhere in a record
// (objects, Taobao `args` key/value lists, header pairs, logfmt pairs, key: value text, query
// strings and form bodies, §1), `Bearer`/`Basic` credentials and the shapes of §2 in any text
// become `[REDACTED]`, or `[REDACTED:<fp>]` for API keys and bearer tokens (§4), before
// anything is stored or printed.
import { PLAIN, REDACTED, REDACTED_PREFIX, type RedactOptions } from './redact-options.ts';
import { API_KEY, isHeaderLineKey, NOT_SECRET, secretClass, type SecretClass } from './secret-names.ts';
import { escapedRunSecret, HINT_KEYS, HINT_SCHEME, HINT_SHAPES, hintsSecret } from './secret-scan.ts';
import { redactShapes, shapeAt } from './secret-shapes.ts';
import { maskPii } from './redact-pii.ts';

export { REDACTED, PLAIN, redactOptions, type RedactOptions } from './redact-options.ts';
export { isSecretKey, mayHoldSecret } from './secret-scan.ts';
export { redactPairs, redactParsed, redactValue } from './redact-value.ts';

// `Bearer` or `Basic` + a token of 8+ characters of [A-Za-z0-9._~+/=-] (§2). Also as a reader
// of the text's escapes would see it (secret-scan.ts): `Be\arer`, `Bearer\tTOKEN`, `abc\-def`
// in a quoted logfmt value. `\n`, `\t`, `\r` end a token; case-sensitive classes, as an /i
// flag would fold `\N` (kept as `N` by logfmt) into the excluded `\n`.
const spelled = (w: string): string => [...w].map((c) => `[${c.toUpperCase()}${c}]`).join('\\\\*');
const SCHEME_CREDENTIAL = new RegExp(
  `((?:${spelled('bearer')}|${spelled('basic')})(?:\\s|\\\\[tnr]|%20)+)(?:[A-Za-z0-9._~+/=-]|\\\\[A-Za-mo-qsu-z0-9._~+/=-]){8,}`,
  'g',
);
// A key followed by `=` or `:` (logfmt, headers, JSON text, escaped JSON text, query strings,
// form bodies; percent-encoded `%3D`/`%3A` in a URL nested in a query string), or a quoted name
// followed by `,` and maybe `"value":` (pair lists like `["Cookie","…"]` and Taobao
// `{"key":"sign","value":…}` in JSON text that did not parse).
// A key run may hold escapes (`boom\nsign=`, `pa\ssword=`): escapedRunSecret reads them.
// The lookbehind pins a key to the start of its run: without it a long run of key characters
// costs quadratic backtracking.
const KEY_SEP =
  /(?<![A-Za-z0-9_.\\-])((?:[A-Za-z0-9_.-]|\\[\\A-Za-z0-9_.-])+)(\\?["']?)[ \t]*(?:[=:]|%3[DdAa]|,[ \t]*(?:\\?"(?:value|val|v)\\?"[ \t]*:)?)[ \t]*/g;
const UNICODE_ESCAPE = /\\u([0-9a-fA-F]{4})/g;
const SCHEME = /^(?:Basic|Bearer|Digest|Token|Negotiate)(?:\s|%20)+/i;

/**
 * A scheme's token is a credential (§2) when it has 8+ characters (the regexp's floor) and a
 * digit or 20+ characters, and is no placeholder (one character repeated) nor a `key=value`
 * pair: "Missing Bearer credentials" is prose.
 */
function isCredential(tok: string): boolean {
  let digit = false;
  let same = true;
  let pad = false;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c >= 48 && c <= 57) digit = true;
    if (c !== tok.charCodeAt(0)) same = false;
    // `=` is base64 padding, at the end only: `bearer status=502` is a pair after the word.
    if (c === 61) pad = true;
    else if (pad) return false;
  }
  return !same && (digit || tok.length >= 20);
}

/** Redact every secret in free text: secret keys' values, Bearer/Basic credentials, shapes (§1, §2). */
export function redactText(s: string, o: RedactOptions = PLAIN): string {
  const hints = hintsSecret(s);
  if (hints === 0) return o.pii ? maskPii(s, o.cards) : s;
  // `\u0073ign` is `sign` to any JSON reader: decode such escapes so the key is seen.
  let t = s.includes('\\u') ? s.replace(UNICODE_ESCAPE, (_m, h: string) => String.fromCharCode(parseInt(h, 16))) : s;
  if ((hints & HINT_KEYS) !== 0) t = redactKeys(t, o);
  if ((hints & HINT_SCHEME) !== 0) {
    t = t.replace(SCHEME_CREDENTIAL, (m: string, pre: string) => {
      const tok = m.slice(pre.length);
      if (!isCredential(tok)) return m;
      // Bearer tokens are fingerprinted (§4); Basic holds a password.
      return pre + (/^b\\*e/i.test(pre) ? o.fp(tok) : REDACTED);
    });
  }
  if ((hints & HINT_SHAPES) !== 0) t = redactShapes(t, o.fp);
  return o.pii ? maskPii(t, o.cards) : t;
}

/** The values of secret keys in text (§1). */
function redactKeys(t: string, o: RedactOptions): string {
  let out = '';
  let last = 0;
  KEY_SEP.lastIndex = 0;
  for (let m = KEY_SEP.exec(t); m !== null; m = KEY_SEP.exec(t)) {
    const key = m[1] ?? '';
    const name = key.includes('\\') ? escapedRunSecret(key, true) : secretClass(key) !== NOT_SECRET ? key : '';
    if (name === '') continue;
    const sep = m[0];
    // The `,` form only counts for a quoted name in a pair list (`["Cookie","…"]`, `"sign","value":`):
    // `sign, then` in prose is no pair, nor is `"isv.invalid-signature","sub_msg"`.
    if (sep.includes(',') && !sep.includes(':')) {
      if ((m[2] ?? '') === '') continue;
      const open = m.index - (m[2] === '\\"' ? 2 : 1);
      if (t.charCodeAt(open - 1) !== 91 && !(t.charCodeAt(open - 1) === 92 && t.charCodeAt(open - 2) === 91)) continue;
    }
    const start = m.index + sep.length;
    const cls = secretClass(name);
    const toEol = isHeaderLineKey(name) && (sep.includes(':') || /cookie|authori[sz]ation/i.test(name));
    const v = valueEnd(t, start, cls === NOT_SECRET ? 1 : cls, toEol, o);
    if (v === undefined) continue;
    out += t.slice(last, start) + v[1];
    last = v[0];
    KEY_SEP.lastIndex = Math.max(v[0], start + 1);
  }
  return last === 0 ? t : out + t.slice(last);
}

/** The replacement of a secret value: a fingerprint for an API key, a bearer token or a token format (§4). */
export function replacement(value: string, cls: SecretClass, o: RedactOptions): string {
  const scheme = SCHEME.exec(value);
  if (scheme !== null) return /^bearer/i.test(scheme[0]) ? o.fp(value.slice(scheme[0].length)) : REDACTED;
  if (cls === API_KEY) return o.fp(value);
  // A well-known token format under any secret key is fingerprinted too (§4); only when a
  // key is there to make a fingerprint.
  const h = o.fp !== PLAIN.fp && value.length >= 8 ? shapeAt(value, 0) : undefined;
  return h?.fp && h.from === 0 && h.to === value.length ? o.fp(value) : REDACTED;
}

/**
 * Where the value starting at `i` ends, and what replaces it (keeping its quoting); undefined
 * when it is already redacted.
 */
function valueEnd(s: string, i: number, cls: SecretClass, toEol: boolean, o: RedactOptions): [number, string] | undefined {
  if (s.startsWith(REDACTED_PREFIX, i)) return undefined;
  const c = s[i];
  if (c === '"') {
    const e = closeQuote(s, i + 1, '"');
    return [e, `"${replacement(s.slice(i + 1, e - 1), cls, o)}"`];
  }
  if (c === "'") {
    const e = closeQuote(s, i + 1, "'");
    return [e, `'${replacement(s.slice(i + 1, e - 1), cls, o)}'`];
  }
  if (c === '\\' && s[i + 1] === '"') {
    const j = s.indexOf('\\"', i + 2);
    return [j < 0 ? s.length : j + 2, `\\"${replacement(s.slice(i + 2, j < 0 ? s.length : j), cls, o)}\\"`];
  }
  if (c === '{' || c === '[') return [balancedEnd(s, i), `"${REDACTED}"`];
  let j = i;
  const scheme = SCHEME.exec(s.slice(i, i + 16));
  if (scheme) j += scheme[0].length;
  if (s.startsWith(REDACTED_PREFIX, j)) return undefined;
  for (; j < s.length; j++) {
    const d = s.charCodeAt(j);
    if (d === 10 || d === 13 || d === 34) break; // \n \r "
    // A header line ends at an escaped CR or LF too (`\r\n` inside a one-line record, §2).
    if (d === 92 && (s.charCodeAt(j + 1) === 114 || s.charCodeAt(j + 1) === 110)) break;
    if (toEol) continue;
    // whitespace , ; & } ] ' < > )
    if (d <= 32 || d === 44 || d === 59 || d === 38 || d === 125 || d === 93 || d === 39 || d === 60 || d === 62 || d === 41) break;
  }
  return [j, replacement(s.slice(i, j), cls, o)];
}
function closeQuote(s: string, i: number, q: string): number {
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '\\') j++;
    else if (c === q) return j + 1;
  }
  return s.length;
}

/** End of a JSON-ish object/array starting at `i` (strings respected), or the end of the text. */
function balancedEnd(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '"') j = closeQuote(s, j + 1, '"') - 1;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return s.length;
}
