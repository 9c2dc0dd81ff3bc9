// Secrets never stored (docs/event-model.md §6): values under secret-named keys anywhere in a
// record (objects, Taobao `args` key/value lists, header pairs, logfmt pairs, key: value text)
// and `Bearer` credentials in any text become `[REDACTED]` before anything is stored or printed.
import { isObj, normKey, type Obj } from './keys.ts';
import { BEARER_STEM, escapedRunSecret, hintsSecret, isSecretKey } from './secret-scan.ts';

export const REDACTED = '[REDACTED]';
export { isSecretKey, mayHoldSecret, SECRET_KEYS } from './secret-scan.ts';

// `Bearer` + a token of 8+ characters of [A-Za-z0-9._~+/=-] (§6). Also as a reader of the
// text's escapes would see it (secret-scan.ts): `Be\arer`, `Bearer\tTOKEN`, `abc\-def` in a
// quoted logfmt value. `\n`, `\t`, `\r` end a token; case-sensitive classes, as an /i
// flag would fold `\N` (kept as `N` by logfmt) into the excluded `\n`.
const BEARER = new RegExp(`(${[...'bearer'].map((c) => `[${c.toUpperCase()}${c}]`).join('\\\\*')}(?:\\s|\\\\[tnr])+)(?:[A-Za-z0-9._~+/=-]|\\\\[A-Za-mo-qsu-z0-9._~+/=-]){8,}`, 'g');
const BEARER_WORD = new RegExp(BEARER_STEM, 'i');
// A key followed by `=` or `:` (logfmt, headers, JSON text, escaped JSON text, query strings),
// or a quoted name followed by `,` and maybe `"value":` (pair lists like `["Cookie","…"]` and
// Taobao `{"key":"sign","value":…}` in JSON text that did not parse).
// A key run may hold escapes (`boom\nsign=`, `pa\ssword=`): escapedRunSecret reads them.
// The lookbehind pins a key to the start of its run: without it a long run of key characters
// costs quadratic backtracking.
const KEY_SEP = /(?<![A-Za-z0-9_.\\-])((?:[A-Za-z0-9_.-]|\\[\\A-Za-z0-9_.-])+)(\\?["']?)[ \t]*(?:[=:]|,[ \t]*(?:\\?"(?:value|val|v)\\?"[ \t]*:)?)[ \t]*/g;
const UNICODE_ESCAPE = /\\u([0-9a-fA-F]{4})/g;
const SCHEME = /^(?:Basic|Bearer|Digest|Token|Negotiate)\s+/i;

/** Redact every secret in free text: Bearer credentials and the values of secret keys. */
export function redactText(s: string): string {
  if (!hintsSecret(s)) return s;
  // `\u0073ign` is `sign` to any JSON reader: decode such escapes so the key is seen.
  let t = s.includes('\\u') ? s.replace(UNICODE_ESCAPE, (_m, h: string) => String.fromCharCode(parseInt(h, 16))) : s;
  // A global replace costs even when nothing matches; most hinted text holds no Bearer.
  if (BEARER_WORD.test(t)) t = t.replace(BEARER, `$1${REDACTED}`);
  let out = '';
  let last = 0;
  KEY_SEP.lastIndex = 0;
  for (let m = KEY_SEP.exec(t); m !== null; m = KEY_SEP.exec(t)) {
    const key = m[1] ?? '';
    const name = key.includes('\\') ? escapedRunSecret(key, true) : isSecretKey(key) ? normKey(key) : '';
    if (name === '') continue;
    // The `,` form only counts for a quoted name: `sign, then` in prose is no pair.
    if (m[0].includes(',') && !m[0].includes(':') && (m[2] ?? '') === '') continue;
    const start = m.index + m[0].length;
    const [end, repl] = valueEnd(t, start, name);
    out += t.slice(last, start) + repl;
    last = end;
    KEY_SEP.lastIndex = Math.max(end, start + 1);
  }
  if (last === 0) return t;
  t = out + t.slice(last);
  return t;
}

/** Where the value starting at `i` ends, and what replaces it (keeping its quoting). */
function valueEnd(s: string, i: number, key: string): [number, string] {
  const c = s[i];
  if (c === '"') return [closeQuote(s, i + 1, '"'), `"${REDACTED}"`];
  if (c === "'") return [closeQuote(s, i + 1, "'"), `'${REDACTED}'`];
  if (c === '\\' && s[i + 1] === '"') {
    const j = s.indexOf('\\"', i + 2);
    return [j < 0 ? s.length : j + 2, `\\"${REDACTED}\\"`];
  }
  if (c === '{' || c === '[') return [balancedEnd(s, i), `"${REDACTED}"`];
  let j = i;
  const scheme = SCHEME.exec(s.slice(i, i + 16));
  if (scheme) j += scheme[0].length;
  // Header-style values (`Cookie: a=b; c=d`, `Authorization: Basic x`) run to the end of the line.
  const toEol = key === 'cookie' || key === 'authorization';
  for (; j < s.length; j++) {
    const d = s.charCodeAt(j);
    if (d === 10 || d === 13 || d === 34) break; // \n \r "
    if (toEol) continue;
    // whitespace , ; & } ] ' < > )
    if (d <= 32 || d === 44 || d === 59 || d === 38 || d === 125 || d === 93 || d === 39 || d === 60 || d === 62 || d === 41) break;
  }
  return [j, REDACTED];
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
  secret: boolean;
  pairName: boolean;
  pairValue: boolean;
}

// Keys repeat across records: one cached lookup answers all four questions (instead of a
// normKey, a Set and a redaction lookup each). Bounded, like normKey's cache.
const keyInfoCache = new Map<string, KeyInfo>();
function keyInfo(k: string): KeyInfo {
  const hit = keyInfoCache.get(k);
  if (hit !== undefined) return hit;
  const n = normKey(k);
  const info: KeyInfo = { redacted: redactText(k), secret: isSecretKey(k), pairName: PAIR_NAME.has(n), pairValue: PAIR_VALUE.includes(n) };
  if (keyInfoCache.size >= 20_000) keyInfoCache.clear();
  if (k.length <= 64) keyInfoCache.set(k, info);
  return info;
}

/** Whether the entry `k: val` names a secret in a name/value pair (`{"key":"sign","value":…}`). */
function namesSecret(k: string, val: unknown): boolean {
  return typeof val === 'string' && keyInfo(k).pairName && isSecretKey(val);
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
function redactedEntry(info: KeyInfo, val: unknown, pairSecret: boolean, strings: MayChange): unknown {
  return info.secret || (pairSecret && info.pairValue) ? REDACTED : redactIn(val, strings);
}

/**
 * A redacted deep copy of a parsed JSON value. Besides secret keys, catches name/value lists
 * (Taobao `args.arg[]` = `{"key":"sign","value":…}`, header lists `[["Cookie","…"]]`).
 * Copies are plain objects (fast property access downstream); a `__proto__` key stays data.
 * `strings`: the only strings redactText may change, when the value was parsed from text
 * whose stem hits are known (hitStrings); others are copied without a scan.
 */
export function redactValue(v: unknown, strings?: readonly string[]): unknown {
  return redactIn(v, strings);
}

function redactIn(v: unknown, strings: MayChange): unknown {
  if (typeof v === 'string') return mayChange(strings, v) ? redactText(v) : v;
  if (Array.isArray(v)) {
    if (v.length === 2 && typeof v[0] === 'string' && mayChange(strings, v[0]) && isSecretKey(v[0])) return [redactText(v[0]), REDACTED];
    return v.map((x) => redactIn(x, strings));
  }
  if (!isObj(v)) return v;
  const out: Obj = {};
  let pairSecret = false;
  for (const k in v) if (namesSecret(k, v[k])) pairSecret = true;
  for (const k in v) {
    const info = keyInfo(k);
    const nk = info.redacted;
    const val = redactedEntry(info, v[k], pairSecret, strings);
    // `__proto__` (a plain key in parsed JSON) must stay an own data property, not a prototype.
    if (nk === '__proto__') Object.defineProperty(out, nk, { value: val, enumerable: true, writable: true, configurable: true });
    else out[nk] = val;
  }
  return out;
}

/**
 * redactValue(v, strings) for a value the caller owns and will not read unredacted again (a
 * record just parsed): the same result, made by writing over the values that change instead
 * of copying the whole tree. An object a key of which changes under redaction is copied (its
 * keys may then collide or reorder), so the result may be a new value: use the returned one.
 */
export function redactParsed(v: unknown, strings: readonly string[]): unknown {
  if (typeof v === 'string') return mayChange(strings, v) ? redactText(v) : v;
  if (Array.isArray(v)) {
    if (v.length === 2 && typeof v[0] === 'string' && mayChange(strings, v[0]) && isSecretKey(v[0])) {
      v[0] = redactText(v[0]);
      v[1] = REDACTED;
      return v;
    }
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'object' ? x !== null : typeof x === 'string') v[i] = redactParsed(x, strings);
    }
    return v;
  }
  if (!isObj(v)) return v;
  let pairSecret = false;
  for (const k in v) {
    if (keyInfo(k).redacted !== k) return redactIn(v, strings);
    if (namesSecret(k, v[k])) pairSecret = true;
  }
  for (const k in v) {
    const info = keyInfo(k);
    const x = v[k];
    let val: unknown;
    if (info.secret || (pairSecret && info.pairValue)) val = REDACTED;
    else if (typeof x === 'object' ? x !== null : typeof x === 'string') val = redactParsed(x, strings);
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
export function redactPairs(keys: readonly string[], values: readonly unknown[], spanStrings?: readonly string[]): { keys: string[]; values: unknown[] } {
  let pairSecret = false;
  for (let i = 0; i < keys.length; i++) if (namesSecret(keys[i] as string, values[i])) pairSecret = true;
  const outKeys: string[] = [];
  const outValues: unknown[] = [];
  for (let i = 0; i < keys.length; i++) {
    const info = keyInfo(keys[i] as string);
    const v = values[i];
    const val =
      spanStrings !== undefined && typeof v === 'object' && !(info.secret || (pairSecret && info.pairValue)) ? redactParsed(v, spanStrings) : redactedEntry(info, v, pairSecret, undefined);
    const at = info.redacted === keys[i] ? -1 : outKeys.indexOf(info.redacted);
    if (at >= 0) outValues[at] = val;
    else {
      outKeys.push(info.redacted);
      outValues.push(val);
    }
  }
  return { keys: outKeys, values: outValues };
}
