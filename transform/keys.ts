// Key aliases (docs/event-model.md §1 "Keys and aliases"): keys compare case-insensitively and
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

/**
 * Every field the normalizer reads has a slot; the normalized aliases of §1 share one. A record
 * object is read once into its slots (the first key of a slot wins), and each field is then an
 * array index instead of a loop over alias spellings.
 */
export const S = {
  time: 0, requestId: 1, status: 2, http: 3, channel: 4, vendor: 5, route: 6, method: 7, latency: 8,
  attempt: 9, appId: 10, code: 11, errorCode: 12, category: 13, message: 14, msg: 15, errorMessage: 16,
  error: 17, headers: 18, success: 19, failedOffers: 20, unavailableLines: 21, errorResponse: 22,
  errorRsp: 23, isSuccess: 24, resultCode: 25, alipayBody: 26, upstream: 27, subCode: 28, subMsg: 29,
  validationFailed: 30, propertyName: 31, reason: 32, offerId: 33, specId: 34,
  response: 35, body: 36, errorBody: 37, payload: 38, data: 39, upstreamResponse: 40, vendorResponse: 41,
} as const;
const SLOT_COUNT = 42;

const ALIASES: Record<number, readonly string[]> = {
  [S.time]: ['ts', 'time', 'timestamp', '@timestamp', 'eventtime', 'loggedat'],
  [S.requestId]: ['requestid', 'reqid', 'xrequestid'],
  [S.status]: ['status', 'statuscode', 'httpstatus', 'http.statuscode'],
  [S.http]: ['http'],
  [S.channel]: ['channel', 'marketplace'],
  [S.vendor]: ['vendor'],
  [S.route]: ['route', 'path', 'url'],
  [S.method]: ['method', 'httpmethod'],
  [S.latency]: ['latencyms', 'latency', 'durationms', 'duration', 'elapsedms', 'tookms', 'responsetimems'],
  [S.attempt]: ['attempt', 'attempts', 'retryattempt'],
  [S.appId]: ['appid', 'applicationid'],
  [S.code]: ['code'],
  [S.errorCode]: ['errorcode'],
  [S.category]: ['category', 'errorcategory'],
  [S.message]: ['message'],
  [S.msg]: ['msg'],
  [S.errorMessage]: ['errormessage'],
  [S.error]: ['error'],
  [S.headers]: ['headers'],
  [S.success]: ['success'],
  [S.failedOffers]: ['failedoffers'],
  [S.unavailableLines]: ['unavailablelines'],
  [S.errorResponse]: ['errorresponse'],
  [S.errorRsp]: ['errorrsp'],
  [S.isSuccess]: ['issuccess'],
  [S.resultCode]: ['resultcode'],
  [S.upstream]: ['upstream'],
  [S.subCode]: ['subcode'],
  [S.subMsg]: ['submsg'],
  [S.validationFailed]: ['validationfailedresponses'],
  [S.propertyName]: ['propertyname'],
  [S.reason]: ['reason'],
  [S.offerId]: ['offerid'],
  [S.specId]: ['specid'],
  [S.response]: ['response'],
  [S.body]: ['body'],
  [S.errorBody]: ['errorbody'],
  [S.payload]: ['payload'],
  [S.data]: ['data'],
  [S.upstreamResponse]: ['upstreamresponse'],
  [S.vendorResponse]: ['vendorresponse'],
};
const SLOT_OF_NORM = new Map<string, number>();
for (const [slot, names] of Object.entries(ALIASES)) for (const n of names) SLOT_OF_NORM.set(n, Number(slot));

/** Raw key -> slot (-1: not a field); keys repeat across records, so this is one lookup. */
const slotCache = new Map<string, number>();

function slotOf(key: string): number {
  let slot = slotCache.get(key);
  if (slot !== undefined) return slot;
  const n = normKey(key);
  // Alipay OpenAPI bodies sit under `alipay_<method>_response`.
  slot = SLOT_OF_NORM.get(n) ?? (n.length > 14 && n.startsWith('alipay') && n.endsWith('response') ? S.alipayBody : -1);
  if (slotCache.size >= NORM_CACHE_MAX) slotCache.clear();
  if (key.length <= 64) slotCache.set(key, slot);
  return slot;
}

/** One object's fields by slot. */
export class KeyMap {
  private readonly v: unknown[] = new Array<unknown>(SLOT_COUNT);
  /**
   * Whether any slot that can hold a nested body is set (wrappers, `message`, `msg`, `error`):
   * most objects have none, and collectBodies then skips its ten lookups.
   */
  mayHoldBody = false;

  constructor(obj: Obj | undefined) {
    if (obj !== undefined) for (const k in obj) this.put(k, obj[k]);
  }

  /** A text line's pairs (text-line.ts), in line order, as if they were one object's keys. */
  static fromPairs(keys: readonly string[], values: readonly unknown[]): KeyMap {
    const m = new KeyMap(undefined);
    for (let i = 0; i < keys.length; i++) m.put(keys[i] as string, values[i]);
    return m;
  }

  private put(k: string, val: unknown): void {
    const slot = slotOf(k);
    if (slot < 0 || this.v[slot] !== undefined) return;
    if (val === null || val === undefined) return;
    if (slot === S.alipayBody && !isObj(val)) return;
    this.v[slot] = val;
    // Wrapper slots are the last ones (S.response on); a slot added later only widens this.
    if (slot >= S.response || slot === S.message || slot === S.msg || slot === S.error) this.mayHoldBody = true;
  }

  get(slot: number): unknown {
    return this.v[slot];
  }

  private kids: (KeyMap | undefined)[] | undefined;

  /** The key map of the object at `slot` (built once, then cached), or undefined. */
  child(slot: number): KeyMap | undefined {
    const hit = this.kids?.[slot];
    if (hit !== undefined) return hit;
    const o = this.v[slot];
    if (!isObj(o)) return undefined;
    const km = new KeyMap(o);
    (this.kids ??= [])[slot] = km;
    return km;
  }

  has(slot: number): boolean {
    return this.v[slot] !== undefined;
  }
}

export function keyMap(obj: Obj): KeyMap {
  return new KeyMap(obj);
}

/** First present value among the slots. */
export function pick(m: KeyMap, slots: readonly number[]): unknown {
  for (const s of slots) {
    const v = m.get(s);
    if (v !== undefined) return v;
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

export function pickStr(m: KeyMap, slots: readonly number[]): string {
  for (const a of slots) {
    const s = str(m.get(a));
    if (s !== '') return s;
  }
  return '';
}

const DECIMAL = /^\s*-?\d+(\.\d+)?\s*$/;

/** Plain digits (what text lines carry: `status=429`), a subset of DECIMAL checked without a regexp call. */
function allDigits(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** An integer in [min, max] from a number or a decimal string; undefined otherwise. */
export function toInt(v: unknown, min: number, max: number): number | undefined {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && v.length > 0 && v.length < 16 && (allDigits(v) || DECIMAL.test(v))) n = Number(v);
  else return undefined;
  if (!Number.isFinite(n)) return undefined;
  n = Math.round(n);
  return n >= min && n <= max ? n : undefined;
}

// Slot lists for fields read from more than one slot, in priority order.
export const K = {
  channelGateway: [S.channel, S.vendor],
  code: [S.code, S.errorCode],
  message: [S.message, S.msg, S.errorMessage],
  wrappers: [S.response, S.body, S.errorBody, S.payload, S.data, S.upstreamResponse, S.vendorResponse],
} as const;
