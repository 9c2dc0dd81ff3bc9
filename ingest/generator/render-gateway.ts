// Gateway log records (JSON), in the shapes of docs/event-model.md §1 and §3: protocol errors
// (dialect 1) under every wrapper key, business outcomes and partial successes (2), upstream
// calls carrying raw Taobao TOP 2.0/1.0 (3, 4), result_code (5) and Alipay (6) bodies, and
// bare HTTP errors (7). Key aliases and time formats vary the way real gateway fleets do.
import type { Rng } from './rng.ts';
import type { Line, Plan, Upstream } from './plan.ts';
import { BEARERS, SESSIONS, SIGNS } from './secrets.ts';
import { formatTime, timeField } from './time-format.ts';

type Obj = Record<string, unknown>;

const TAOBAO_API: Record<string, string> = {
  product: 'taobao.item.get',
  search: 'taobao.items.search',
  preview: 'taobao.trade.preview',
  create: 'taobao.trade.create',
  pay: 'alipay.trade.pay',
  order: 'taobao.trade.fullinfo.get',
};

/** TOP 2.0 `error_response`; half of them echo the call's args, signature and session included. */
function top2Body(rng: Rng, u: Upstream, api: string, withArgs: boolean): Obj {
  const e: Obj = { code: u.err.code, msg: u.err.msg };
  if (u.err.subCode) e.sub_code = u.err.subCode;
  if (u.err.subMsg) e.sub_msg = u.err.subMsg;
  e.request_id = rng.token(12);
  if (withArgs) {
    e.args = {
      arg: [
        { key: 'app_key', value: String(rng.int(21_000_000, 34_999_999)) },
        { key: 'method', value: api },
        { key: 'session', value: rng.pick(SESSIONS) },
        { key: 'sign', value: rng.pick(SIGNS) },
        { key: 'sign_method', value: 'md5' },
        { key: 'v', value: '2.0' },
      ],
    };
  }
  return { error_response: e };
}

/** The raw vendor body of an upstream error, in the vendor's own dialect. */
function vendorBody(rng: Rng, u: Upstream, api: string, withArgs: boolean): Obj {
  switch (u.dialect) {
    case 'top1':
      return { error_rsp: { code: u.err.code, msg: u.err.msg } };
    case 'result_code': {
      const b: Obj = { message: u.err.msg, result_code: u.err.code };
      b.validation_failed_responses = u.field
        ? [{ result_code: u.fieldCode, message: `${u.field} is invalid.`, property_name: u.field }]
        : [];
      b.odata = null;
      return b;
    }
    case 'alipay_legacy':
      return { is_success: 'F', error: u.err.code };
    case 'alipay_openapi':
      return {
        alipay_trade_pay_response: {
          code: u.err.code,
          msg: u.err.msg,
          sub_code: u.err.subCode,
          sub_msg: u.err.subMsg,
          out_trade_no: `ot${rng.token(14, '0123456789')}`,
        },
        sign: rng.pick(SIGNS),
      };
    case 'summary':
      return {
        vendor: u.vendor,
        code: String(u.err.code),
        ...(u.err.subCode ? { sub_code: u.err.subCode } : {}),
        message: u.err.subMsg ?? u.err.msg,
      };
    case 'string':
      return { message: `${u.vendor}: ${u.err.msg}` };
    default:
      return top2Body(rng, u, api, withArgs);
  }
}

function successVendorBody(rng: Rng, p: Plan): Obj {
  if (p.route.kind === 'pay') {
    return rng.chance(0.5)
      ? { is_success: 'T', sign: rng.pick(SIGNS), sign_type: 'MD5' }
      : {
          alipay_trade_pay_response: { code: '10000', msg: 'Success', trade_no: `2026${rng.token(20, '0123456789')}` },
          sign: rng.pick(SIGNS),
        };
  }
  if (p.channel === 'taobao')
    return { item_get_response: { item: { num_iid: rng.int(500_000_000_000, 799_999_999_999), title: 'Cotton T-shirt', price: '39.90' } } };
  return { success: true, result: { offer_id: String(rng.int(600_000_000_000, 799_999_999_999)) } };
}

function upstreamField(rng: Rng, u: Upstream, api: string): unknown {
  if (u.dialect === 'string') return `${u.vendor} ${u.err.code}: ${u.err.subMsg ?? u.err.msg}`;
  if (u.dialect === 'summary') return vendorBody(rng, u, api, false);
  // Nested raw vendor body; the gateway names the vendor beside it most of the time.
  const body = vendorBody(rng, u, api, false);
  return rng.chance(0.6) ? { vendor: u.vendor, ...body } : body;
}

function lines(p: Plan): Obj[] {
  return (p.lines ?? []).map((l: Line) =>
    p.linesKey === 'unavailable_lines'
      ? { offer_id: l.offer_id, spec_id: l.spec_id, reason: l.code, error_message: l.message }
      : { offer_id: l.offer_id, spec_id: l.spec_id, error_code: l.code, error_message: l.message },
  );
}

/**
 * Common envelope fields with varied aliases for time, request id and status, as JSON
 * members without braces. Built as a string (not JSON.stringify of an object) because this
 * is the generator's hot path; every value here is generator-made ASCII needing no escapes.
 */
