// Secrets never stored (docs/secrets.md): values under secret-named keys anywhere in a record
// (objects, Taobao `args` key/value lists, header pairs, logfmt pairs, key: value text, query
// strings and form bodies, §1), `Bearer`/`Basic` credentials and the shapes of §2 in any text
// become `[REDACTED]`, or `[REDACTED:<fp>]` for API keys and bearer tokens (§4), before
// anything is stored or printed.
import { isObj, normKey, type Obj } from './keys.ts';
import { PLAIN, REDACTED, REDACTED_PREFIX, type RedactOptions } from './redact-options.ts';
import { API_KEY, isHeaderLineKey, NOT_SECRET, secretClass, type SecretClass } from './secret-names.ts';
import { escapedRunSecret, HINT_KEYS, HINT_SCHEME, HINT_SHAPES, hintsSecret } from './secret-scan.ts';
import { redactShapes, shapeAt } from './secret-shapes.ts';
import { isIdKey, maskPii } from './redact-pii.ts';

export { REDACTED, PLAIN, redactOptions, type RedactOptions } from './redact-options.ts';
export { isSecretKey, mayHoldSecret } from './secret-scan.ts';

// `Bearer` or `Basic` + a token of 8+ characters of [A-Za-z0-9._~+/=-] (§2). Also as a reader
// of the text's escapes would see it (secret-scan.ts): `Be\arer`, `Bearer\tTOKEN`, `abc\-def`
// in a quoted logfmt value. `\n`, `\t`, `\r` end a token; case-sensitive classes, as an /i
// flag would fold `\N` (kept as `N` by logfmt) into the excluded `\n`.
const spelled = (w: string): string => [...w].map((c) => `[${c.toUpperCase()}${c}]`).join('\\\\*');
const SCHEME_CREDENTIAL = new RegExp(`((?:${spelled('bearer')}|${spelled('basic')})(?:\\s|\\\\[tnr]|%20)+)(?:[A-Za-z0-9._~+/=-]|\\\\[A-Za-mo-qsu-z0-9._~+/=-]){8,}`, 'g');
// A key followed by `=` or `:` (logfmt, headers, JSON text, escaped JSON text, query strings,
// form bodies; percent-encoded `%3D`/`%3A` in a URL nested in a query string), or a quoted name followed by `,` and maybe `"value":` (pair lists like
// `["Cookie","…"]` and Taobao `{"key":"sign","value":…}` in JSON text that did not parse).
// A key run may hold escapes (`boom\nsign=`, `pa\ssword=`): escapedRunSecret reads them.
// The lookbehind pins a key to the start of its run: without it a long run of key characters
// costs quadratic backtracking.
const KEY_SEP = /(?<![A-Za-z0-9_.\\-])((?:[A-Za-z0-9_.-]|\\[\\A-Za-z0-9_.-])+)(\\?["']?)[ \t]*(?:[=:]|%3[DdAa]|,[ \t]*(?:\\?"(?:value|val|v)\\?"[ \t]*:)?)[ \t]*/g;
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
function replacement(value: string, cls: SecretClass, o: RedactOptions): string {
  const scheme = SCHEME.exec(value);
  if (scheme !== null) return /^bearer/i.test(scheme[0]) ? o.fp(value.slice(scheme[0].length)) : REDACTED;
  if (cls === API_KEY) return o.fp(value);
  // A well-known token format under any secret key is fingerprinted too (§4); only when a
  // key is there to make a fingerprint.
  const h = o.fp !== PLAIN.fp && value.length >= 8 ? shapeAt(value, 0) : undefined;
  return h !== undefined && h.fp && h.from === 0 && h.to === value.length ? o.fp(value) : REDACTED;
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

const PAIR_NAME = new Set(['key', 'name', 'k', 'header', 'field', 'param']);
const PAIR_VALUE = ['value', 'val', 'v', 'values'];

/** What redactValue needs to know about an object key; all of it depends on the key alone. */
interface KeyInfo {
  redacted: string;
  secret: SecretClass;
  pairName: boolean;
  pairValue: boolean;
  /** Names an id or a number: its value is no card number (§5). */
  idKey: boolean;
}

// Keys repeat across records: one cached lookup answers all four questions (instead of a
// normKey, a Set and a redaction lookup each). Bounded, like normKey's cache. A key is
// redacted without fingerprints (a key holding a credential is rare, and the cache is shared).
const keyInfoCache = new Map<string, KeyInfo>();
function keyInfo(k: string): KeyInfo {
  const hit = keyInfoCache.get(k);
  if (hit !== undefined) return hit;
  const n = normKey(k);
  const info: KeyInfo = { redacted: redactText(k), secret: secretClass(k), pairName: PAIR_NAME.has(n), pairValue: PAIR_VALUE.includes(n), idKey: isIdKey(k) };
  if (keyInfoCache.size >= 20_000) keyInfoCache.clear();
  if (k.length <= 64) keyInfoCache.set(k, info);
  return info;
}

/** The class of the secret the entry `k: val` names in a name/value pair (`{"key":"sign","value":…}`). */
function namesSecret(k: string, val: unknown): SecretClass {
  return typeof val === 'string' && keyInfo(k).pairName ? secretClass(val) : NOT_SECRET;
}

/**
 * The stored form of a value under a secret key: a fingerprint for a string that is an API key
 * or bearer credential, `[REDACTED]` for anything else; a string already redacted (a body
 * decoded from redacted text) stays as it is.
 */
function secretValue(v: unknown, cls: SecretClass, o: RedactOptions): unknown {
  if (typeof v !== 'string') return REDACTED;
  if (v.startsWith(REDACTED_PREFIX)) return v;
  return replacement(v, cls, o);
}

/**
 * The strings that redactText may change, when known: the decoded strings holding the record
 * text's stem hits (secret-scan.ts hitStrings). A string not among them is kept without the
 * hint scan. undefined: any string may change.
 */
type MayChange = readonly string[] | undefined;

function mayChange(strings: MayChange, s: string): boolean {
  if (strings === undefined) return true;
  for (const h of strings) if (h.length === s.length && h === s) return true;
  return false;
}

/** The stored value of one entry of an object (or of a text line's pairs). */
function redactedEntry(info: KeyInfo, val: unknown, pairSecret: SecretClass, strings: MayChange, o: RedactOptions): unknown {
  if (info.secret !== NOT_SECRET) return secretValue(val, info.secret, o);
  if (pairSecret !== NOT_SECRET && info.pairValue) return secretValue(val, pairSecret, o);
  return redactIn(val, strings, info.idKey ? o.idValue : o);
}

/**
 * A redacted deep copy of a parsed JSON value. Besides secret keys, catches name/value lists
 * (Taobao `args.arg[]` = `{"key":"sign","value":…}`, header lists `[["Cookie","…"]]`).
 * Copies are plain objects (fast property access downstream); a `__proto__` key stays data.
 * `strings`: the only strings redactText may change, when the value was parsed from text
 * whose stem hits are known (hitStrings); others are copied without a scan.
 */
export function redactValue(v: unknown, strings?: readonly string[], o: RedactOptions = PLAIN): unknown {
  return redactIn(v, strings, o);
}

/** The class of a `[name, value]` pair's name, when the array is one. */
function pairClass(v: unknown[], strings: MayChange): SecretClass {
  return v.length === 2 && typeof v[0] === 'string' && mayChange(strings, v[0]) ? secretClass(v[0]) : NOT_SECRET;
}

function redactIn(v: unknown, strings: MayChange, o: RedactOptions): unknown {
  if (typeof v === 'string') return mayChange(strings, v) ? redactText(v, o) : v;
  if (Array.isArray(v)) {
    const pc = pairClass(v, strings);
    if (pc !== NOT_SECRET) return [redactText(v[0] as string), secretValue(v[1], pc, o)];
    return v.map((x) => redactIn(x, strings, o));
  }
  if (!isObj(v)) return v;
  const out: Obj = {};
  let pairSecret: SecretClass = NOT_SECRET;
  for (const k in v) pairSecret = maxClass(pairSecret, namesSecret(k, v[k]));
  for (const k in v) {
    const info = keyInfo(k);
    const nk = info.redacted;
    const val = redactedEntry(info, v[k], pairSecret, strings, o);
    // `__proto__` (a plain key in parsed JSON) must stay an own data property, not a prototype.
    if (nk === '__proto__') Object.defineProperty(out, nk, { value: val, enumerable: true, writable: true, configurable: true });
    else out[nk] = val;
  }
  return out;
}

function maxClass(a: SecretClass, b: SecretClass): SecretClass {
  return a > b ? a : b;
}

/**
 * redactValue(v, strings) for a value the caller owns and will not read unredacted again (a
 * record just parsed): the same result, made by writing over the values that change instead
 * of copying the whole tree. An object a key of which changes under redaction is copied (its
 * keys may then collide or reorder), so the result may be a new value: use the returned one.
 */
export function redactParsed(v: unknown, strings: readonly string[], o: RedactOptions = PLAIN): unknown {
  if (typeof v === 'string') return mayChange(strings, v) ? redactText(v, o) : v;
  if (Array.isArray(v)) {
    const pc = pairClass(v, strings);
    if (pc !== NOT_SECRET) {
      v[1] = secretValue(v[1], pc, o);
      v[0] = redactText(v[0] as string);
      return v;
    }
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'object' ? x !== null : typeof x === 'string') v[i] = redactParsed(x, strings, o);
    }
    return v;
  }
  if (!isObj(v)) return v;
  let pairSecret: SecretClass = NOT_SECRET;
  for (const k in v) {
    if (keyInfo(k).redacted !== k) return redactIn(v, strings, o);
    pairSecret = maxClass(pairSecret, namesSecret(k, v[k]));
  }
  for (const k in v) {
    const info = keyInfo(k);
    const x = v[k];
    let val: unknown;
    if (info.secret !== NOT_SECRET) val = secretValue(x, info.secret, o);
    else if (pairSecret !== NOT_SECRET && info.pairValue) val = secretValue(x, pairSecret, o);
    else if (typeof x === 'object' ? x !== null : typeof x === 'string') val = redactParsed(x, strings, info.idKey ? o.idValue : o);
    else continue;
    if (val === x) continue;
    // `__proto__` (a plain key in parsed JSON) is an own data property: keep it one.
    if (k === '__proto__') Object.defineProperty(v, k, { value: val, enumerable: true, writable: true, configurable: true });
    else v[k] = val;
  }
  return v;
}

/**
 * redactValue of a text line's pairs (text-line.ts keys/values), as if they were one object:
 * the same pair-list rule, the same key and value redaction. Keys of a text line are runs of
 * [A-Za-z0-9_.@-] and so never change under redactText; a changed key would replace the value
 * of an equal key in its place, as object assignment does. `spanStrings`: the strings that
 * may change inside the line's JSON values (hitStrings over its spans); those values are then
 * the caller's own and are redacted in place (redactParsed). Plain values are always scanned
 * (quoted logfmt values are decoded differently from JSON strings).
 */
export function redactPairs(keys: readonly string[], values: readonly unknown[], spanStrings?: readonly string[], o: RedactOptions = PLAIN): { keys: string[]; values: unknown[] } {
  let pairSecret: SecretClass = NOT_SECRET;
  for (let i = 0; i < keys.length; i++) pairSecret = maxClass(pairSecret, namesSecret(keys[i] as string, values[i]));
  const outKeys: string[] = [];
  const outValues: unknown[] = [];
  for (let i = 0; i < keys.length; i++) {
    const info = keyInfo(keys[i] as string);
    const v = values[i];
    const secret = info.secret !== NOT_SECRET || (pairSecret !== NOT_SECRET && info.pairValue);
    const val = spanStrings !== undefined && typeof v === 'object' && !secret ? redactParsed(v, spanStrings, info.idKey ? o.idValue : o) : redactedEntry(info, v, pairSecret, undefined, o);
    const at = info.redacted === keys[i] ? -1 : outKeys.indexOf(info.redacted);
    if (at >= 0) outValues[at] = val;
    else {
      outKeys.push(info.redacted);
      outValues.push(val);
    }
  }
  return { keys: outKeys, values: outValues };
}
