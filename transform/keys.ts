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
  time: 0,
  requestId: 1,
  status: 2,
  http: 3,
  channel: 4,
  vendor: 5,
  route: 6,
  method: 7,
  latency: 8,
  attempt: 9,
  appId: 10,
  code: 11,
  errorCode: 12,
  category: 13,
  message: 14,
  msg: 15,
  errorMessage: 16,
  error: 17,
  headers: 18,
  success: 19,
  failedOffers: 20,
  unavailableLines: 21,
  errorResponse: 22,
  errorRsp: 23,
  isSuccess: 24,
  resultCode: 25,
  alipayBody: 26,
  upstream: 27,
  subCode: 28,
  subMsg: 29,
  validationFailed: 30,
  propertyName: 31,
  reason: 32,
  offerId: 33,
  specId: 34,
  response: 35,
  body: 36,
  errorBody: 37,
  payload: 38,
  data: 39,
  upstreamResponse: 40,
  vendorResponse: 41,
  // docs/real-inputs.md §2: level, latency in other units, an error object's type/name, CLEF's template, structlog's event.
  level: 42,
  latencyNs: 43,
  latencySec: 44,
  type: 45,
  name: 46,
  messageTemplate: 47,
  eventMsg: 48,
} as const;
const SLOT_COUNT = 49;

