// One parsed record (after its envelopes, docs/real-inputs.md §1) -> its event or reject.
// Flow: redact when the text may hold a secret -> collect the record's objects (top level, then
// wrapper bodies, JSON-in-strings), then the envelopes' fields -> fields by alias, the record's
// own first -> dialect and outcome (event-model.md §3, §4; real-inputs.md §3) -> categories and limits.
import { gatewayCode, statusClassCategory, statusLimitKind, type GatewayCode } from './catalog.ts';
import { BodyDecoder, collectBodies, isGatewayError } from './bodies.ts';
import { failedOffers, hasVendorMarker, successFlag, upstreamError, vendorError, type VendorError } from './dialects.ts';
import {
  CATEGORIES,
  type Category,
  type Event,
  type LimitKind,
  type NormalizeContext,
  type NormalizeResult,
  type Outcome,
} from './event.ts';
import {
  cap,
  catalogCodeIn,
  errorString,
  firstStr,
  latencyOf,
  messageOf,
  pick1,
  requestIdOf,
  routeAndMethod,
  statusOf,
  upper,
} from './fields.ts';
import { isObj, K, keyMap, pickStr, S, str, toInt, type KeyMap, type Obj } from './keys.ts';
import { DEFAULT_MAX_DEPTH, DEFAULT_RAW_MAX_BYTES, HEAD_MAX_BYTES, truncateUtf8 } from './limits.ts';
import type { ParsedOk } from './parse-record.ts';
import { redactedView } from './redact-record.ts';
import { redactOptions } from './redact.ts';
import { exceptionTypeAt, isErrorLevel, vendorSummaryIn } from './signals.ts';
import { acceptsCanonicalIso, formatIsoMillis, isCanonicalIso, parseTime } from './time.ts';

const RECORD_CATEGORIES: ReadonlySet<string> = new Set(CATEGORIES.filter((c) => c !== ''));
const OK_CODES = new Set(['', '0', '200', 'ok', 'success', '10000']);
const CHANNEL = [S.channel];
const VENDOR_HINT = [S.vendor, S.channel];
const APP_ID = [S.appId];

/** What surrounds a record: its envelopes (real-inputs.md §1, §4). */
export interface Framing {
  /** Envelope names, outermost first (`docker`, `cri`, `otlp-json`…). */
  chain: readonly string[];
  /** Objects read after the record's own, in order (envelope fields nearest first, OTLP attributes), already redacted. */
  extra: readonly Obj[];
  /** The record as it arrived, from the inner record's redacted text. */
  raw?: (innerRaw: string) => string;
  /** The inner line was prose: it is the message. */
  prose: boolean;
  /** GELF read as itself (format `gelf`). */
  layoutless: boolean;
}

export const PLAIN: Framing = { chain: [], extra: [], prose: false, layoutless: false };

