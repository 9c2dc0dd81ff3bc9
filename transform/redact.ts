// Secrets never stored (event-model.md §6): values under secret-named keys anywhere in a
// record (objects, Taobao `args` key/value lists, header pairs, logfmt pairs, key: value text)
// and `Bearer` credentials in any text become `[REDACTED]` before anything is stored or printed.
import { isObj, normKey, type Obj } from './keys.ts';

export const REDACTED = '[REDACTED]';

/** The secret key names of §6, normalized (lowercase, no `-`/`_`). */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'sign', 'session', 'sessionkey', 'accesstoken', 'refreshtoken', 'appsecret', 'secret',
  'password', 'authorization', 'cookie', 'xapikey', 'apikey',
]);

/** A key whose value is secret; a dotted key (`headers.authorization`) by its last segment too. */
export function isSecretKey(key: string): boolean {
  const n = normKey(key);
  if (SECRET_KEYS.has(n)) return true;
  const dot = n.lastIndexOf('.');
  return dot >= 0 && SECRET_KEYS.has(n.slice(dot + 1));
}

// A cheap superset test. A secret key (§6) is a run of ASCII letters, digits, `-` and `_` (or
// the last dotted segment of one) that normalizes to one of SECRET_KEYS, so text can only
// hold a secret where one of the stems below sits inside such a run; `Bearer` and `\u`
// escapes (which may spell anything) count wherever they are. Each stem hit is checked
// against its whole run, so words like `INVALID_API_KEY` or `signature` do not send a record
// down the redaction path. normKey ignores `-`/`_` anywhere, so the stems allow them between
// any two letters (`api_key`, `x-api-key`, `pass_word`, also `s_i_g_n`).
const STEM_WORDS = ['sign', 'session', 'token', 'secret', 'password', 'authori[sz]ation', 'cookie', 'apikey'];
/**
 * The stems as one regexp alternation, `-`/`_` allowed between any two letters and words
 * sharing a start factored into a trie: `s[-_]*(?:i[-_]*g[-_]*n|e[-_]*(?:s…|c…))|t[-_]*o…`.
 * It matches what `sign|session|…` spelled out one by one would (the same strings, the same
 * alternative first at each position), but the engine tries each shared prefix once per
 * position instead of once per word: 10–25% less scanning time.
 */
function stemTrie(words: readonly (readonly string[])[]): string {
  const groups = new Map<string, (readonly string[])[]>();
  for (const w of words) {
    const head = w[0] as string;
    const g = groups.get(head);
    if (g) g.push(w.slice(1));
    else groups.set(head, [w.slice(1)]);
  }
  const alts: string[] = [];
  for (const [head, rests] of groups) {
    if (rests.some((r) => r.length === 0)) throw new Error(`stem ${head} is a prefix of another stem`);
    alts.push(rests.length === 1 ? [head, ...(rests[0] as readonly string[])].join('[-_]*') : `${head}[-_]*(?:${stemTrie(rests)})`);
  }
  return alts.join('|');
}
/** `authori[sz]ation` -> its letters, a `[sz]` class one step. */
const steps = (w: string): string[] => w.match(/\[[^\]]*\]|./g) ?? [];
const STEM_SOURCE = `${stemTrie(STEM_WORDS.map(steps))}|bearer|\\\\u`;
const STEM = new RegExp(STEM_SOURCE, 'gi');
// The same stems over lower-cased text: a case-sensitive scan is cheaper than an /i one.
const STEM_LOWER = new RegExp(STEM_SOURCE, 'g');
// redactText's own pre-check: the same stems anywhere, not confirmed against their runs.
const HINT = new RegExp(STEM_SOURCE, 'i');

/** [A-Za-z0-9_-]: the characters of a key run (normKey drops `-`/`_`, `.` splits segments). */
function isRunChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}

/** Whether s[from, to) normalizes (ASCII lower case, no `-`/`_`) to a secret key name. */
function isSecretSpan(s: string, from: number, to: number): boolean {
  let n = '';
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 45 || c === 95) continue;
    n += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
  }
  return SECRET_KEYS.has(n);
}

export function mayHoldSecret(text: string): boolean {
  // toLowerCase keeps positions unless a character expands (U+0130); then scan the text itself.
  // It may also fold a non-ASCII letter into an ASCII one (Kelvin sign -> k): one more stem
  // hit at most, as runs are checked on the original text.
  const low = text.toLowerCase();
  const re = low.length === text.length ? STEM_LOWER : STEM;
  const scan = re === STEM_LOWER ? low : text;
  re.lastIndex = 0;
  for (let m = re.exec(scan); m !== null; m = re.exec(scan)) {
    const c = m[0].charCodeAt(0);
    // `\u…` and `Bearer` (the only stem starting with b) count anywhere.
    if (c === 92 || c === 98 || c === 66) return true;
    let from = m.index;
    while (from > 0 && isRunChar(text.charCodeAt(from - 1))) from--;
    let to = m.index + m[0].length;
    while (to < text.length && isRunChar(text.charCodeAt(to))) to++;
    if (isSecretSpan(text, from, to)) return true;
    // After a backslash the run's first letter may be an escape (`\nsign=` is a newline, then
    // `sign=`, once decoded), so the run without it counts too.
    if (from > 0 && text.charCodeAt(from - 1) === 92 && isSecretSpan(text, from + 1, to)) return true;
    re.lastIndex = to;
  }
  return false;
}

