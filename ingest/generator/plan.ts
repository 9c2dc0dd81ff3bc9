// What happens to one simulated request: route, channel, app, outcome, error code, vendor
// error and failed order lines. Rendering into raw log records is done elsewhere
// (render-gateway.ts, render-client.ts); this file holds the traffic mix and the incidents.
import type { Rng } from './rng.ts';
import { APP_WEIGHTS, CHANNEL_WEIGHTS, ROUTES, type Channel, type Incident, type Route } from './scenario.ts';
import {
  ALIBABA_1688,
  ALIPAY_LEGACY,
  ALIPAY_OPENAPI,
  DRIFT_CODES,
  OFFER_ERRORS,
  RESULT_CODES,
  TAOBAO_BACKGROUND,
  TAOBAO_OUTAGE,
  TAOBAO_V1,
  gatewayCode,
  type GatewayCode,
  type VendorError,
} from './vendors.ts';

/** How a vendor error is written: a raw vendor dialect (docs/event-model.md §3, 3–6) or the gateway's summary. */
type UpstreamDialect = 'top2' | 'top1' | 'result_code' | 'alipay_legacy' | 'alipay_openapi' | 'summary' | 'string';

export interface Upstream {
  vendor: string;
  dialect: UpstreamDialect;
  err: VendorError;
  /** result_code only: the HTTP status the vendor answered with. */
  status?: number;
  field?: string;
  fieldCode?: string;
}

export interface Line {
  offer_id: string;
  spec_id: string;
  code: string;
  message: string;
}

export interface Plan {
  id: string;
  timeMs: number;
  app: string;
  channel: Channel;
  route: Route;
  path: string;
  status: number;
  latencyMs: number;
  attempt: number;
  outcome: 'ok' | 'error' | 'business_failure' | 'partial_success';
  /** The gateway protocol error (dialect 1), including drift codes. */
  gw: GatewayCode | undefined;
  upstream: Upstream | undefined;
  /** Business outcome (dialect 2). */
  bizCode: string | undefined;
  bizMessage: string | undefined;
  lines: Line[] | undefined;
  linesKey: 'failed_offers' | 'unavailable_lines' | undefined;
  /** An error with only an HTTP status and no body (dialect 7). */
  bareStatus: boolean;
  /** Also log the upstream call as its own gateway record with the raw vendor body. */
  vendorCall: boolean;
  /** The calling app logs this request too (client stream). */
  client: boolean;
  /**
   * attempt > 1 with a client log: the client's waits after each earlier attempt (ms), which the
   * client logs too (same request id, attempts 1..attempt-1, the same answer).
   */
  retryGapsMs: number[] | undefined;
  /** The client gave up waiting (its own timeout) on a call the gateway served: it logs a 504. */
  clientTimedOut: boolean;
}

/**
 * How the apps retry (the error reference, test/fixtures/seeds/gateway-errors.en.txt "Recommended
 * handling": retry 429 and 500 with exponential backoff, never retry 400/401 unchanged). Most
 * back off from 1 s; one app retries a 429 within 100-400 ms, one retries 400/401/403/404
 * unchanged, and one gives up on calls slower than its timeout.
 */
const HASTY_APP = 'mobile-app';
const CARELESS_APP = 'erp-sync';
const IMPATIENT_APP = 'mobile-app';
export const CLIENT_TIMEOUT_MS = 2500;
const NON_RETRYABLE = new Set([400, 401, 403, 404]);

/** The quota incident: the share of a channel's calls refused once its daily quota is spent, and their median latency. */
export const QUOTA_HIT_SHARE = 0.85;
export const QUOTA_HIT_LATENCY_MS = 15;
/** Parcel calls are not counted against the channel's quota. */
export const quotaApplies = (kind: Route['kind']): boolean => kind !== 'parcel' && kind !== 'wallet_pay';

const active = (inc: Incident | undefined, t: number, channel?: string): boolean =>
  inc !== undefined && t >= inc.startMs && t < inc.endMs && (inc.channel === undefined || channel === undefined || inc.channel === channel);

function offerLines(rng: Rng, n: number, forceStock: boolean): Line[] {
  const out: Line[] = [];
  for (let i = 0; i < n; i++) {
    const e = forceStock ? { code: 'STOCK_NOT_ENOUGH', message: 'Insufficient stock' } : rng.weighted(OFFER_ERRORS);
    out.push({
      offer_id: String(rng.int(600_000_000_000, 799_999_999_999)),
      spec_id: rng.token(32, '0123456789abcdef'),
      code: e.code,
      message: e.message,
    });
  }
  return out;
}

