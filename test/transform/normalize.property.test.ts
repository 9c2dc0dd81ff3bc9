// Property test (fast-check), 100,000+ generated inputs in total: random bytes and text,
// truncated and deeply nested JSON, wrong types, huge strings, and every dialect with fields
// removed or mistyped, with secrets planted in every place they can hide. For each input:
// normalize never throws, returns exactly one event (valid against EventSchema) or one reject
// (valid against RejectSchema, head ≤ 512 bytes), never hits its internal fault path, and
// never outputs a planted secret.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { normalizeRecord } from '../../transform/index.ts';
import { normalize } from '../../transform/normalize.ts';
import { EventSchema, RejectSchema, type NormalizeContext } from '../../transform/event.ts';
import { depth } from '../support/seed.ts';

const SECRET_KEYS = [
  'sign',
  'Sign',
  'session',
  'Session-Key',
  'sessionKey',
  'session_key',
  'access_token',
  'accessToken',
  'ACCESS-TOKEN',
  'refresh_token',
  'refreshToken',
  'app_secret',
  'AppSecret',
  'secret',
  'SECRET',
  'password',
  'Password',
  'pass_word',
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
  'x-api-key',
  'X-Api-Key',
  'api_key',
  'apiKey',
  'API_KEY',
];

/** A planted secret: distinctive, 16–30 characters that no redaction boundary splits. */
const secretArb = fc
  .string({ unit: fc.constantFrom(...'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789'), minLength: 12, maxLength: 26 })
  .map((s) => `ZQX${s}9`);

const ctxArb: fc.Arbitrary<NormalizeContext> = fc
  .record({
    source: fc.constantFrom('gateway' as const, 'client' as const),
    transportTimeMs: fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 }), { nil: undefined }),
    maxRecordBytes: fc.constantFrom(undefined, 64, 300, 2048),
    maxDepth: fc.constantFrom(undefined, 1, 3, 64),
    rawMaxBytes: fc.constantFrom(undefined, 16, 100),
  })
  .map(definedOnly);

/** The context with the drawn `undefined`s left out: an unset limit is an absent key (exactOptionalPropertyTypes). */
function definedOnly<T extends object>(o: T): Defined<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<T>;
}
/** `T` with every property that may be undefined made optional instead. */
type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** The context without the given size limits: the property checks redaction, not the limits. */
function without(ctx: NormalizeContext, ...limits: ('maxRecordBytes' | 'maxDepth')[]): NormalizeContext {
  const c = { ...ctx };
  for (const k of limits) delete c[k];
  return c;
}

const scalar = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const wrongType = fc.oneof(scalar, fc.jsonValue({ maxDepth: 3 }), fc.constant([]), fc.constant({}));