// `Bearer` + a token of 8+ characters of [A-Za-z0-9._~+/=-] (§6).
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;
const BEARER_WORD = /bearer/i;
// A key followed by `=` or `:` (logfmt, headers, JSON text, escaped JSON text, query strings),
// or a quoted name followed by `,` and maybe `"value":` (pair lists like `["Cookie","…"]` and
// Taobao `{"key":"sign","value":…}` in JSON text that did not parse).
// The lookbehind pins a key to the start of its run: without it a long run of key characters
// costs quadratic backtracking.
const KEY_SEP = /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]+)(\\?["']?)[ \t]*(?:[=:]|,[ \t]*(?:\\?"(?:value|val|v)\\?"[ \t]*:)?)[ \t]*/g;
const UNICODE_ESCAPE = /\\u([0-9a-fA-F]{4})/g;
const SCHEME = /^(?:Basic|Bearer|Digest|Token|Negotiate)\s+/i;

/** Redact every secret in free text: Bearer credentials and the values of secret keys. */
export function redactText(s: string): string {
  if (!HINT.test(s)) return s;
  // `\u0073ign` is `sign` to any JSON reader: decode such escapes so the key is seen.
  let t = s.includes('\\u') ? s.replace(UNICODE_ESCAPE, (_m, h: string) => String.fromCharCode(parseInt(h, 16))) : s;
  // A global replace costs even when nothing matches; most hinted text holds no Bearer.
  if (BEARER_WORD.test(t)) t = t.replace(BEARER, `$1${REDACTED}`);
  let out = '';
  let last = 0;
  KEY_SEP.lastIndex = 0;
  for (let m = KEY_SEP.exec(t); m !== null; m = KEY_SEP.exec(t)) {
    const key = m[1] ?? '';
    if (!isSecretKey(key)) continue;
    // The `,` form only counts for a quoted name: `sign, then` in prose is no pair.
    if (m[0].includes(',') && !m[0].includes(':') && (m[2] ?? '') === '') continue;
    const start = m.index + m[0].length;
    const [end, repl] = valueEnd(t, start, normKey(key));
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

/** The stored value of one entry of an object (or of a text line's pairs). */
function redactedEntry(info: KeyInfo, val: unknown, pairSecret: boolean): unknown {
  return info.secret || (pairSecret && info.pairValue) ? REDACTED : redactValue(val);
}

/**
 * A redacted deep copy of a parsed JSON value. Besides secret keys, catches name/value lists
 * (Taobao `args.arg[]` = `{"key":"sign","value":…}`, header lists `[["Cookie","…"]]`).
 * Copies are plain objects (fast property access downstream); a `__proto__` key stays data.
 */
export function redactValue(v: unknown): unknown {
  if (typeof v === 'string') return redactText(v);
  if (Array.isArray(v)) {
    if (v.length === 2 && typeof v[0] === 'string' && isSecretKey(v[0])) return [redactText(v[0]), REDACTED];
    return v.map(redactValue);
  }
  if (!isObj(v)) return v;
  const out: Obj = {};
  let pairSecret = false;
  for (const k in v) if (namesSecret(k, v[k])) pairSecret = true;
  for (const k in v) {
    const info = keyInfo(k);
    const nk = info.redacted;
    const val = redactedEntry(info, v[k], pairSecret);
    // `__proto__` (a plain key in parsed JSON) must stay an own data property, not a prototype.
    if (nk === '__proto__') Object.defineProperty(out, nk, { value: val, enumerable: true, writable: true, configurable: true });
    else out[nk] = val;
  }
  return out;
}

/**
 * redactValue of a text line's pairs (text-line.ts keys/values), as if they were one object:
 * the same pair-list rule, the same key and value redaction. Keys of a text line are runs of
 * [A-Za-z0-9_.@-] and so never change under redactText; a changed key would replace the value
 * of an equal key in its place, as object assignment does.
 */
export function redactPairs(keys: readonly string[], values: readonly unknown[]): { keys: string[]; values: unknown[] } {
  let pairSecret = false;
  for (let i = 0; i < keys.length; i++) if (namesSecret(keys[i] as string, values[i])) pairSecret = true;
  const outKeys: string[] = [];
  const outValues: unknown[] = [];
  for (let i = 0; i < keys.length; i++) {
    const info = keyInfo(keys[i] as string);
    const val = redactedEntry(info, values[i], pairSecret);
    const at = info.redacted === keys[i] ? -1 : outKeys.indexOf(info.redacted);
    if (at >= 0) outValues[at] = val;
    else {
      outKeys.push(info.redacted);
      outValues.push(val);
    }
  }
  return { keys: outKeys, values: outValues };
}