export function buildEvent(p: ParsedOk, ctx: NormalizeContext, framing: Framing): NormalizeResult {
  const maxDepth = ctx.maxDepth ?? DEFAULT_MAX_DEPTH;
  // Redaction is skipped only when the text cannot hold a secret (redact-record.ts).
  const view = redactedView(p, redactOptions(ctx.redactionKey, ctx.pii));
  const raw = framing.raw === undefined ? view.raw : framing.raw(view.raw);

  const decode = new BodyDecoder(maxDepth, view.suspicious);
  const maps = collectBodies(view.topMap, view.tail, decode);
  const own = maps.length;
  for (const o of framing.extra) maps.push(keyMap(o));

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
  let ownTime = false;
  for (let i = 0; i < maps.length; i++) {
    const v = (maps[i] as KeyMap).get(S.time);
    if (v === undefined) continue;
    // A time already written as event_time would be (most records) is kept as is; its
    // instant is then never needed, only that parseTime accepts it.
    if (isCanonicalIso(v)) {
      if (acceptsCanonicalIso(v)) {
        eventTime = v;
        timeMs = 0;
        ownTime = i < own;
        break;
      }
      continue;
    }
    timeMs = parseTime(v);
    if (timeMs !== undefined) {
      ownTime = i < own;
      break;
    }
  }
  if (timeMs === undefined) {
    const t = ctx.transportTimeMs;
    if (t === undefined || !Number.isFinite(t)) {
      // `raw` is already redacted (from the parsed record, so pair lists and nested values too).
      return {
        ok: false,
        reject: {
          reason: 'bad_time',
          detail: 'record time is missing or unreadable and there is no transport time',
          head: truncateUtf8(raw, HEAD_MAX_BYTES),
        },
      };
    }
    timeMs = t;
  }

  const channel = monologChannel(p) ?? firstStr(maps, ctx.source === 'gateway' ? K.channelGateway : CHANNEL);
  const vendorHint = firstStr(maps, VENDOR_HINT);

  // Dialects, each taken from the first object that shows it.
  let gwMap: KeyMap | undefined;
  let gwLib = false;
  let vend: VendorError | undefined;
  let bizMap: KeyMap | undefined;
  let success: boolean | undefined;
  let flatMap: KeyMap | undefined;
  for (const m of maps) {
    if (gwMap === undefined) {
      const em = m.child(S.error);
      if (em !== undefined && isGatewayError(em)) {
        gwMap = em;
        gwLib = m.libError;
      }
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
  // An error object's own status (pino's `err.status`, real-inputs.md §2) when the record has none.
  if (status === 0 && gwMap !== undefined) status = toInt(gwMap.get(S.status), 100, 999) ?? 0;
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
  let entry: GatewayCode | undefined;

  const gwError = gwMap !== undefined && (status === 0 || status >= 400);
  // A flat code is a gateway code (§1); on a business outcome below 400 it is the business code.
  const flatError = !gwError && flatMap !== undefined && (status >= 400 || (status === 0 && flatMap !== bizMap));
  const em = gwError ? gwMap : flatError ? flatMap : undefined;
  if (em !== undefined) {
    const recCode = pickStr(em, K.code);
    entry = recCode === '' ? undefined : gatewayCode(recCode);
    if (entry !== undefined || (recCode !== '' && !gwLib)) {
      // The gateway's own code, known or not (an unknown one is catalog drift, event-model.md §3).
      code = recCode;
      drift = entry === undefined;
    } else {
      // A library's error object (real-inputs.md §3 "Which code wins"): a catalog code in an
      // error string, else the status, else its own code or type.
      const found = catalogCodeIn(maps, em);
      entry = found === '' ? undefined : gatewayCode(found);
      code =
        found ||
        (status >= 400 ? `HTTP_${status}` : recCode || typeOf(em) || (isErrorLevel(pick1(maps, S.level)) ? 'LOG_ERROR' : 'UNKNOWN_ERROR'));
    }
    if (httpStatus === 0 && entry) httpStatus = entry.http_status;
    category = recordCategory(str(em.get(S.category))) || entry?.category || statusClassCategory(httpStatus);
    const upChannel = ctx.source === 'client' ? vendorHint : channel;
    up = gwError ? upstreamError(em.get(S.upstream), status, upChannel, decode) : undefined;
    up ??= vend ?? summaryIn(maps, upChannel, status, decode);
    limitKind = entry?.limit_kind || up?.limitKind || (entry === undefined ? statusLimitKind(httpStatus) : '');
    if (gwError) message = pickStr(em, K.message) || flatMessage;
    outcome = 'error';
  } else if (vend !== undefined) {
    up = vend;
    code = vend.code;
    category = vend.category;
    limitKind = vend.limitKind;
    message = flatMessage || vend.message;
    outcome = 'error';
  } else if (status === 0 || status >= 400) {
    // A catalog code at the start of an error or message string (real-inputs.md §3).
    const found = catalogCodeIn(maps, undefined);
    entry = found === '' ? undefined : gatewayCode(found);
    if (entry !== undefined) {
      code = found;
      if (httpStatus === 0) httpStatus = entry.http_status;
      category = entry.category;
      outcome = 'error';
    } else if (status >= 400) {
      code = `HTTP_${status}`;
      category = statusClassCategory(status);
      outcome = 'error';
    } else if (status === 0 && bizMap === undefined && isErrorLevel(pick1(maps, S.level))) {
      // An error-level record with no status, error body or `success` (real-inputs.md §3 "Levels").
      code = exceptionTypeAt(errorString(maps)) || 'LOG_ERROR';
      category = 'INTERNAL_ERROR';
      outcome = 'error';
    }
    if (outcome === 'error') {
      up = summaryIn(maps, ctx.source === 'client' ? vendorHint : channel, status, decode);
      limitKind = entry?.limit_kind || up?.limitKind || (entry === undefined ? statusLimitKind(httpStatus) : '');
    }
  }
  if (
    outcome === 'ok' &&
    bizMap !== undefined &&
    status < 400 &&
    (success === false || offers.length > 0 || pickStr(bizMap, K.code) === 'PARTIAL_SUCCESS')
  ) {
    // A success that lists failed lines, or names itself PARTIAL_SUCCESS, is a partial success.
    const bizCode = pickStr(bizMap, K.code);
    outcome = success === false ? 'business_failure' : 'partial_success';
    code = bizCode || (success === false ? 'BUSINESS_FAILURE' : 'PARTIAL_SUCCESS');
    category = 'BUSINESS_ERROR';
    limitKind = gatewayCode(code)?.limit_kind ?? '';
    message = pickStr(bizMap, K.message) || flatMessage;
  }

  const requestId = requestIdOf(maps, view.reqToken);
  const rm = routeAndMethod(maps);
  const latency = latencyOf(maps);
  const attempt = toInt(pick1(maps, S.attempt), 0, 65535);
  const event: Event = {
    event_time: eventTime || formatIsoMillis(timeMs),
    source: ctx.source,
    request_id: cap(requestId),
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
    route: cap(rm.route),
    method: cap(upper(rm.method)),
    latency_ms: latency ?? null,
    attempt: attempt ?? null,
    // No app named: the caller's first credential fingerprint (docs/secrets.md §4).
    app_id: cap(firstStr(maps, APP_ID) || (view.keyFp === '' ? '' : `key:${view.keyFp}`)),
    catalog_drift: drift,
    raw: truncateUtf8(raw, ctx.rawMaxBytes ?? DEFAULT_RAW_MAX_BYTES),
    format:
      framing === PLAIN && p.kind === 'json'
        ? ownTime ||
          requestId !== '' ||
          status !== 0 ||
          message !== '' ||
          gwMap !== undefined ||
          vend !== undefined ||
          bizMap !== undefined ||
          pick1(maps, S.level) !== undefined ||
          pick1(maps, S.error) !== undefined
          ? 'json'
          : 'unrecognized'
        : formatOf(p, framing),
  };
  return { ok: true, event };
}

/**
 * docs/real-inputs.md §4: envelopes and the inner layout joined by `/` (a plain object with no
 * recognisable field, `unrecognized`, is decided where the fields are known).
 */
function formatOf(p: ParsedOk, f: Framing): string {
  let layout: string;
  if (f.layoutless) layout = '';
  else if (f.prose) layout = 'text';
  else if (p.kind === 'text') layout = p.rec.logfmt ? 'logfmt' : 'text';
  else layout = 'json';
  if (f.chain.length === 0) return layout;
  const chain = f.chain.join('/');
  return layout === '' ? chain : `${chain}/${layout}`;
}

/**
 * Monolog's `channel` names the logger, not a marketplace (real-inputs.md §2): a Monolog record
 * (`level_name`, `datetime`, `context`/`extra`) takes its channel from `context`/`extra` only.
 */
function monologChannel(p: ParsedOk): string | undefined {
  if (p.kind !== 'json') return undefined;
  const o = p.obj;
  if (o.level_name === undefined || o.datetime === undefined || (!isObj(o.context) && !isObj(o.extra))) return undefined;
  for (const c of [o.context, o.extra]) {
    if (!isObj(c)) continue;
    const v = pickStr(keyMap(c), CHANNEL);
    if (v !== '') return v.trim();
  }
  return '';
}

/** A vendor summary in parentheses inside the record's error string (real-inputs.md §3). */
function summaryIn(maps: readonly KeyMap[], channel: string, status: number, decode: BodyDecoder): VendorError | undefined {
  const e = errorString(maps);
  if (e === '' || e.indexOf('(') < 0) return undefined;
  const v = vendorSummaryIn(e);
  return v === undefined ? undefined : upstreamError(v, status, channel, decode);
}

/** An error object's type or name (`Error`, `AxiosError`, `java.net.SocketTimeoutException`). */
function typeOf(em: KeyMap): string {
  return str(em.get(S.type)) || str(em.get(S.name));
}

/** A code that means no error; none is longer than 7 characters, so most codes skip the lower-casing. */
function isOkCode(code: string): boolean {
  return code.length <= 7 && OK_CODES.has(code.toLowerCase());
}

function recordCategory(c: string): Category {
  return RECORD_CATEGORIES.has(c) ? (c as Category) : '';
}