/** The dialects of docs/event-model.md §3 as objects, each field of which may be dropped or mistyped. */
const DIALECTS: Record<string, unknown>[] = [
  {
    ts: '2026-11-21T10:00:00Z',
    status: 429,
    request_id: 'req_a',
    error: { code: 'QUOTA_EXCEEDED', message: 'quota', request_id: 'req_a', category: 'RATE_LIMIT_ERROR' },
  },
  {
    ts: 1763719200,
    status: 502,
    channel: 'taobao',
    error: { code: 'CHANNEL_UPSTREAM_ERROR', upstream: { vendor: 'taobao', code: 7, sub_code: 'x', sub_msg: 'y' } },
  },
  { ts: '2026-11-21 10:00:00', status: 502, error: { code: 'NEW_CODE', upstream: '{"error_response":{"code":8}}' } },
  {
    time: '2026-11-21T10:00:00.123456+08:00',
    status: 200,
    channel: '1688',
    success: false,
    code: 'ORDER_CREATE_FAILED',
    failed_offers: [{ offer_id: '1', spec_id: '2', error_code: 'E', error_message: 'm' }],
    request_id: 'req_b',
  },
  { timestamp: 1763719200123, success: true, unavailable_lines: [{ offer_id: '3', reason: 'OUT' }] },
  { error_response: { code: 530, msg: 'Remote', sub_code: 'isv.x', sub_msg: 'sub', args: { arg: [{ key: 'app_key', value: '1' }] } } },
  { error_rsp: { code: 40, msg: 'Missing' } },
  {
    message: 'Validation failed.',
    result_code: 'data_validation_failed',
    validation_failed_responses: [{ result_code: 'field_is_required', message: 'm', property_name: 'p' }],
    odata: null,
  },
  { is_success: 'F', error: 'ILLEGAL_SIGN_TYPE' },
  { alipay_trade_query_response: { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST', sub_msg: 'm' } },
  {
    '@timestamp': '2026-11-21T10:00:00Z',
    'http.status_code': 404,
    url: 'https://h/v1/x?y=1',
    method: 'get',
    latency_ms: 12,
    attempt: 2,
    app_id: 'a',
  },
  { logged_at: '2026-11-21T10:00:00Z', response: { status: 503, body: '{"error":{"code":"INTERNAL_ERROR"}}' } },
];

/** Mutate a dialect: drop keys, retype values, at the top level and one level down. */
function mutate(obj: Record<string, unknown>, drops: boolean[], types: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let i = 0;
  for (const [k, v] of Object.entries(obj)) {
    const n = i++;
    if (drops[n % drops.length]) continue;
    const t = types[n % types.length];
    if (t !== undefined && n % 3 === 0) out[k] = t;
    else if (typeof v === 'object' && v !== null && !Array.isArray(v))
      out[k] = mutate(v as Record<string, unknown>, drops.slice(1), types.slice(1));
    else out[k] = v;
  }
  return out;
}

/** Plant `secret` somewhere it may hide in a JSON record. */
function plantJson(obj: Record<string, unknown>, where: number, key: string, secret: string): Record<string, unknown> {
  const o = { ...obj };
  switch (where % 10) {
    case 0:
      o[key] = secret;
      break;
    case 1:
      o.headers = { [key]: secret, 'x-request-id': 'req_h' };
      break;
    case 2:
      o.headers = [[key, secret]];
      break;
    case 3:
      o.error_response = { code: 25, args: { arg: [{ key: key, value: secret }] } };
      break;
    case 4:
      o.message = `call failed with Bearer ${secret}`;
      break;
    case 5:
      o.body = JSON.stringify({ error: { code: 'INVALID_API_KEY' }, [key]: secret });
      break;
    case 6:
      o.nested = { a: [{ b: { [key]: { inner: secret } } }] };
      break;
    case 7:
      o.url = `https://h/v1/x?${key}=${secret}&a=1`;
      break;
    case 8:
      o.error = { code: 'CHANNEL_UPSTREAM_ERROR', upstream: { vendor: 'x', message: `${key}=${secret}` } };
      break;
    default:
      o.failed_offers = [{ offer_id: '1', error_code: 'E', error_message: `Authorization: Bearer ${secret}` }];
  }
  return o;
}

const TS = ['2026-11-21T10:00:01.234Z', '2026-11-21 10:00:01', '2026-11-21 10:00:01.5 +08:00', '2026-13-45T99:00:00Z', ''];
const LEVELS = ['ERROR', 'WARN', '[INFO]', 'info', ''];

/** A text line with a secret planted as a logfmt pair, a header-ish pair, Bearer, or inside embedded JSON. */
const textLineArb = fc.record({
  ts: fc.constantFrom(...TS),
  level: fc.constantFrom(...LEVELS),
  words: fc.array(fc.constantFrom('shop-api', 'POST', '/v1/orders', 'GET', 'failed', 'req_abc1', 'x', '{', '}', '"', '='), {
    maxLength: 6,
  }),
  pairs: fc.array(
    fc.tuple(
      fc.constantFrom('status', 'code', 'request_id', 'msg', 'channel', 'vendor', 'attempt', 'latency_ms', 'body', 'ts'),
      fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom(
          '429',
          'QUOTA_EXCEEDED',
          '"quoted value"',
          '{"error":{"code":"NOT_FOUND"}}',
          '{"error_response":{"code":7}}',
          '{bad',
        ),
      ),
    ),
    { maxLength: 6 },
  ),
  where: fc.nat(5),
  key: fc.constantFrom(...SECRET_KEYS),
  secret: secretArb,
  tail: fc.constantFrom('', ' {"result_code":"credit_not_enough","message":"m"}', ' {"error":{"code":"QUOTA_EXCEEDED"}}', ' {"broken":'),
});

type TextLineParts = typeof textLineArb extends fc.Arbitrary<infer T> ? T : never;

function textLine(t: TextLineParts): { line: string; secret: string } {
  const parts: string[] = [t.ts, t.level, ...t.words, ...t.pairs.map(([k, v]) => `${k}=${v}`)];
  const s = t.secret;
  const k = t.key;
  const plant = [
    `${k}=${s}`,
    `${k}="${s} more"`,
    `Authorization: Bearer ${s}`,
    `body={"headers":{"${k}":"${s}"},"error":{"code":"INVALID_API_KEY"}}`,
    `${k}: ${s}`,
    `${k}={"id":"${s}","n":[1,{"a":"b"}]}`,
  ][t.where] as string;
  parts.splice(Math.min(parts.length, 2 + t.words.length), 0, plant);
  return { line: parts.filter((p) => p !== '').join(' ') + t.tail, secret: s };
}

const B64U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
const chars = (alpha: string, n: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...alpha), minLength: n, maxLength: n });

