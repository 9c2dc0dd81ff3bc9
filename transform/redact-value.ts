// Redaction of parsed values (docs/secrets.md §1): secret keys at any depth, name/value pair
// lists (Taobao `args`, HAR headers, `[name, value]` pairs), and every string through
// redactText (redact.ts). Copies for values others still read, in-place writes for a record
// just parsed, and a text line's pairs.
import { isObj, normKey, type Obj } from './keys.ts';
import { PLAIN, REDACTED, REDACTED_PREFIX, type RedactOptions } from './redact-options.ts';
import { isIdKey } from './redact-pii.ts';
import { redactText, replacement } from './redact.ts';
import { NOT_SECRET, secretClass, type SecretClass } from './secret-names.ts';

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
  const info: KeyInfo = {
    redacted: redactText(k),
    secret: secretClass(k),
    pairName: PAIR_NAME.has(n),
    pairValue: PAIR_VALUE.includes(n),
    idKey: isIdKey(k),
  };
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
export function redactPairs(
  keys: readonly string[],
  values: readonly unknown[],
  spanStrings?: readonly string[],
  o: RedactOptions = PLAIN,
): { keys: string[]; values: unknown[] } {
  let pairSecret: SecretClass = NOT_SECRET;
  for (let i = 0; i < keys.length; i++) pairSecret = maxClass(pairSecret, namesSecret(keys[i] as string, values[i]));
  const outKeys: string[] = [];
  const outValues: unknown[] = [];
  for (let i = 0; i < keys.length; i++) {
    const info = keyInfo(keys[i] as string);
    const v = values[i];
    const secret = info.secret !== NOT_SECRET || (pairSecret !== NOT_SECRET && info.pairValue);
    const val =
      spanStrings !== undefined && typeof v === 'object' && !secret
        ? redactParsed(v, spanStrings, info.idKey ? o.idValue : o)
        : redactedEntry(info, v, pairSecret, undefined, o);
    const at = info.redacted === keys[i] ? -1 : outKeys.indexOf(info.redacted);
    if (at >= 0) outValues[at] = val;
    else {
      outKeys.push(info.redacted);
      outValues.push(val);
    }
  }
  return { keys: outKeys, values: outValues };
}
