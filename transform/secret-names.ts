// Secret key names (docs/secrets.md §1): a key is read as lower-case components, split at
// `-`, `_`, `.`, spaces and camelCase boundaries (an acronym stays one component), and judged
// by its components and by their concatenation. Sentry's default scrubber and gitleaks'
// generic-api-key rule key on the same words; the exceptions keep references to and
// properties of a secret (`token_type`, `credentialsId`, `access_token_url`).

/** A key's verdict: not secret, secret (`[REDACTED]`), or an api-key name (fingerprinted, §4). */
export const NOT_SECRET = 0;
export const SECRET = 1;
export const API_KEY = 2;
export type SecretClass = typeof NOT_SECRET | typeof SECRET | typeof API_KEY;

/** A component naming a secret (§1, first list). */
const SECRET_COMPONENTS: ReadonlySet<string> = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'credential',
  'credentials',
  'cookie',
  'signature',
  'auth',
  'bearer',
]);
/**
 * Names that count when the components joined contain them (§1, second list). `password` is
 * here as well as a component so that `pass_word`, which §6 of the event model listed, stays
 * secret: a superset of the contract, never less.
 */
const CONTAINED = [
  'sessionkey',
  'sessionid',
  'jsessionid',
  'phpsessid',
  'csrftoken',
  'authorization',
  'apikey',
  'privatekey',
  'accesstoken',
  'refreshtoken',
  'stripetoken',
  'password',
];
/** Names that count only when the joined key equals them (`sign_type` and `sessions` are not secret). */
const EQUALS: ReadonlySet<string> = new Set(['sign', 'session']);
/** Session ids stay secret although their last component is `id`. */
const SESSION_IDS = ['sessionid', 'phpsessid'];
/** A last component that makes the key a reference to or a property of a secret. */
const PROPERTY: ReadonlySet<string> = new Set([
  'id',
  'ids',
  'url',
  'uri',
  'name',
  'file',
  'path',
  'type',
  'method',
  'count',
  'length',
  'expires',
  'expiry',
  'ttl',
]);
/** Api-key names whose values are fingerprinted (§4). */
const FINGERPRINTED = ['apikey', 'accesstoken'];

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}
function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * The lower-case components of a key (§1): `AWSSecretAccessKey` -> aws secret access key,
 * `XAPIKey` -> xapi key, `s_i_g_n` -> sign. `segments` receives the index of the first
 * component of each dotted segment.
 */
export function keyComponents(key: string, segments?: number[]): string[] {
  // Parts, each with the separator before it (0: start or a camelCase boundary; `.` wins
  // over others in a run of separators).
  const parts: string[] = [];
  const seps: number[] = [];
  let cur = '';
  let sep = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (isLower(c) || isDigit(c) || c >= 128) {
      cur += key[i];
    } else if (isUpper(c)) {
      const p = key.charCodeAt(i - 1);
      // A boundary before an upper-case letter after a lower-case one or a digit, and before
      // the last capital of an acronym followed by a lower-case letter (`XAPIKey` -> XAPI Key).
      if (cur !== '' && (isLower(p) || isDigit(p) || (isUpper(p) && isLower(key.charCodeAt(i + 1))))) {
        parts.push(cur);
        seps.push(sep);
        sep = 0;
        cur = '';
      }
      cur += String.fromCharCode(c + 32);
    } else {
      if (cur !== '') {
        parts.push(cur);
        seps.push(sep);
        cur = '';
        sep = c;
      } else if (sep !== 46) sep = c;
    }
  }
  if (cur !== '') {
    parts.push(cur);
    seps.push(sep);
  }
  const out: string[] = [];
  if (segments) segments.push(0);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    const s = seps[i] as number;
    if (i > 0 && p.length === 1 && (parts[i - 1] as string).length === 1 && (s === 45 || s === 95) && out.length > 0) {
      out[out.length - 1] += p;
      continue;
    }
    if (s === 46 && segments && out.length > 0) segments.push(out.length);
    out.push(p);
  }
  return out;
}

function classOf(comps: readonly string[], from: number): SecretClass {
  if (comps.length <= from) return NOT_SECRET;
  let joined = '';
  for (let i = from; i < comps.length; i++) joined += comps[i];
  const last = comps[comps.length - 1] as string;
  if (PROPERTY.has(last)) {
    for (const s of SESSION_IDS) if (joined.includes(s)) return SECRET;
    return NOT_SECRET;
  }
  for (const f of FINGERPRINTED) if (joined.includes(f)) return API_KEY;
  if (EQUALS.has(joined)) return SECRET;
  for (const c of CONTAINED) if (joined.includes(c)) return SECRET;
  for (let i = from; i < comps.length; i++) if (SECRET_COMPONENTS.has(comps[i] as string)) return SECRET;
  return NOT_SECRET;
}

const cache = new Map<string, SecretClass>();
const CACHE_MAX = 20_000;

/**
 * The class of a key: the rule of §1 applied to the whole (dotted) key and to its last dotted
 * segment; the higher verdict wins. Cached: keys repeat across records.
 */
export function secretClass(key: string): SecretClass {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const segs: number[] = [];
  const comps = keyComponents(key, segs);
  const whole = classOf(comps, 0);
  const lastSeg = segs.length > 1 ? classOf(comps, segs[segs.length - 1] as number) : whole;
  const v = Math.max(whole, lastSeg) as SecretClass;
  if (cache.size >= CACHE_MAX) cache.clear();
  if (key.length <= 64) cache.set(key, v);
  return v;
}

export function isSecretKey(key: string): boolean {
  return secretClass(key) !== NOT_SECRET;
}

/**
 * Whether a secret key's text value runs to the end of its line (§2 header lines): the
 * value of `Cookie:`, `Set-Cookie:`, `Authorization:` holds spaces and `;`.
 */
export function isHeaderLineKey(key: string): boolean {
  const hit = headerCache.get(key);
  if (hit !== undefined) return hit;
  const comps = keyComponents(key);
  const joined = comps.join('');
  const v = joined.includes('cookie') || joined.includes('authorization') || joined.includes('apikey') || comps.includes('token');
  if (headerCache.size >= CACHE_MAX) headerCache.clear();
  if (key.length <= 64) headerCache.set(key, v);
  return v;
}
const headerCache = new Map<string, boolean>();
