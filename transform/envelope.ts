// Envelopes (docs/real-inputs.md §1): what log shippers wrap a line in. A JSON object is an
// envelope when its line-carrying key (`log`, `message`, `event.original`, GELF's
// `short_message`) holds a string that is a JSON object or a recognisable text line and its
// other keys carry no error signal of their own; a text line is one when it starts with a CRI
// or syslog header. Envelopes nest: unwrap at most 3 levels. Each level leaves its other
// fields (time, level, GELF's `_` fields, …) as a lower-priority object of the record, and a
// way to put the inner record's redacted text back into its own for `raw`.
import { hasVendorMarker } from './dialects.ts';
import { isObj, K, keyMap, S, type Obj } from './keys.ts';
import { tryJson } from './limits.ts';
import { isJsonLed, parseText, reject, type Parsed, type ParsedOk } from './parse-record.ts';
import { PLAIN, redactValue, type RedactOptions } from './redact.ts';
import { syslogLevelWord } from './signals.ts';
import { textEnvelope } from './text-envelope.ts';

const MAX_ENVELOPES = 3;

export interface Layer {
  /** `docker`, `cri`, `syslog`, `gelf`, `filebeat`, `vector`, `message`, `otlp-json` (§4). */
  name: string;
  /** The envelope's own fields, redacted: read after the inner record's (its time, its level). */
  fields: Obj;
  /** The envelope's redacted text around the inner record's redacted text. */
  wrap(innerRaw: string): string;
}

export interface Unwrapped {
  /** The innermost record, or a failure of it (an inner line that looks like JSON and does not parse). */
  inner: Parsed;
  /** Outermost first. */
  layers: Layer[];
  /** The inner line is prose (no timestamp, pair or request id): it is the event's message (§1). */
  prose: boolean;
  /** GELF read as itself: its `short_message` held no record. */
  gelfItself: boolean;
}

export interface Line {
  /** Its record, prose as a record, or a reject (JSON-led and broken; or no line by itself but in a text envelope, `enveloped`). */
  parsed: Parsed;
  prose: boolean;
  /** The trimmed line. */
  text: string;
  /** The line is no record by itself but starts with a text envelope (a syslog `<PRI>` header): unwrap goes on. */
  enveloped: boolean;
}

/** A line taken from an envelope or an OTLP body. */
export function readLine(line: string, maxDepth: number, transportMs: number | undefined): Line {
  const t = line.trim();
  if (t === '') return { parsed: prose(''), prose: true, text: t, enveloped: false };
  const p = parseText(t, maxDepth);
  if (p.kind === 'reject' && p.reject.reason === 'unrecognised_text') {
    if (textEnvelope(t, transportMs) !== undefined) return { parsed: p, prose: false, text: t, enveloped: true };
    return { parsed: prose(t), prose: true, text: t, enveloped: false };
  }
  return { parsed: p, prose: false, text: t, enveloped: false };
}

/** A prose line as a record of its own: the line is its message. */
export function prose(line: string): ParsedOk {
  const obj: Obj = { message: line };
  return { kind: 'json', text: JSON.stringify(obj), obj };
}

/** Unwrap up to MAX_ENVELOPES levels around a parsed record (or the text that failed as one). */
export function unwrap(
  first: Parsed,
  text: string,
  maxDepth: number,
  transportMs: number | undefined,
  ro: RedactOptions = PLAIN,
): Unwrapped {
  const layers: Layer[] = [];
  let cur: Parsed = first;
  let curText = text;
  let isProse = false;
  let gelfItself = false;
  for (let n = 0; n < MAX_ENVELOPES; n++) {
    if (cur.kind === 'json') {
      const env = jsonEnvelope(cur.obj, maxDepth, transportMs, ro);
      if (env === undefined) break;
      if (env.inner === undefined) {
        // GELF whose short_message is no record: the GELF object is the record (§1).
        layers.push(env.layer);
        cur = { kind: 'json', text: cur.text, obj: env.itself ?? cur.obj };
        gelfItself = true;
        break;
      }
      layers.push(env.layer);
      cur = env.inner.parsed;
      isProse = env.inner.prose;
      curText = env.inner.text;
    } else {
      // A text line (or text that was no line): CRI and syslog headers.
      if (isJsonLed(curText)) break;
      const env = textEnvelope(curText, transportMs, ro);
      if (env === undefined) break;
      const r = readLine(env.line, maxDepth, transportMs);
      layers.push(env.layer);
      cur = r.parsed;
      isProse = r.prose;
      if (cur.kind === 'reject' && !r.enveloped) {
        cur = reject(cur.reject.reason, `${env.layer.name}: ${cur.reject.detail}`, curText);
        break;
      }
      curText = r.text;
    }
    if (isProse || (cur.kind === 'reject' && cur.reject.reason !== 'unrecognised_text')) break;
  }
  // Still an envelope after the last one unwrapped: read as a record, the outer envelope's own
  // fields (`time`, `stream`) would make an `ok` event of whatever error is inside. A reject says so.
  if (layers.length === MAX_ENVELOPES && !isProse && !gelfItself) {
    const inner = innermost(cur, curText, maxDepth, transportMs);
    // The head is the innermost record's text: the envelopes' texts hold it escaped once per
    // level, where a text scan for secrets would not see every key.
    if (inner !== undefined)
      cur = reject('too_deep', `envelopes nested deeper than ${MAX_ENVELOPES} (${layers.map((l) => l.name).join('/')}/…)`, inner);
  }
  return { inner: cur, layers, prose: isProse, gelfItself };
}

