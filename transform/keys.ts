// Key aliases (event-model.md §1 "Keys and aliases"): keys compare case-insensitively and
// ignoring `-`/`_`, so `requestId`, `request_id`, `X-Request-Id` are one key. Each object's
// normalized-key map is built once and then answers every alias lookup.

export type Obj = Record<string, unknown>;

/**
 * `X-Request-Id` -> `xrequestid`. Only ASCII letters are folded: a full Unicode lower-casing
 * would turn e.g. the Kelvin sign into `k`, and key matching must agree with the ASCII-only
 * case folding of the regexes in redact.ts.
 */
export function normKey(key: string): string {
  const hit = normCache.get(key);
  if (hit !== undefined) return hit;
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 45 || c === 95) continue;
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : key[i];
  }
  // Keys repeat across records: the cache makes normalization one Map lookup. Bounded, so
  // hostile records with random keys cannot grow it without limit.
  if (normCache.size >= NORM_CACHE_MAX) normCache.clear();
  if (key.length <= 64) normCache.set(key, out);
  return out;
}

const NORM_CACHE_MAX = 20_000;
const normCache = new Map<string, string>();

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where keyMap files an `alipay_…_response` value (no real key normalizes to this). */
export const ALIPAY_BODY = '#alipay';

/** Normalized key -> value; the first key of a normalized spelling wins. */
export type KeyMap = Map<string, unknown>;

export function keyMap(obj: Obj): KeyMap {
  const m: KeyMap = new Map();
  for (const k in obj) {
    const n = normKey(k);
    if (m.has(n)) continue;
    const v = obj[k];
    m.set(n, v);
    // Alipay OpenAPI bodies sit under `alipay_<method>_response`: indexed once here.
    if (n.length > 14 && n.startsWith('alipay') && n.endsWith('response') && isObj(v) && !m.has(ALIPAY_BODY)) m.set(ALIPAY_BODY, v);
  }
  return m;
}

/** First present (non-null) value among the normalized aliases. */
export function pick(m: KeyMap, aliases: readonly string[]): unknown {
  for (const a of aliases) {
    const v = m.get(a);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

/** A scalar as text: strings as they are, finite numbers and booleans printed; else "". */
export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return '';
}

export function pickStr(m: KeyMap, aliases: readonly string[]): string {
  for (const a of aliases) {
    const s = str(m.get(a));
    if (s !== '') return s;
  }
  return '';
}

/** An integer in [min, max] from a number or a decimal string; undefined otherwise. */
export function toInt(v: unknown, min: number, max: number): number | undefined {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && v.length > 0 && v.length < 16 && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) n = Number(v);
  else return undefined;
  if (!Number.isFinite(n)) return undefined;
  n = Math.round(n);
  return n >= min && n <= max ? n : undefined;
}

// Aliases, already normalized.
export const K = {
  time: ['ts', 'time', 'timestamp', '@timestamp', 'eventtime', 'loggedat'],
  requestId: ['requestid', 'reqid', 'xrequestid'],
  status: ['status', 'statuscode', 'httpstatus', 'http.statuscode'],
  channel: ['channel', 'marketplace'],
  channelGateway: ['channel', 'marketplace', 'vendor'],
  vendor: ['vendor'],
  route: ['route', 'path', 'url'],
  method: ['method', 'httpmethod'],
  latency: ['latencyms', 'latency', 'durationms', 'duration', 'elapsedms', 'tookms', 'responsetimems'],
  attempt: ['attempt', 'attempts', 'retryattempt'],
  appId: ['appid', 'applicationid'],
  code: ['code', 'errorcode'],
  category: ['category', 'errorcategory'],
  message: ['message', 'msg', 'errormessage'],
  headers: ['headers'],
  wrappers: ['response', 'body', 'errorbody', 'payload', 'data', 'upstreamresponse', 'vendorresponse'],
} as const;