function taobaoUpstream(rng: Rng, outage: boolean): Upstream {
  if (!outage && rng.chance(0.12)) return { vendor: 'taobao', dialect: 'top1', err: rng.pick(TAOBAO_V1) };
  const err = rng.weighted(outage ? TAOBAO_OUTAGE : TAOBAO_BACKGROUND);
  return {
    vendor: 'taobao',
    dialect: rng.weighted([
      ['top2', 6],
      ['summary', 3],
      ['string', 1],
    ] as const),
    err,
  };
}

function vendorUpstream(rng: Rng, channel: Channel, kind: Route['kind']): Upstream {
  if (kind === 'pay' || kind === 'wallet_pay') {
    if (rng.chance(0.4)) return { vendor: 'alipay', dialect: 'alipay_legacy', err: { code: rng.pick(ALIPAY_LEGACY), msg: '' } };
    return { vendor: 'alipay', dialect: 'alipay_openapi', err: rng.pick(ALIPAY_OPENAPI) };
  }
  if (channel === 'taobao') return taobaoUpstream(rng, false);
  if (channel === 'tw-mall') {
    const r = rng.weighted(RESULT_CODES);
    return {
      vendor: 'tw-mall',
      dialect: 'result_code',
      err: { code: r.code, msg: r.message },
      status: r.status,
      ...(r.field ? { field: r.field, fieldCode: r.fieldCode ?? '' } : {}),
    };
  }
  return { vendor: '1688', dialect: 'summary', err: rng.weighted(ALIBABA_1688) };
}

const BACKGROUND_CODES: readonly (readonly [string, number])[] = [
  ['CHANNEL_UPSTREAM_ERROR', 30],
  ['VALIDATION_ERROR', 14],
  ['NOT_FOUND', 8],
  ['RATE_LIMIT_EXCEEDED', 8],
  ['INTERNAL_ERROR', 4],
  ['INVALID_API_KEY', 4],
  ['CHANNEL_NOT_AUTHORIZED', 2],
  ['INSUFFICIENT_SCOPE', 2],
  ['FULFILLMENT_MODE_NOT_SUPPORTED', 1],
  ['UNSUPPORTED_CHANNEL', 2],
  ['UNSUPPORTED_FIELD', 2],
  ['QUOTA_EXCEEDED', 1],
  ['PLATFORM_QUOTA_EXCEEDED', 1],
  ['CHANNEL_CAPABILITY_NOT_SUPPORTED', 2],
  ['PARCEL_NOT_FOUND', 2],
  ['INVALID_SHIPPING_CHANNEL', 1],
  ['INSUFFICIENT_BALANCE', 1],
];

function fail(p: Plan, code: string): void {
  p.gw = gatewayCode(code);
  p.status = p.gw.status;
  p.outcome = 'error';
}

export interface PlanContext {
  rng: Rng;
  incidents: Map<string, Incident> | null;
  nextId: () => string;
}