/** The text of the record inside the envelopes around `cur`, if `cur` is an envelope at all (bounded: 64 levels). */
function innermost(cur: Parsed, text: string, maxDepth: number, transportMs: number | undefined): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < 64; i++) {
    if (cur.kind === 'json') {
      const env = jsonEnvelope(cur.obj, maxDepth, transportMs, PLAIN);
      if (env?.inner === undefined) break;
      cur = env.inner.parsed;
      text = found = env.inner.text;
      if (env.inner.prose) break;
    } else {
      if (isJsonLed(text)) break;
      const env = textEnvelope(text, transportMs, PLAIN);
      if (env === undefined) break;
      const r = readLine(env.line, maxDepth, transportMs);
      cur = r.parsed;
      text = found = r.text;
      if (r.prose) break;
    }
  }
  return found;
}

// Beats and ECS metadata beside `message` (Filebeat, Elastic Agent, Logstash's ECS mode).
const BEATS_KEYS = ['agent', 'ecs', 'input', 'host', 'fields', 'log'];

/** The JSON envelope around an object, if it is one. */
function jsonEnvelope(
  o: Obj,
  maxDepth: number,
  transportMs: number | undefined,
  ro: RedactOptions,
): { layer: Layer; inner: Line | undefined; itself?: Obj } | undefined {
  // GELF 1.1 payload: version, host, short_message (https://go2docs.graylog.org/current/getting_in_log_data/gelf_format.html).
  const sm = o.short_message;
  if (typeof sm === 'string' && o.version !== undefined && o.host !== undefined) {
    const fields = gelfFields(o);
    const layer = objectLayer('gelf', o, 'short_message', fields, ro);
    const r = mayBeLine(sm) ? readLine(sm, maxDepth, transportMs) : undefined;
    if (r !== undefined && !r.prose && (r.parsed.kind !== 'reject' || r.enveloped)) return { layer, inner: r };
    // As itself: its fields without the `_`, the short message as the message, the level as a word.
    return { layer: { ...layer, wrap: () => JSON.stringify(redactDeep(o, ro)) }, inner: undefined, itself: { ...fields, message: sm } };
  }
  let key: string;
  let line: unknown;
  let name: string;
  if (typeof o.log === 'string') {
    key = 'log';
    line = o.log;
    name = 'docker';
  } else if (typeof o.message === 'string') {
    key = 'message';
    line = o.message;
    name =
      o.source_type !== undefined
        ? 'vector'
        : o['@timestamp'] !== undefined && BEATS_KEYS.some((k) => o[k] !== undefined)
          ? 'filebeat'
          : 'message';
  } else {
    const ev = o.event;
    line = o['event.original'] ?? (isObj(ev) ? ev.original : undefined);
    if (typeof line !== 'string') return undefined;
    key = o['event.original'] !== undefined ? 'event.original' : 'event';
    name = 'filebeat';
  }
  const s = line as string;
  if (!mayBeLine(s) || hasOwnSignal(o)) return undefined;
  const r = readLine(s, maxDepth, transportMs);
  // Only a JSON object or a recognisable line (or one in a text envelope) makes an envelope; prose stays the object's message.
  if (r.prose || (r.parsed.kind === 'reject' && !r.enveloped)) return undefined;
  const fields: Obj = {};
  for (const k in o) if (k !== key && !(name === 'filebeat' && (k === 'message' || k === 'event.original'))) fields[k] = o[k];
  return { layer: objectLayer(name, o, key, fields, ro), inner: r };
}

