// Field lookups over a record's objects in lookup order (docs/event-model.md §1, real-inputs.md §2):
// the first object that has a field gives it.
import type { BodyDecoder } from './bodies.ts';
import { K, pickStr, S, str, toInt, type KeyMap } from './keys.ts';
import { catalogCodeAt } from './signals.ts';
import { truncateUtf8 } from './limits.ts';

const FIELD_MAX_BYTES = 4096;

export function statusOf(m: KeyMap): number | undefined {
  const s = toInt(m.get(S.status), 100, 999);
  if (s !== undefined) return s;
  const http = m.child(S.http);
  return http === undefined ? undefined : toInt(http.get(S.status), 100, 999);
}

export function requestIdOf(maps: readonly KeyMap[], reqToken: string): string {
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

export function messageOf(maps: readonly KeyMap[], decoded: BodyDecoder): string {
  for (const m of maps) {
    for (const a of K.message) {
      const v = str(m.get(a));
      if (v !== '' && !decoded.wasDecoded(v)) return v;
    }
    // structlog's `event`, else a CLEF template (real-inputs.md §2), before an exception's text.
    const ev = m.get(S.eventMsg);
    if (typeof ev === 'string' && ev !== '') return ev;
    const mt = m.get(S.messageTemplate);
    if (typeof mt === 'string' && mt !== '') return mt;
    const e = m.get(S.error);
    if (typeof e === 'string' && e !== '' && !decoded.wasDecoded(e) && !m.has(S.isSuccess)) return e;
  }
  return '';
}

/**
 * The catalog code an error or message string begins with (real-inputs.md §3), looking at the
 * record's error strings, its messages and its error object's message.
 */
export function catalogCodeIn(maps: readonly KeyMap[], em: KeyMap | undefined): string {
  for (const m of maps) {
    const e = m.get(S.error);
    if (typeof e === 'string') {
      const c = catalogCodeAt(e);
      if (c !== '') return c;
    }
    for (const a of K.message) {
      const v = m.get(a);
      if (typeof v === 'string') {
        const c = catalogCodeAt(v);
        if (c !== '') return c;
      }
    }
  }
  if (em !== undefined) {
    const c = catalogCodeAt(pickStr(em, K.message));
    if (c !== '') return c;
  }
  return '';
}

/** The first error string of the record (zap's and logrus's `error`, CLEF's `@x`). */
export function errorString(maps: readonly KeyMap[]): string {
  for (const m of maps) {
    const e = m.get(S.error);
    if (typeof e === 'string' && e !== '') return e;
  }
  return '';
}

export function firstStr(maps: readonly KeyMap[], slots: readonly number[]): string {
  for (const m of maps) {
    const v = pickStr(m, slots);
    if (v !== '') return v.trim();
  }
  return '';
}

export function pick1(maps: readonly KeyMap[], slot: number): unknown {
  for (const m of maps) {
    const v = m.get(slot);
    if (v !== undefined) return v;
  }
  return undefined;
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.length > 0 && v.length < 24 ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Latency in ms: milliseconds, else ECS `event.duration` (ns), else nginx `request_time` (s) (real-inputs.md §2). */
export function latencyOf(maps: readonly KeyMap[]): number | undefined {
  const ms = toInt(pick1(maps, S.latency), 0, 4294967295);
  if (ms !== undefined) return ms;
  const ns = num(pick1(maps, S.latencyNs));
  if (ns !== undefined) return toInt(ns / 1e6, 0, 4294967295);
  const sec = num(pick1(maps, S.latencySec));
  return sec === undefined ? undefined : toInt(sec * 1000, 0, 4294967295);
}

// nginx's `$request`: `POST /v1/x HTTP/1.1`.
const REQUEST_LINE = /^([A-Z]{3,7}) (\S+)(?: HTTP\/[\d.]+)?$/;

/** Route and method; a request line in the route field gives both. */
export function routeAndMethod(maps: readonly KeyMap[]): { route: string; method: string } {
  const route = firstStr(maps, ROUTE);
  const method = firstStr(maps, METHOD);
  if (route.length > 5 && route.charCodeAt(0) !== 47) {
    const m = REQUEST_LINE.exec(route);
    if (m) return { route: pathOnly(m[2] ?? ''), method: method || (m[1] ?? '') };
  }
  return { route: pathOnly(route), method };
}
const ROUTE = [S.route];
const METHOD = [S.method];

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
export function upper(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 97 && c <= 122) || c > 127) return s.toUpperCase();
  }
  return s;
}

export function cap(s: string): string {
  return s.length * 3 <= FIELD_MAX_BYTES ? s : truncateUtf8(s, FIELD_MAX_BYTES);
}
