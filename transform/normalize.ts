// One record -> one event or one reject (docs/event-model.md). Pure: no I/O, never throws.
// Flow: parse (limits, JSON or text) -> redact when the text may hold a secret -> collect the
// record's objects (top level, then wrapper bodies, JSON-in-strings) -> fields by alias, top
// level first -> dialect and outcome (§3, §4) -> categories and limits (§5).
import { gatewayCode, statusClassCategory } from './catalog.ts';
import { BodyDecoder, collectBodies, isGatewayError } from './bodies.ts';
import { failedOffers, hasVendorMarker, successFlag, upstreamError, vendorError, type VendorError } from './dialects.ts';
import { CATEGORIES, type Category, type Event, type LimitKind, type NormalizeContext, type NormalizeResult, type Outcome } from './event.ts';
import { K, pickStr, S, str, toInt, type KeyMap } from './keys.ts';
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_RECORD_BYTES, DEFAULT_RAW_MAX_BYTES, HEAD_MAX_BYTES, truncateUtf8 } from './limits.ts';
import { headOf, parseRecord } from './parse-record.ts';
import { redactedView } from './redact-record.ts';
import { redactOptions, redactText } from './redact.ts';
import { acceptsCanonicalIso, formatIsoMillis, isCanonicalIso, parseTime } from './time.ts';

const FIELD_MAX_BYTES = 4096;
const RECORD_CATEGORIES: ReadonlySet<string> = new Set(CATEGORIES.filter((c) => c !== ''));
const OK_CODES = new Set(['', '0', '200', 'ok', 'success', '10000']);
const CHANNEL = [S.channel];
const VENDOR_HINT = [S.vendor, S.channel];
const ROUTE = [S.route];
const METHOD = [S.method];
const APP_ID = [S.appId];

export function normalize(record: string | Uint8Array, ctx: NormalizeContext): NormalizeResult {
  try {
    return normalizeRecord(record, ctx);
  } catch (err) {
    // Last line of defence: a bug must cost one record, never the stream. Tests assert it never fires.
    let head = '';
    try {
      head = headOf(typeof record === 'string' ? record.slice(0, 4096) : new TextDecoder().decode(record.subarray(0, 4096)));
    } catch {
      head = '';
    }
    const name = err instanceof Error ? err.name : typeof err;
    return { ok: false, reject: { reason: 'unrecognised_text', detail: `normalizer fault (${name})`, head } };
  }
}