/** A secret of one §2 family: `text` is what is planted, `check` what must never come out. */
interface ShapeSecret {
  family: string;
  text: string;
  check: string;
}
const shapeSecretArb: fc.Arbitrary<ShapeSecret> = fc.oneof(
  fc
    .tuple(chars(B64U, 24), chars(B64U, 43))
    .map(([p, g]) => ({ family: 'jwt', text: `eyJhbGciOiJIUzI1NiJ9.eyJ${p}.${g}`, check: `${p}.${g}` })),
  chars(ALNUM, 64).map((b) => ({
    family: 'pem',
    text: `-----BEGIN RSA PRIVATE KEY-----\nMIIE${b}\n-----END RSA PRIVATE KEY-----`,
    check: b.slice(0, 40),
  })),
  chars(ALNUM, 14).map((pw) => ({ family: 'url', text: `postgres://app:Q9${pw}@db:5432/shop`, check: `Q9${pw}` })),
  chars(ALNUM, 24).map((t) => ({ family: 'bearer', text: `Bearer Z7${t}`, check: `Z7${t}` })),
  chars(ALNUM, 20).map((t) => ({ family: 'cookie', text: `Cookie: sessionid=Z8${t}; csrftoken=abc`, check: `Z8${t}` })),
  fc
    .tuple(fc.constantFrom('ghp_', 'glpat-', 'npm_', 'sk_live_', 'AIza', 'xoxb-123456789012-'), chars(ALNUM, 40))
    .map(([p, t]) => ({ family: 'token', text: `${p}${t}`, check: `${p}${t}`.slice(0, 30) })),
  fc
    .tuple(fc.constantFrom('client_secret', 'passwd', 'X-Auth-Token', 'api_key', 'PHPSESSID'), chars(ALNUM, 18))
    .map(([k, v]) => ({ family: 'name', text: `${k}=Z9${v}`, check: `Z9${v}` })),
);

/** JSON text of `o` with the character at `at` of the first occurrence of `check` written as a \u escape. */
function escapeInside(json: string, check: string, at: number): string {
  const i = json.indexOf(check);
  if (i < 0) return json;
  const k = i + (at % check.length);
  return `${json.slice(0, k)}\\u${json.charCodeAt(k).toString(16).padStart(4, '0')}${json.slice(k + 1)}`;
}