/** A layer of a JSON envelope: its fields redacted; raw is the envelope with the inner text put back. */
function objectLayer(name: string, o: Obj, key: string, fields: Obj, ro: RedactOptions): Layer {
  return {
    name,
    fields: redactDeep(fields, ro) as Obj,
    wrap: (innerRaw: string) => {
      const copy: Obj = {};
      for (const k in o)
        copy[k] = k === key ? SLOT : key === 'event' && k === 'event' && isObj(o.event) ? { ...o.event, original: SLOT } : o[k];
      // The inner text is already redacted (by the inner record's own, structural, redaction).
      return JSON.stringify(redactDeep(copy, ro)).replace(SLOT_JSON, () => JSON.stringify(innerRaw));
    },
  };
}

// A placeholder for the inner record's text while the envelope around it is redacted.
const SLOT = '\u0000faultline-inner\u0000';
const SLOT_JSON = JSON.stringify(SLOT);
const MAX_DECODE = 4;

/**
 * redactValue, with JSON held in strings decoded and redacted as structure first, down to
 * MAX_DECODE levels: an envelope's field may hold another shipper's JSON, escaped once more at
 * each level, where a scan of the text for secret keys would not see every key.
 */
export function redactDeep(v: unknown, ro: RedactOptions = PLAIN, depth = 0): unknown {
  return redactValue(decodeStrings(v, depth, ro), undefined, ro);
}

function decodeStrings(v: unknown, depth: number, ro: RedactOptions): unknown {
  if (typeof v === 'string') {
    if (depth >= MAX_DECODE || v.length < 2) return v;
    const c = v.charCodeAt(0);
    if (c !== 123 && c !== 91) return v;
    const parsed = tryJson(v, 64);
    return typeof parsed === 'object' && parsed !== null ? JSON.stringify(redactDeep(parsed, ro, depth + 1)) : v;
  }
  if (typeof v !== 'object' || v === null) return v;
  // Copied only where a string below changes (most envelopes hold no JSON in strings).
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = decodeStrings(v[i], depth, ro);
      if (x === v[i]) continue;
      out ??= v.slice();
      out[i] = x;
    }
    return out ?? v;
  }
  let out: Obj | undefined;
  const o = v as Obj;
  for (const k in o) {
    const x = decodeStrings(o[k], depth, ro);
    if (x === o[k]) continue;
    if (out === undefined) {
      out = {};
      for (const j in o) {
        if (j === '__proto__') Object.defineProperty(out, j, { value: o[j], enumerable: true, writable: true, configurable: true });
        else out[j] = o[j];
      }
    }
    if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    else out[k] = x;
  }
  return out ?? o;
}

/** GELF's fields: `_x` as `x` (the spec's additional fields), the syslog level as a word. */
function gelfFields(o: Obj): Obj {
  const f: Obj = {};
  for (const k in o) {
    if (k === 'short_message' || k === 'version' || k === 'full_message') continue;
    const name = k.length > 1 && k.charCodeAt(0) === 95 ? k.slice(1) : k;
    if (name === '__proto__') continue;
    f[name] = o[k];
  }
  if (typeof o.level === 'number') f.level = syslogLevelWord(o.level);
  return f;
}

/**
 * Could this string be a JSON object or a recognisable line? A cheap test before parsing: prose
 * (`Daily channel quota exhausted`) has no `{`, `=`, leading digit, `<` or `req_`.
 */
export function mayBeLine(s: string): boolean {
  let i = 0;
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  const c = s.charCodeAt(i);
  return c === 123 || c === 60 || c === 91 || (c >= 48 && c <= 57) || s.includes('=') || s.includes('req_');
}

/** Whether the envelope's own keys carry an error signal: a status, an error body, `success` (§1). */
function hasOwnSignal(o: Obj): boolean {
  const m = keyMap(o);
  if (m.has(S.status) || m.has(S.error) || m.has(S.success) || hasVendorMarker(m)) return true;
  for (const w of K.wrappers) if (m.has(w)) return true;
  return false;
}