function envelope(rng: Rng, p: Plan, timeMs: number, level: string, status: number | undefined): string {
  const [tk, tv] = timeField(rng, timeMs, 'gateway');
  let s = `"${tk}":${typeof tv === 'string' ? `"${tv}"` : String(tv)},"level":"${level}","service":"gateway",`;
  const idStyle = rng.float();
  if (idStyle < 0.7) s += `"request_id":"${p.id}",`;
  else if (idStyle < 0.85) s += `"requestId":"${p.id}",`;
  else if (rng.chance(0.5)) s += `"headers":{"x-request-id":"${p.id}","authorization":"Bearer ${rng.pick(BEARERS)}"},`;
  else s += `"headers":{"x-request-id":"${p.id}"},`;
  s += `"method":"${p.route.method}","route":"${p.route.route}","path":"${p.path}",`;
  if (status !== undefined) {
    const x = rng.float();
    s += x < 0.75 ? `"status":${status},` : x < 0.9 ? `"status_code":${status},` : `"http_status":${status},`;
  }
  s += `"latency_ms":${p.latencyMs},"channel":"${p.channel}","app_id":"${p.app}"`;
  if (p.attempt > 1) s += `,"attempt":${p.attempt}`;
  return s;
}

const member = (key: string, value: unknown): string => `,"${key}":${JSON.stringify(value)}`;

/** The gateway's access/error record of one request. */
export function gatewayRecord(rng: Rng, p: Plan, timeMs: number): string {
  if (p.outcome === 'ok') {
    const env = envelope(rng, p, timeMs, 'info', 200);
    if (p.route.kind === 'create' && rng.chance(0.3))
      return `{${env},"response":{"success":true,"order_id":"ord_${rng.token(10)}","request_id":"${p.id}"}}`;
    return `{${env}}`;
  }
  if (p.bareStatus) {
    const env = envelope(rng, p, timeMs, 'error', p.status);
    const message = p.status === 413 ? 'request entity too large' : 'upstream connect error or disconnect/reset before headers';
    return `{${env}${member('message', message)}}`;
  }
  if (p.outcome === 'business_failure' || p.outcome === 'partial_success') {
    const env = envelope(rng, p, timeMs, p.outcome === 'business_failure' ? 'warn' : 'info', 200);
    const body: Obj = { channel: p.channel, success: p.outcome === 'partial_success' };
    if (p.bizCode) body.code = p.bizCode;
    if (p.bizMessage) body.message = p.bizMessage;
    if (p.outcome === 'partial_success') body.order_id = `ord_${rng.token(10)}`;
    body[p.linesKey ?? 'failed_offers'] = lines(p);
    body.request_id = p.id;
    const where = rng.float();
    if (where < 0.5) return `{${env}${member('response', body)}}`;
    if (where < 0.75) return `{${env}${member('body', JSON.stringify(body))}}`;
    return `{${env}${member('payload', body)}}`;
  }
  // Protocol error (dialect 1). A few records omit status or category: the catalog fills them in.
  const gw = p.gw!;
  const env = envelope(rng, p, timeMs, p.status >= 500 ? 'error' : 'warn', rng.chance(0.05) ? undefined : p.status);
  const err: Obj = {
    code: gw.code,
    message: gw.code === 'QUOTA_EXCEEDED' ? `Daily channel quota exhausted for channel ${p.channel}.` : gw.message,
    request_id: p.id,
  };
  if (gw.category && rng.chance(0.85)) err.category = gw.category;
  if (p.upstream) err.upstream = upstreamField(rng, p.upstream, TAOBAO_API[p.route.kind] ?? 'taobao.item.get');
  const body = { error: err };
  const where = rng.float();
  if (where < 0.3) return `{${env}${member('error', err)}}`;
  if (where < 0.7) return `{${env}${member('response', body)}}`;
  if (where < 0.85) return `{${env}${member('body', JSON.stringify(body))}}`;
  return `{${env}${member('error_body', body)}}`;
}

/** The gateway's record of its own call to the vendor, with the vendor's raw answer. */
export function vendorCallRecord(rng: Rng, p: Plan, timeMs: number): string {
  const u = p.upstream;
  const api = TAOBAO_API[p.route.kind] ?? 'taobao.item.get';
  const r: Obj = {};
  formatTime(rng, r, timeMs, 'gateway');
  r.level = u ? 'warn' : 'debug';
  r.service = 'gateway';
  r.kind = 'upstream_call';
  r.request_id = p.id;
  r.channel = p.channel;
  r.vendor = u?.vendor ?? (p.route.kind === 'pay' ? 'alipay' : p.channel);
  r.api = r.vendor === 'taobao' ? api : r.vendor === 'alipay' ? 'alipay.trade.pay' : `${r.vendor}.${p.route.kind}`;
  // TOP and Alipay answer errors with HTTP 200; the result_code API uses real statuses.
  r.status = u?.dialect === 'result_code' ? (u.status ?? 400) : 200;
  r.latency_ms = Math.max(1, p.latencyMs - rng.int(0, 20));
  r.app_id = p.app;
  // The call record always holds the vendor's own raw body, never the gateway's summary of it.
  const raw = u && u.vendor === 'taobao' && (u.dialect === 'summary' || u.dialect === 'string') ? { ...u, dialect: 'top2' as const } : u;
  const body = raw ? vendorBody(rng, raw, api, rng.chance(0.5)) : successVendorBody(rng, p);
  const where = rng.float();
  if (where < 0.5) r.upstream_response = body;
  else if (where < 0.8) r.vendor_response = body;
  else r.message = JSON.stringify(body);
  return JSON.stringify(r);
}