/** Plant a shape secret in one of the places a record carries text. */
function plantShape(sec: ShapeSecret, where: number, escapeKind: number, at: number): { record: string; source: 'gateway' | 'client' } {
  const t = sec.text;
  const base = { ts: '2026-11-21T10:00:00Z', status: 502, request_id: 'req_p1' };
  const json = (o: Record<string, unknown>): string => {
    const s = JSON.stringify(o);
    // Split across a JSON string escape: the record text no longer holds the secret as is.
    return escapeKind === 1 ? escapeInside(s, sec.check, at) : s;
  };
  switch (where) {
    case 0:
      return { record: json({ ...base, message: `call failed: ${t} (retry)` }), source: 'client' };
    case 1:
      return {
        record: json({ ...base, error: { code: 'CHANNEL_UPSTREAM_ERROR', upstream: { vendor: 'x', message: `upstream said ${t}` } } }),
        source: 'gateway',
      };
    case 2:
      return { record: json({ ...base, headers: { 'x-note': t, 'x-request-id': 'req_h' } }), source: 'client' };
    case 3:
      return { record: json({ ...base, response: JSON.stringify({ error: { code: 'INTERNAL_ERROR', message: t } }) }), source: 'client' };
    case 4:
      return { record: json({ ...base, list: [1, { deep: [`x ${t} y`] }] }), source: 'client' };
    // Percent-encoded in a URL's query string.
    case 5:
      return { record: json({ ...base, url: `https://h/v1/x?note=${encodeURIComponent(t)}&a=1` }), source: 'client' };
    case 6:
      return { record: `2026-11-21T10:00:00Z ERROR shop-api status=502 msg=${JSON.stringify(t)} request_id=req_t`, source: 'client' };
    case 7:
      return { record: `2026-11-21T10:00:00Z ERROR shop-api failed ${t} status=502`, source: 'client' };
    case 8:
      return {
        record: `2026-11-21T10:00:00Z ERROR shop-api body=${json({ error: { code: 'X', message: t } })} status=502`,
        source: 'client',
      };
    default:
      return {
        record: escapeKind === 2 ? json({ ...base, message: t }).slice(0, 40 + (at % 60)) : json({ ...base, message: t }),
        source: 'client',
      };
  }
}

let faults = 0;
function check(record: string | Uint8Array, ctx: NormalizeContext, secret?: string): void {
  const r = normalize(record, ctx);
  if (r.ok) {
    const p = EventSchema.safeParse(r.event);
    assert.ok(p.success, `invalid event: ${JSON.stringify(r.event)} ${p.success ? '' : p.error.message}`);
    assert.equal(r.event.source, ctx.source);
    assert.ok(Buffer.byteLength(r.event.raw) <= (ctx.rawMaxBytes ?? 4096));
  } else {
    RejectSchema.parse(r.reject);
    assert.ok(Buffer.byteLength(r.reject.head) <= 512);
    if (r.reject.detail.startsWith('normalizer fault')) faults++;
    assert.ok(
      !r.reject.detail.startsWith('normalizer fault'),
      `internal fault on ${JSON.stringify(typeof record === 'string' ? record : [...record])}`,
    );
  }
  if (secret !== undefined) {
    const out = JSON.stringify(r);
    assert.ok(!out.includes(secret), `planted secret ${secret} leaked: ${out}\nrecord: ${typeof record === 'string' ? record : '(bytes)'}`);
  }
}

/** Logging-library layouts (docs/real-inputs.md §2), mutated like the dialects. */
const LAYOUTS: Record<string, unknown>[] = [
  {
    level: 50,
    time: 1795255200123,
    err: { type: 'AxiosError', message: 'Request failed', code: 'ERR_BAD_RESPONSE', status: 502 },
    msg: 'x',
    reqId: 'req_p',
  },
  {
    level: 'error',
    ts: 1795255200.5,
    caller: 'a.go:1',
    msg: 'x',
    error: 'CHANNEL_UPSTREAM_ERROR: failed (taobao 7/isv.x: App Call Limited)',
  },
  {
    '@timestamp': '2026-11-21T18:00:00+08:00',
    '@version': '1',
    message: 'x',
    level: 'ERROR',
    'error.code': 'QUOTA_EXCEEDED',
    'http.status': '429',
    mdc: { requestId: 'req_m' },
  },
  { '@t': '2026-11-21T10:00:00.1234567Z', '@mt': 'Order {Id}', '@l': 'Fatal', '@x': 'System.Exception: boom', Id: 1 },
  { asctime: '2026-11-21 10:00:00,123', levelname: 'CRITICAL', name: 'n', message: 'm', exc_info: 'Traceback' },
  { time_local: '21/Nov/2026:18:00:00 +0800', request: 'POST /v1/x?sign=1 HTTP/1.1', status: '502', request_time: '0.25' },
  {
    request: { method: 'GET', uri: '/v1/x', headers: { 'x-request-id': 'req_k' } },
    response: { status: 429 },
    latencies: { request: 9 },
    started_at: 1795255200123,
    route: { id: 'r' },
  },
  {
    http: { request: { method: 'post', id: 'req_e' }, response: { status_code: 503 } },
    url: { path: '/p' },
    event: { duration: 5e6 },
    log: { level: 'error' },
  },
  {
    message: 'm',
    context: { channel: 'taobao' },
    level: 400,
    level_name: 'ERROR',
    channel: 'app',
    datetime: '2026-11-21T10:00:00+00:00',
    extra: {},
  },
];