export function planRequest(ctx: PlanContext, timeMs: number): Plan {
  const { rng } = ctx;
  const route = rng.weighted(ROUTES);
  const channel = route.kind === 'parcel' || route.kind === 'wallet_pay' ? '1688' : rng.weighted(CHANNEL_WEIGHTS);
  const p: Plan = {
    id: ctx.nextId(),
    timeMs,
    app: rng.weighted(APP_WEIGHTS),
    channel,
    route,
    path: route.route.replace(
      '{id}',
      route.kind === 'product'
        ? String(rng.int(500_000_000_000, 799_999_999_999))
        : (route.kind === 'parcel' || route.kind === 'wallet_pay' ? 'pcl_' : 'ord_') + rng.token(10),
    ),
    status: 200,
    latencyMs: rng.latency(route.latency),
    attempt: 1,
    outcome: 'ok',
    vendorCall: rng.chance(0.03),
    client: rng.chance(0.3),
    // Every optional field present from the start keeps one object shape (hot path).
    gw: undefined,
    upstream: undefined,
    bizCode: undefined,
    bizMessage: undefined,
    lines: undefined,
    linesKey: undefined,
    bareStatus: false,
    retryGapsMs: undefined,
    clientTimedOut: false,
  };
  const inc = ctx.incidents;
  const vendorish = route.kind !== 'parcel' && route.kind !== 'order';

  if (inc && active(inc.get('quota_exhausted'), timeMs, channel) && quotaApplies(route.kind) && rng.chance(QUOTA_HIT_SHARE)) {
    fail(p, 'QUOTA_EXCEEDED');
    p.latencyMs = rng.latency(QUOTA_HIT_LATENCY_MS);
    p.attempt = rng.int(1, 4);
  } else if (inc && active(inc.get('taobao_outage'), timeMs, channel) && vendorish && rng.chance(0.7)) {
    fail(p, 'CHANNEL_UPSTREAM_ERROR');
    p.upstream = taobaoUpstream(rng, true);
    p.latencyMs = 3000 + rng.int(0, 2500);
    p.vendorCall = rng.chance(0.5);
  } else if (inc && active(inc.get('error_spike'), timeMs) && rng.chance(0.3)) {
    if (rng.chance(0.15)) {
      p.status = rng.pick([502, 503, 504]);
      p.outcome = 'error';
      p.bareStatus = true;
    } else fail(p, 'INTERNAL_ERROR');
    p.latencyMs = rng.latency(2000);
  } else if (inc && route.kind === 'create' && active(inc.get('failed_offers_burst'), timeMs, channel) && rng.chance(0.6)) {
    p.outcome = 'business_failure';
    p.bizCode = 'ORDER_CREATE_FAILED';
    p.bizMessage = 'One or more lines could not be purchased.';
    p.lines = offerLines(rng, rng.int(1, 4), true);
    p.linesKey = 'failed_offers';
  } else if (channel === '1688' && (route.kind === 'create' || route.kind === 'preview') && rng.chance(0.1)) {
    const create = route.kind === 'create';
    p.linesKey = create ? 'failed_offers' : 'unavailable_lines';
    p.lines = offerLines(rng, rng.int(1, 3), false);
    if (rng.chance(0.35)) {
      p.outcome = 'partial_success';
    } else {
      p.outcome = 'business_failure';
      p.bizCode = create ? 'ORDER_CREATE_FAILED' : 'ORDER_PREVIEW_FAILED';
      p.bizMessage = create ? 'One or more lines could not be purchased.' : 'Some lines are unavailable.';
    }
  } else if (rng.chance(0.035)) {
    const roll = rng.float();
    if (roll < 0.03) {
      const d = rng.pick(DRIFT_CODES);
      p.gw = d;
      p.status = d.status;
      p.outcome = 'error';
    } else if (roll < 0.06) {
      p.status = rng.pick([500, 503, 504, 413]);
      p.outcome = 'error';
      p.bareStatus = true;
    } else {
      let code = rng.weighted(BACKGROUND_CODES);
      if (code === 'CHANNEL_UPSTREAM_ERROR' && !vendorish) code = 'NOT_FOUND';
      fail(p, code);
      if (code === 'CHANNEL_UPSTREAM_ERROR') {
        p.upstream = vendorUpstream(rng, channel, route.kind);
        p.vendorCall = rng.chance(0.4);
        p.latencyMs = rng.latency(route.latency * 2);
      } else if (p.gw && p.gw.status < 500) p.latencyMs = rng.latency(25);
      if (p.gw?.category === 'RATE_LIMIT_ERROR') p.attempt = rng.int(1, 3);
    }
  } else if (p.vendorCall && (route.kind === 'pay' || channel !== '1688') && rng.chance(0.5)) {
    // A vendor call that the vendor answered with an error but the gateway recovered from
    // (retry succeeded): the request is ok, the upstream-call record carries the vendor body.
    p.upstream = vendorUpstream(rng, channel, route.kind);
  }
  if (p.outcome !== 'ok') p.client = rng.chance(0.8);
  if (p.client) {
    if (p.app === CARELESS_APP && p.outcome === 'error' && NON_RETRYABLE.has(p.status)) p.attempt = 2;
    if (p.attempt > 1) {
      p.retryGapsMs = [];
      for (let a = 1; a < p.attempt; a++) {
        p.retryGapsMs.push(
          p.app === HASTY_APP && p.status === 429 ? rng.int(100, 400) : Math.round(1000 * 2 ** (a - 1) * (1 + rng.float() / 5)),
        );
      }
    }
    if (p.app === IMPATIENT_APP && p.outcome === 'ok' && p.latencyMs > CLIENT_TIMEOUT_MS) p.clientTimedOut = true;
  }
  // A vendor call is logged with the vendor's answer: only errors with an upstream error or
  // successes have one that matches the gateway's outcome.
  if (p.outcome !== 'ok' && p.upstream === undefined) p.vendorCall = false;
  if (p.upstream === undefined) p.vendorCall = p.vendorCall && route.kind !== 'parcel' && route.kind !== 'order';
  return p;
}