function normalizeRecord(record: string | Uint8Array, ctx: NormalizeContext): NormalizeResult {
  const maxDepth = ctx.maxDepth ?? DEFAULT_MAX_DEPTH;
  const p = parseRecord(record, ctx.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES, maxDepth);
  const ro = redactOptions(ctx.redactionKey, ctx.pii);
  if (p.kind === 'reject') return { ok: false, reject: ro.pii ? { ...p.reject, head: redactText(p.reject.head, ro) } : p.reject };

  // Redaction is skipped only when the text cannot hold a secret (redact-record.ts).
  const { topMap, tail, reqToken, raw, suspicious, keyFp } = redactedView(p, ro);

  const decode = new BodyDecoder(maxDepth, suspicious);
  const maps = collectBodies(topMap, tail, decode);

  let status = 0;
  for (const m of maps) {
    const s = statusOf(m);
    if (s !== undefined) {
      status = s;
      break;
    }
  }

  let timeMs: number | undefined;
  let eventTime = '';
  for (const m of maps) {
    const v = m.get(S.time);
    if (v === undefined) continue;
    // A time already written as event_time would be (most records) is kept as is; its
    // instant is then never needed, only that parseTime accepts it.
    if (isCanonicalIso(v)) {
      if (acceptsCanonicalIso(v)) {
        eventTime = v;
        timeMs = 0;
        break;
      }
      continue;
    }
    timeMs = parseTime(v);
    if (timeMs !== undefined) break;
  }
  if (timeMs === undefined) {
    const t = ctx.transportTimeMs;
    if (t === undefined || !Number.isFinite(t)) {
      // `raw` is already redacted (from the parsed record, so pair lists and nested values too).
      return { ok: false, reject: { reason: 'bad_time', detail: 'record time is missing or unreadable and there is no transport time', head: truncateUtf8(raw, HEAD_MAX_BYTES) } };
    }
    timeMs = t;
  }

  const channel = firstStr(maps, ctx.source === 'gateway' ? K.channelGateway : CHANNEL);
  const vendorHint = firstStr(maps, VENDOR_HINT);

  // Dialects, each taken from the first object that shows it.
  let gwMap: KeyMap | undefined;
  let vend: VendorError | undefined;
  let bizMap: KeyMap | undefined;
  let success: boolean | undefined;
  let flatMap: KeyMap | undefined;
  for (const m of maps) {
    if (gwMap === undefined) {
      const em = m.child(S.error);
      if (em !== undefined && isGatewayError(em)) gwMap = em;
    }
    const isVendor = hasVendorMarker(m);
    if (vend === undefined && isVendor) vend = vendorError(m, status, vendorHint);
    const sf = successFlag(m);
    if (bizMap === undefined && sf !== undefined) {
      bizMap = m;
      success = sf;
    }
    if (flatMap === undefined && !isVendor && !isOkCode(pickStr(m, K.code))) flatMap = m;
  }
  const offers = failedOffers(maps);
  const flatMessage = messageOf(maps, decode);

  let outcome: Outcome = 'ok';
  let code = '';
  let category: Category = '';
  let limitKind: LimitKind = '';
  let httpStatus = status;
  let drift = false;
  let up: VendorError | undefined;
  let message = flatMessage;

  const gwError = gwMap !== undefined && (status === 0 || status >= 400);
  // A flat code is a gateway code (§1); on a business outcome below 400 it is the business code.
  const flatError = !gwError && flatMap !== undefined && (status >= 400 || (status === 0 && flatMap !== bizMap));
  const em = gwError ? gwMap : flatError ? flatMap : undefined;
  if (em !== undefined) {
    const recCode = pickStr(em, K.code);
    const entry = recCode === '' ? undefined : gatewayCode(recCode);
    code = recCode || (status > 0 ? `HTTP_${status}` : 'UNKNOWN_ERROR');
    drift = recCode !== '' && entry === undefined;
    if (httpStatus === 0 && entry) httpStatus = entry.http_status;
    category = recordCategory(str(em.get(S.category))) || entry?.category || statusClassCategory(httpStatus);
    const upChannel = ctx.source === 'client' ? vendorHint : channel;
    up = gwError ? upstreamError(em.get(S.upstream), status, upChannel, decode) : undefined;
    up ??= vend;
    limitKind = entry?.limit_kind || up?.limitKind || '';
    if (gwError) message = pickStr(em, K.message) || flatMessage;
    outcome = 'error';
  } else if (vend !== undefined) {
    up = vend;
    code = vend.code;
    category = vend.category;
    limitKind = vend.limitKind;
    message = flatMessage || vend.message;
    outcome = 'error';
  } else if (status >= 400) {
    code = `HTTP_${status}`;
    category = statusClassCategory(status);
    outcome = 'error';
  } else if (bizMap !== undefined && (success === false || offers.length > 0 || pickStr(bizMap, K.code) === 'PARTIAL_SUCCESS')) {
    // A success that lists failed lines, or names itself PARTIAL_SUCCESS, is a partial success.
    const bizCode = pickStr(bizMap, K.code);
    outcome = success === false ? 'business_failure' : 'partial_success';
    code = bizCode || (success === false ? 'BUSINESS_FAILURE' : 'PARTIAL_SUCCESS');
    category = 'BUSINESS_ERROR';
    limitKind = gatewayCode(code)?.limit_kind ?? '';
    message = pickStr(bizMap, K.message) || flatMessage;
  }

  const latency = toInt(pick1(maps, S.latency), 0, 4294967295);
  const attempt = toInt(pick1(maps, S.attempt), 0, 65535);
  const event: Event = {
    event_time: eventTime || formatIsoMillis(timeMs),
    source: ctx.source,
    request_id: cap(requestIdOf(maps, reqToken)),
    http_status: httpStatus,
    outcome,
    code: cap(code),
    category,
    limit_kind: limitKind,
    channel: cap(channel),
    upstream_vendor: cap(up ? up.vendor || channel : ''),
    upstream_code: cap(up?.code ?? ''),
    upstream_sub_code: cap(up?.subCode ?? ''),
    upstream_message: cap(up?.message ?? ''),
    message: cap(message),
    failed_offers: offers,
    route: cap(pathOnly(firstStr(maps, ROUTE))),
    method: cap(upper(firstStr(maps, METHOD))),
    latency_ms: latency ?? null,
    attempt: attempt ?? null,
    // No app named: the caller's first credential fingerprint (docs/secrets.md §4).
    app_id: cap(firstStr(maps, APP_ID) || (keyFp === '' ? '' : `key:${keyFp}`)),
    catalog_drift: drift,
    raw: truncateUtf8(raw, ctx.rawMaxBytes ?? DEFAULT_RAW_MAX_BYTES),
  };
  return { ok: true, event };
}