const ENVELOPES = [
  'docker',
  'fluentbit',
  'filebeat',
  'event.original',
  'vector',
  'message',
  'gelf',
  'cri',
  'syslog5424',
  'syslog3164',
  'fileformat',
] as const;

/** `inner` in one shipper's envelope (docs/real-inputs.md §1), the secret maybe planted in the envelope's own fields. */
function envelop(inner: string, kind: (typeof ENVELOPES)[number], key: string, secret: string, plantOuter: boolean): string {
  const extra = plantOuter ? { [key]: secret } : {};
  switch (kind) {
    case 'docker':
      return JSON.stringify({ log: `${inner}\n`, stream: 'stdout', time: '2026-11-21T10:00:00.123456789Z', ...extra });
    case 'fluentbit':
      return JSON.stringify({ '@timestamp': 1795255200.5, log: inner, ...extra });
    case 'filebeat':
      return JSON.stringify({
        '@timestamp': '2026-11-21T10:00:00Z',
        message: inner,
        agent: { type: 'filebeat' },
        log: { offset: 1 },
        ...extra,
      });
    case 'event.original':
      return JSON.stringify({ '@timestamp': '2026-11-21T10:00:00Z', event: { original: inner }, ecs: { version: '8' }, ...extra });
    case 'vector':
      return JSON.stringify({ message: inner, timestamp: '2026-11-21T10:00:00Z', source_type: 'file', ...extra });
    case 'message':
      return JSON.stringify({ message: inner, ...extra });
    case 'gelf':
      return JSON.stringify({
        version: '1.1',
        host: 'h',
        short_message: inner,
        timestamp: 1795255200,
        level: 3,
        ...(plantOuter ? { [`_${key}`]: secret } : {}),
      });
    case 'cri':
      return `2026-11-21T10:00:00.123456789Z stderr F ${inner}`;
    case 'syslog5424':
      return `<131>1 2026-11-21T10:00:00Z host app 1 - ${plantOuter ? `[x ${key}="${secret}"]` : '-'} ${inner}`;
    case 'syslog3164':
      return `<134>Nov 21 10:00:00 host app[1]: ${inner}`;
    default:
      return `2026-11-21T10:00:00.123456+08:00 host app[1]: ${inner}`;
  }
}

/** A JSON value as an OTLP AnyValue, as the Collector maps structured bodies (objects to kvlistValue, arrays to arrayValue). */
function anyValueOf(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValueOf) } };
  if (typeof v === 'object' && v !== null)
    return { kvlistValue: { values: Object.entries(v).map(([key, x]) => ({ key, value: anyValueOf(x) })) } };
  return {};
}

/** An OTLP/JSON message of 1–4 log records around `inner` (as a string body or as an object body), the secret maybe in attributes. */
function otlpOf(inner: string, n: number, asObject: boolean, key: string, secret: string, plantAttr: boolean): string {
  let body: unknown = { stringValue: inner };
  if (asObject) {
    try {
      const o = JSON.parse(inner) as unknown;
      if (typeof o === 'object' && o !== null && !Array.isArray(o)) body = anyValueOf(o);
    } catch {
      // a text line stays a string body
    }
  }
  const attributes = plantAttr
    ? [
        { key, value: { stringValue: secret } },
        { key: 'http.request.header.authorization', value: { arrayValue: { values: [{ stringValue: `Bearer ${secret}` }] } } },
      ]
    : [];
  const logRecords = Array.from({ length: n }, (_, i) => ({
    timeUnixNano: i === 0 ? '0' : '1795255200000000000',
    severityNumber: 9 + 4 * (i % 4),
    body,
    attributes,
    traceId: 'ab',
  }));
  return JSON.stringify({
    resourceLogs: [
      { resource: { attributes: plantAttr ? [{ key: `${key}`, value: { stringValue: secret } }] : [] }, scopeLogs: [{ logRecords }] },
    ],
  });
}

