// Client log records: what the apps calling the gateway write about the same requests, with
// the same request ids (so `faultline trace req_…` shows both sides). JSON objects (flat, or
// with the gateway's answer embedded as an object or a JSON string), logfmt lines and plain
// text lines with key=value pairs and an optional `body=` JSON (docs/event-model.md §1).
import type { Rng } from './rng.ts';
import type { Plan } from './plan.ts';
import { BEARERS, TOKENS } from './secrets.ts';
import { personalOf } from './personal.ts';
import { formatTime, iso, spaced } from './time-format.ts';

type Obj = Record<string, unknown>;

const SERVICE: Record<string, string> = {
  'shop-eu': 'shop-api',
  'shop-us': 'shop-api',
  'dropship-sg': 'dropship-worker',
  'mobile-app': 'mobile-bff',
  'erp-sync': 'erp-connector',
};

function errorCode(p: Plan): string {
  if (p.gw) return p.gw.code;
  if (p.bizCode) return p.bizCode;
  if (p.outcome === 'partial_success') return 'PARTIAL_SUCCESS';
  return '';
}

function errorMessage(p: Plan): string {
  if (p.gw) return p.gw.message;
  if (p.bizMessage) return p.bizMessage;
  if (p.outcome === 'partial_success') return 'order created with failed lines';
  return `HTTP ${p.status}`;
}

/** The gateway's answer as the client saw it, for embedding. */
function answer(p: Plan): Obj | null {
  if (p.gw) {
    const e: Obj = { code: p.gw.code, message: p.gw.message, request_id: p.id };
    if (p.gw.category) e.category = p.gw.category;
    if (p.upstream)
      e.upstream = { vendor: p.upstream.vendor, code: String(p.upstream.err.code), message: p.upstream.err.subMsg ?? p.upstream.err.msg };
    return { error: e };
  }
  if (p.lines) {
    const key = p.linesKey ?? 'failed_offers';
    return {
      channel: p.channel,
      success: p.outcome === 'partial_success',
      ...(p.bizCode ? { code: p.bizCode, message: p.bizMessage } : {}),
      [key]: p.lines.map((l) =>
        key === 'unavailable_lines'
          ? { offer_id: l.offer_id, spec_id: l.spec_id, reason: l.code }
          : { offer_id: l.offer_id, spec_id: l.spec_id, error_code: l.code, error_message: l.message },
      ),
      request_id: p.id,
    };
  }
  return null;
}

const q = (s: string): string => (/[\s"=]/.test(s) ? JSON.stringify(s) : s);

export function clientRecord(rng: Rng, p: Plan, timeMs: number): string {
  const service = SERVICE[p.app] ?? 'shop-api';
  const ok = p.outcome === 'ok';
  const level = ok ? 'info' : p.outcome === 'error' && p.status >= 500 ? 'error' : 'warn';
  const code = errorCode(p);
  const form = rng.float();

  if (form < 0.4) {
    const r: Obj = {};
    formatTime(rng, r, timeMs, 'client');
    r.level = level;
    r.service = service;
    r.msg = ok ? 'gateway call ok' : 'gateway call failed';
    r.request_id = p.id;
    r.method = p.route.method;
    r.path = p.path;
    r.status = p.status;
    r.channel = p.channel;
    r.latency_ms = p.latencyMs + rng.int(2, 40);
    r.attempt = p.attempt;
    r.app_id = p.app;
    if (p.upstream && rng.chance(0.5)) r.vendor = p.upstream.vendor;
    if (rng.chance(0.05)) r.api_key = rng.pick(TOKENS);
    const pd = personalOf(p.id);
    if (pd.email) r.buyer_email = pd.email;
    if (pd.card) r.payment_card = pd.card;
    const a = answer(p);
    if (!ok && a && rng.chance(0.6)) {
      if (rng.chance(0.4)) r.response = JSON.stringify(a);
      else r.response = a;
    } else if (!ok) {
      if (p.outcome === 'business_failure' || p.outcome === 'partial_success') r.success = p.outcome === 'partial_success';
      if (code) r.error_code = code;
      r.error_message = errorMessage(p);
      if (p.gw?.category) r.category = p.gw.category;
    }
    return JSON.stringify(r);
  }

  if (form < 0.7) {
    // logfmt
    let s = `ts=${iso(timeMs)} level=${level} service=${service} msg=${q(ok ? 'gateway call ok' : 'gateway call failed')}`;
    s +=
      ` method=${p.route.method} path=${p.path} status=${p.status} request_id=${p.id} channel=${p.channel} attempt=${p.attempt} ` +
      `latency_ms=${p.latencyMs + rng.int(2, 40)}`;
    if (p.outcome === 'business_failure' || p.outcome === 'partial_success') s += ` success=${p.outcome === 'partial_success'}`;
    if (!ok && code) s += ` code=${code} error_message=${q(errorMessage(p))}`;
    if (rng.chance(0.06)) s += ` access_token=${rng.pick(TOKENS)}`;
    const pd = personalOf(p.id);
    if (pd.email) s += ` buyer=${pd.email}`;
    if (pd.card) s += ` card=${q(pd.card)}`;
    return s;
  }

  // Plain text line, like a framework logger writes it.
  const t = rng.chance(0.7) ? iso(timeMs) : spaced(timeMs);
  const lvl = level.toUpperCase();
  if (ok)
    return (
      `${t} ${lvl} ${service} ${p.route.method} ${p.path} status=${p.status} request_id=${p.id} took ` + `${p.latencyMs + rng.int(2, 40)}ms`
    );
  const style = rng.float();
  if (style < 0.45) {
    const biz = p.outcome === 'business_failure' || p.outcome === 'partial_success' ? ` success=${p.outcome === 'partial_success'}` : '';
    return (
      `${t} ${lvl} ${service} ${p.route.method} ${p.path} status=${p.status} request_id=${p.id} ` +
      `channel=${p.channel}${biz}${code ? ` code=${code}` : ''} attempt=${p.attempt}`
    );
  }
  if (style < 0.8) {
    const a = answer(p);
    return (
      `${t} ${lvl} ${service} gateway call failed status=${p.status} request_id=${p.id} ` +
      `channel=${p.channel}${a ? ` body=${JSON.stringify(a)}` : ''}`
    );
  }
  // Free words with a bare request id token, and a leaked Authorization header in the text.
  const leak = rng.chance(0.4) ? ` (Authorization: Bearer ${rng.pick(BEARERS)})` : '';
  return `${t} ${lvl} ${service} call to ${p.route.route} for ${p.id} failed with HTTP ${p.status}${leak}`;
}

/** Lines that cannot become events: they must end up as rejects, never crash anything. */
export function garbageRecord(rng: Rng, validJson: string): string {
  switch (rng.int(0, 6)) {
    case 0:
      return validJson.slice(0, Math.max(1, Math.floor(validJson.length / 2))); // truncated JSON
    case 1:
      return '[{"status":500,"code":"INTERNAL_ERROR"}]'; // JSON, not an object
    case 2:
      return String(rng.int(1, 99_999));
    case 3:
      return '"connection reset by peer"';
    case 4:
      return 'null';
    case 5:
      return '--- log rotated ---';
    default:
      return '{"ts":"2026-11-21T10:00:00Z","status":502,"error":{"code":"INTERNAL_ERROR",';
  }
}