/** A code that means no error; none is longer than 7 characters, so most codes skip the lower-casing. */
function isOkCode(code: string): boolean {
  return code.length <= 7 && OK_CODES.has(code.toLowerCase());
}

function statusOf(m: KeyMap): number | undefined {
  const s = toInt(m.get(S.status), 100, 999);
  if (s !== undefined) return s;
  const http = m.child(S.http);
  return http === undefined ? undefined : toInt(http.get(S.status), 100, 999);
}

function requestIdOf(maps: readonly KeyMap[], reqToken: string): string {
  for (const m of maps) {
    const direct = str(m.get(S.requestId));
    if (direct !== '') return direct;
    const h = m.child(S.headers);
    if (h !== undefined) {
      const v = str(h.get(S.requestId));
      if (v !== '') return v;
    }
    const e = m.child(S.error);
    if (e !== undefined) {
      const v = str(e.get(S.requestId));
      if (v !== '') return v;
    }
  }
  return reqToken;
}

function messageOf(maps: readonly KeyMap[], decoded: BodyDecoder): string {
  for (const m of maps) {
    for (const a of K.message) {
      const v = str(m.get(a));
      if (v !== '' && !decoded.wasDecoded(v)) return v;
    }
    const e = m.get(S.error);
    if (typeof e === 'string' && e !== '' && !decoded.wasDecoded(e) && !m.has(S.isSuccess)) return e;
  }
  return '';
}

function firstStr(maps: readonly KeyMap[], slots: readonly number[]): string {
  for (const m of maps) {
    const v = pickStr(m, slots);
    if (v !== '') return v.trim();
  }
  return '';
}

function pick1(maps: readonly KeyMap[], slot: number): unknown {
  for (const m of maps) {
    const v = m.get(slot);
    if (v !== undefined) return v;
  }
  return undefined;
}

function recordCategory(c: string): Category {
  return RECORD_CATEGORIES.has(c) ? (c as Category) : '';
}

/** `https://h/v1/x?y=1` -> `/v1/x` (route keeps the path only; query strings may hold secrets). */
function pathOnly(u: string): string {
  let s = u;
  const scheme = s.indexOf('://');
  if (scheme > 0 && scheme < 12) {
    const slash = s.indexOf('/', scheme + 3);
    s = slash < 0 ? '/' : s.slice(slash);
  }
  const q = s.indexOf('?');
  const h = s.indexOf('#');
  const cut = q < 0 ? h : h < 0 ? q : Math.min(q, h);
  return cut < 0 ? s : s.slice(0, cut);
}

/** toUpperCase, without its copy when there is nothing to change (methods mostly arrive upper-case). */
function upper(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 97 && c <= 122) || c > 127) return s.toUpperCase();
  }
  return s;
}

function cap(s: string): string {
  return s.length * 3 <= FIELD_MAX_BYTES ? s : truncateUtf8(s, FIELD_MAX_BYTES);
}