/** Every outcome of a record: each valid, none a fault, no planted secret in any; the count when known. */
function checkAll(record: string, ctx: NormalizeContext, secret: string, count?: number): void {
  const out = normalizeRecord(record, ctx);
  assert.ok(out.length >= 1);
  if (count !== undefined)
    assert.ok(out.length === count || (out.length === 1 && !out[0]!.ok), `expected ${count} outcomes or one reject, got ${out.length}`);
  for (const r of out) {
    if (r.ok) {
      const p = EventSchema.safeParse(r.event);
      assert.ok(p.success, `invalid event: ${JSON.stringify(r.event)}`);
      assert.ok(Buffer.byteLength(r.event.raw) <= (ctx.rawMaxBytes ?? 4096));
    } else {
      RejectSchema.parse(r.reject);
      assert.ok(Buffer.byteLength(r.reject.head) <= 512);
      if (r.reject.detail.startsWith('normalizer fault')) faults++;
      assert.ok(!r.reject.detail.startsWith('normalizer fault'), `internal fault on ${record}`);
    }
  }
  const all = JSON.stringify(out);
  assert.ok(!all.includes(secret), `planted secret ${secret} leaked: ${all}\nrecord: ${record}`);
  // The single-outcome path agrees: the one outcome, or one reject for a batch.
  const one = normalize(record, ctx);
  assert.deepEqual(one, out.length === 1 ? out[0] : one);
  assert.ok(out.length === 1 || (!one.ok && one.reject.reason === 'otlp_batch'));
  assert.ok(!JSON.stringify(one).includes(secret));
}

let total = 0;
function run<T>(arb: fc.Arbitrary<T>, numRuns: number, body: (v: T) => void): void {
  fc.assert(
    fc.property(arb, (v) => {
      body(v);
    }),
    { numRuns: depth(numRuns) },
  );
  total += depth(numRuns);
}