const ALIASES: Record<number, readonly string[]> = {
  // event-model.md §1, then real-inputs.md §2 (CLEF `@t`, Python `asctime`, OTel nanoseconds,
  // Fluent Bit `date`, Monolog `datetime`, nginx `time_iso8601`/`time_local`, Envoy `start_time`, Kong `started_at`).
  [S.time]: [
    'ts',
    'time',
    'timestamp',
    '@timestamp',
    'eventtime',
    'loggedat',
    '@t',
    'asctime',
    'timeunixnano',
    'observedtimeunixnano',
    'date',
    'datetime',
    'timeiso8601',
    'timelocal',
    'starttime',
    'startedat',
  ],
  // pino-http `reqId`/`req.id`, ECS `http.request.id`, Kong `request.headers.x-request-id`, OTel's header attribute (an array).
  [S.requestId]: [
    'requestid',
    'reqid',
    'xrequestid',
    'req.id',
    'http.request.id',
    'request.id',
    'labels.requestid',
    'http.request.header.xrequestid',
    'request.headers.xrequestid',
    'req.headers.xrequestid',
  ],
  // ECS / OTel semconv ≥ 1.23 `http.response.status_code`, older OTel `http.status_code`,
  // pino-http `res.statusCode`, Envoy `response_code`.
  [S.status]: [
    'status',
    'statuscode',
    'httpstatus',
    'http.statuscode',
    'http.status',
    'http.response.statuscode',
    'http.response.status',
    'res.statuscode',
    'responsecode',
  ],
  [S.http]: ['http'],
  [S.channel]: ['channel', 'marketplace'],
  [S.vendor]: ['vendor'],
  // ECS `url.path`/`url.original`, OTel `http.route`/`http.target`, pino-http `req.url`,
  // Kong `request.uri`, nginx `request` ("POST /x HTTP/1.1").
  [S.route]: ['route', 'path', 'url', 'url.path', 'url.original', 'http.route', 'http.target', 'req.url', 'request.uri', 'request'],
  [S.method]: ['method', 'httpmethod', 'http.method', 'http.request.method', 'req.method', 'request.method', 'requestmethod'],
  // Milliseconds; ECS `event.duration` is nanoseconds and nginx `request_time` seconds (their own slots).
  [S.latency]: [
    'latencyms',
    'latency',
    'durationms',
    'duration',
    'elapsedms',
    'tookms',
    'responsetimems',
    'responsetime',
    'latencies.request',
  ],
  [S.latencyNs]: ['event.duration'],
  [S.latencySec]: ['requesttime'],
  [S.attempt]: ['attempt', 'attempts', 'retryattempt'],
  [S.appId]: ['appid', 'applicationid'],
  [S.code]: ['code'],
  [S.errorCode]: ['errorcode'],
  [S.category]: ['category', 'errorcategory'],
  [S.message]: ['message'],
  // CLEF `@m`, GELF `short_message`.
  [S.msg]: ['msg', '@m', 'shortmessage'],
  [S.errorMessage]: ['errormessage'],
  // pino/bunyan `err`, `exception`, CLEF `@x` (an exception's text).
  [S.error]: ['error', 'err', 'exception', '@x'],
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
  // Python `levelname`, OTel `severityText`, CLEF `@l`, ECS `log.level`, log15 `lvl`.
  [S.level]: ['level', 'levelname', 'severity', 'severitytext', '@l', 'log.level', 'lvl', 'loglevel'],
  [S.type]: ['type', 'errortype'],
  [S.name]: ['name'],
  [S.messageTemplate]: ['@mt'],
  [S.eventMsg]: ['event'],
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

/** Slots that hold a scalar: an object under such a key (Kong's `route`, ECS's `url`) is no value of it. */
const SCALAR = new Uint8Array(SLOT_COUNT);
for (const s of [
  S.time,
  S.requestId,
  S.status,
  S.channel,
  S.vendor,
  S.route,
  S.method,
  S.latency,
  S.latencyNs,
  S.latencySec,
  S.attempt,
  S.appId,
  S.level,
  S.category,
  S.type,
  S.name,
  S.messageTemplate,
  S.eventMsg,
])
  SCALAR[s] = 1;

// docs/real-inputs.md §2: "a key may be a nested path or a dotted flat key; both count". Objects
// under these keys are read as their dotted paths (`{"http":{"response":{"status_code":502}}}` is
// `http.response.status_code`), up to 3 levels; `error.*`/`err.*`/`exception.*` dotted keys (ECS,
// OTel, MDC) make one error object; the contents of the containers are fields of the record,
// after its own (any accepted key inside `mdc`, `context`, … counts).
const PATH_NS = new Set(['http', 'res', 'req', 'request', 'url', 'event', 'log', 'latencies']);
const CONTAINERS = new Set(['mdc', 'context', 'ctx', 'fields', 'extra', 'labels', 'tags', 'attributes', 'properties']);
const ERROR_NS = new Set(['error', 'err', 'exception']);
const MAX_PATH_DEPTH = 3;

/** What a key is besides its slot: 1 a path namespace, 2 a container, 4 a dotted error field (`error.code`). Cached like slots. */
const kindCache = new Map<string, number>();
function kindOf(key: string): number {
  let k = kindCache.get(key);
  if (k !== undefined) return k;
  const n = normKey(key);
  const dot = n.indexOf('.');
  const head = dot < 0 ? n : n.slice(0, dot);
  k = (PATH_NS.has(head) ? 1 : 0) | (dot < 0 && CONTAINERS.has(n) ? 2 : 0) | (dot > 0 && ERROR_NS.has(head) ? 4 : 0);
  if (kindCache.size >= NORM_CACHE_MAX) kindCache.clear();
  if (key.length <= 64) kindCache.set(key, k);
  return k;
}

/** One object's fields by slot. */
export class KeyMap {
  private readonly v: unknown[] = new Array<unknown>(SLOT_COUNT);
  /**
   * Whether any slot that can hold a nested body is set (wrappers, `message`, `msg`, `error`):
   * most objects have none, and collectBodies then skips its ten lookups.
   */
  mayHoldBody = false;
  /** The error object is a logging library's (`err`, `exception`, dotted `error.*`), not the gateway's `error` (real-inputs.md §3). */
  libError = false;
  private later: Obj[] | undefined;
  private errDot: Obj | undefined;

  constructor(obj: Obj | undefined) {
    if (obj === undefined) return;
    for (const k in obj) this.put(k, obj[k], 0);
    this.finish();
  }

  /** A text line's pairs (text-line.ts), in line order, as if they were one object's keys. */
  static fromPairs(keys: readonly string[], values: readonly unknown[]): KeyMap {
    const m = new KeyMap(undefined);
    for (let i = 0; i < keys.length; i++) m.put(keys[i] as string, values[i], 0);
    m.finish();
    return m;
  }

  private finish(): void {
    if (this.later !== undefined) {
      const later = this.later;
      this.later = undefined;
      for (const o of later) for (const k in o) this.put(k, o[k], 1);
    }
    if (this.errDot !== undefined && this.v[S.error] === undefined) {
      this.v[S.error] = this.errDot;
      this.libError = true;
      this.mayHoldBody = true;
    }
  }

  private put(k: string, val: unknown, depth: number): void {
    if (val === null || val === undefined) return;
    const slot = slotOf(k);
    if (typeof val === 'object') {
      if (!Array.isArray(val)) {
        const kind = kindOf(k);
        if (kind !== 0 && depth < MAX_PATH_DEPTH) {
          if ((kind & 1) !== 0) for (const ck in val as Obj) this.put(`${k}.${ck}`, (val as Obj)[ck], depth + 1);
          if ((kind & 2) !== 0 && depth === 0) {
            this.later ??= [];
            this.later.push(val as Obj);
          }
        }
        if (slot >= 0 && SCALAR[slot] === 1) return;
      } else if (slot === S.requestId) {
        // OTel's `http.request.header.x-request-id` is an array of values: its first one.
        val = val[0];
        if (typeof val !== 'string' && typeof val !== 'number') return;
      }
    }
    if (slot < 0) {
      if (depth < MAX_PATH_DEPTH && (kindOf(k) & 4) !== 0) {
        const sub = k.slice(k.indexOf('.') + 1);
        this.errDot ??= {};
        const e = this.errDot;
        if (!(sub in e) && sub !== '__proto__') e[sub] = val;
      }
      return;
    }
    if (this.v[slot] !== undefined) return;
    if (slot === S.alipayBody && !isObj(val)) return;
    this.v[slot] = val;
    if (slot === S.error && normKey(k) !== 'error') this.libError = true;
    if ((slot >= S.response && slot <= S.vendorResponse) || slot === S.message || slot === S.msg || slot === S.error)
      this.mayHoldBody = true;
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
    this.kids ??= [];
    this.kids[slot] = km;
    return km;
  }

  has(slot: number): boolean {
    return this.v[slot] !== undefined;
  }
}

export function keyMap(obj: Obj): KeyMap {
  return new KeyMap(obj);
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