describe('normalize under generated input', () => {
  it('random bytes: never throws, event or reject', () => {
    run(fc.tuple(fc.uint8Array({ maxLength: 400 }), ctxArb), 15_000, ([b, ctx]) => check(b, ctx));
  });
  it('random text (any code points, JSON-ish characters)', () => {
    const jsonish = fc.string({
      unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '\\', 'a', '1', ' ', '=', 'é', '\u0000', '\ud800'),
      maxLength: 120,
    });
    run(fc.tuple(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), jsonish), ctxArb), 15_000, ([s, ctx]) => check(s, ctx));
  });
  it('every dialect with fields removed or mistyped, secrets planted', () => {
    const arb = fc.tuple(
      fc.nat(DIALECTS.length - 1),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
      fc.array(fc.option(wrongType, { nil: undefined }), { minLength: 1, maxLength: 6 }),
      fc.nat(9),
      fc.constantFrom(...SECRET_KEYS),
      secretArb,
      ctxArb,
    );
    run(arb, 30_000, ([d, drops, types, where, key, secret, ctx]) => {
      const obj = plantJson(mutate(DIALECTS[d] as Record<string, unknown>, drops, types), where, key, secret);
      check(JSON.stringify(obj), without(ctx, 'maxRecordBytes', 'maxDepth'), secret);
    });
  });
  it('text lines with secrets in every text hiding place', () => {
    run(fc.tuple(textLineArb, ctxArb), 20_000, ([t, ctx]) => {
      const { line, secret } = textLine(t);
      check(line, without(ctx, 'maxRecordBytes', 'maxDepth'), secret);
    });
  });
  it('truncated JSON records keep secrets out of the reject head', () => {
    const arb = fc.tuple(
      fc.nat(DIALECTS.length - 1),
      fc.nat(9),
      fc.constantFrom(...SECRET_KEYS),
      secretArb,
      fc.double({ min: 0, max: 1, noNaN: true }),
      ctxArb,
    );
    run(arb, 12_000, ([d, where, key, secret, cut, ctx]) => {
      const text = JSON.stringify(plantJson(DIALECTS[d] as Record<string, unknown>, where, key, secret));
      check(text.slice(0, Math.floor(text.length * cut)), without(ctx, 'maxRecordBytes'), secret);
    });
  });
  it('deeply nested JSON around the depth limit', () => {
    const arb = fc.tuple(fc.integer({ min: 1, max: 200 }), fc.constantFrom('[', '{"a":'), fc.boolean(), ctxArb);
    run(arb, 6_000, ([depth, open, closed, ctx]) => {
      const close = open === '[' ? ']' : '}';
      const inner = `${open.repeat(depth - 1)}1${closed ? close.repeat(depth - 1) : ''}`;
      const rec = `{"ts":"2026-11-21T10:00:00Z","x":${inner}}`;
      const r = normalize(rec, without(ctx, 'maxRecordBytes'));
      if (!closed || r.ok) return check(rec, without(ctx, 'maxRecordBytes'));
      const limit = ctx.maxDepth ?? 64;
      if (depth > limit) assert.equal(r.reject.reason, 'too_deep');
    });
  });
  it('huge strings and size limits', () => {
    const arb = fc.tuple(fc.integer({ min: 1, max: 1_200_000 }), fc.constantFrom('a', 'é', '淘', '😀'), fc.boolean(), secretArb);
    run(arb, 200, ([n, ch, asBytes, secret]) => {
      const rec = `{"ts":"2026-11-21T10:00:00Z","password":"${secret}","m":"${ch.repeat(Math.ceil(n / Buffer.byteLength(ch)))}"}`;
      const ctx: NormalizeContext = { source: 'client', transportTimeMs: 0 };
      check(asBytes ? Buffer.from(rec) : rec, ctx, secret);
      const r = normalize(rec, ctx);
      assert.equal(!r.ok && r.reject.reason === 'too_large', Buffer.byteLength(rec) > 1024 * 1024);
    });
  });
  it('secrets of every shape family (docs/secrets.md §2) in every place, escaped and percent-encoded', () => {
    run(fc.tuple(shapeSecretArb, fc.nat(9), fc.nat(3), fc.nat(1000), ctxArb), 12_000, ([sec, where, escapeKind, at, ctx]) => {
      const { record, source } = plantShape(sec, where, escapeKind, at);
      check(record, without({ ...ctx, source }, 'maxRecordBytes', 'maxDepth'), sec.check);
    });
  });
  it('envelopes (up to 4 deep) and OTLP batches around dialects, library layouts and text lines, secrets planted', () => {
    const innerArb = fc.oneof(
      fc
        .tuple(
          fc.nat(DIALECTS.length + LAYOUTS.length - 1),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
          fc.array(fc.option(wrongType, { nil: undefined }), { minLength: 1, maxLength: 6 }),
          fc.nat(9),
          fc.constantFrom(...SECRET_KEYS),
          secretArb,
        )
        .map(([d, drops, types, where, key, secret]) => ({
          text: JSON.stringify(
            plantJson(
              mutate((d < DIALECTS.length ? DIALECTS[d] : LAYOUTS[d - DIALECTS.length]) as Record<string, unknown>, drops, types),
              where,
              key,
              secret,
            ),
          ),
          key,
          secret,
        })),
      textLineArb.map((t) => ({ ...textLine(t), key: t.key })).map((t) => ({ text: t.line, key: t.key, secret: t.secret })),
    );
    const arb = fc.tuple(
      innerArb,
      fc.array(fc.tuple(fc.constantFrom(...ENVELOPES), fc.boolean()), { maxLength: 4 }),
      fc.option(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.boolean()), { nil: undefined }),
      ctxArb,
    );
    run(arb, 12_000, ([inner, envs, otlp, ctx]) => {
      let rec = inner.text;
      for (const [kind, plantOuter] of envs) rec = envelop(rec, kind, inner.key, inner.secret, plantOuter);
      const c = without(ctx, 'maxRecordBytes', 'maxDepth');
      if (otlp === undefined) return checkAll(rec, c, inner.secret);
      const [n, asObject, plantAttr] = otlp;
      checkAll(otlpOf(rec, n, asObject, inner.key, inner.secret, plantAttr), c, inner.secret, n);
    });
  });
  it('ran at least 100,000 generated inputs with no internal fault', () => {
    assert.ok(total >= depth(122_000) + depth(200), `ran ${total}`);
    assert.equal(faults, 0);
  });
});
