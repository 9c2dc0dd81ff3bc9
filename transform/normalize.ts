// One record -> its outcomes (docs/event-model.md, real-inputs.md). Pure: no I/O, never throws.
// Flow: decode (limits) -> JSON or text -> an OTLP message is one inner record per log record;
// anything else is unwrapped from up to 3 envelopes -> each inner record becomes an event or a
// reject (build-event.ts). `normalizeRecord` gives every outcome of a record, in order (their
// positions are their `record_index`): what ingest/ stores and `faultline parse` prints;
// `normalize` gives exactly one, for callers that want one result per record (benchmarks).
import { buildEvent, PLAIN, type Framing } from './build-event.ts';
import type { NormalizeContext, NormalizeResult } from './event.ts';
import { mayBeLine, prose, readLine, redactDeep, unwrap, type Layer, type Unwrapped } from './envelope.ts';
import { isObj, type Obj } from './keys.ts';
import {
  decodeHead,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_RECORD_BYTES,
  HEAD_MAX_BYTES,
  MAX_LOG_RECORDS_PER_MESSAGE,
  truncateUtf8,
} from './limits.ts';
import { isOtlpLogs, otlpLogRecords } from './otlp.ts';
import { decodeOtlpProto } from './otlp-proto.ts';
import { decodeRecord, headOf, parseText, type Parsed } from './parse-record.ts';
import { redactOptions, redactText } from './redact.ts';

/** Exactly one outcome: an OTLP message of several log records is one reject that says so (docs/real-inputs.md §1). */
export function normalize(record: string | Uint8Array, ctx: NormalizeContext): NormalizeResult {
  const out = guarded(record, ctx);
  if (!Array.isArray(out)) return out;
  if (out.length === 1) return out[0] as NormalizeResult;
  // The head from the log records' own redacted raws: the message's text holds their bodies
  // escaped once more, where a text scan for secrets would not see every key.
  let head = '';
  for (const r of out) {
    if (head.length > HEAD_MAX_BYTES) break;
    head += (head === '' ? '' : '\n') + (r.ok ? r.event.raw : r.reject.head);
  }
  head = truncateUtf8(head, HEAD_MAX_BYTES);
  return {
    ok: false,
    reject: {
      reason: 'otlp_batch',
      detail:
        `OTLP message holds ${out.length} log records; this path gives one outcome per record (normalizeRecord gives one per log ` +
        `record), so the message is kept as a reject rather than read as one event`,
      head,
    },
  };
}

/** Every outcome of one record, in order: one for every record but an OTLP message (one per log record). Never empty. */
export function normalizeRecord(record: string | Uint8Array, ctx: NormalizeContext): NormalizeResult[] {
  const out = guarded(record, ctx);
  return Array.isArray(out) ? out : [out];
}

/** One outcome, or the outcomes of an OTLP message (an array only then: most records allocate none). */
function guarded(record: string | Uint8Array, ctx: NormalizeContext): NormalizeResult | NormalizeResult[] {
  try {
    const out = outcomes(record, ctx);
    // Personal data masked in reject heads too (docs/secrets.md §5): the heads of records that
    // never parsed were redacted without the options.
    if (ctx.pii !== 'mask') return out;
    const ro = redactOptions(ctx.redactionKey, ctx.pii);
    const mask = (r: NormalizeResult): NormalizeResult =>
      r.ok ? r : { ok: false, reject: { ...r.reject, head: redactText(r.reject.head, ro) } };
    return Array.isArray(out) ? out.map(mask) : mask(out);
  } catch (err) {
    // Last line of defence: a bug must cost one record, never the stream. Tests assert it never fires.
    const name = err instanceof Error ? err.name : typeof err;
    return { ok: false, reject: { reason: 'unrecognised_text', detail: `normalizer fault (${name})`, head: safeHead(record) } };
  }
}

function safeHead(record: string | Uint8Array): string {
  try {
    return headOf(typeof record === 'string' ? record.slice(0, 4096) : decodeHead(record, 4096));
  } catch {
    return '';
  }
}

function outcomes(record: string | Uint8Array, ctx: NormalizeContext): NormalizeResult | NormalizeResult[] {
  const maxDepth = ctx.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (ctx.format === 'otlp_proto') return otlpProto(record, ctx, maxDepth);
  const d = decodeRecord(record, ctx.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
  if (d.kind === 'reject') return { ok: false, reject: d.reject };
  const p = parseText(d.text, maxDepth);
  if (p.kind === 'json') {
    if (!mayBeEnvelope(p.obj)) return buildEvent(p, ctx, PLAIN);
    if (isOtlpLogs(p.obj)) return otlp(p.obj, d.text, ctx, maxDepth);
  } else if (p.kind === 'text') {
    if (!mayBeTextEnvelope(d.text)) return buildEvent(p, ctx, PLAIN);
  } else if (p.reject.reason !== 'unrecognised_text') {
    // Text that is no log line by itself may still be one inside a syslog header (`<134>1 …`).
    return { ok: false, reject: p.reject };
  }
  return framed(unwrap(p, d.text, maxDepth, ctx.transportTimeMs, redactOptions(ctx.redactionKey, ctx.pii)), ctx, [], [], undefined);
}

/** Whether an object has a key an envelope or an OTLP message is made of (most records have none). */
function mayBeEnvelope(o: Obj): boolean {
  const m = o.message;
  return (
    (typeof m === 'string' && mayBeLine(m)) ||
    o.log !== undefined ||
    o.short_message !== undefined ||
    o.event !== undefined ||
    o['event.original'] !== undefined ||
    o.resourceLogs !== undefined ||
    o.resource_logs !== undefined
  );
}

/** Whether a text line may start with a CRI or syslog header: `<PRI>`, a CRI stream after the time, a syslog tag (`app[1]:`). */
function mayBeTextEnvelope(s: string): boolean {
  const c = s.charCodeAt(0);
  if (c === 60 || (c >= 65 && c <= 90)) return true;
  const sp = s.indexOf(' ');
  if (sp < 0) return false;
  const c2 = s.charCodeAt(sp + 1);
  if (c2 === 115 && (s.startsWith('stdout ', sp + 1) || s.startsWith('stderr ', sp + 1))) return true;
  // RSYSLOG_FileFormat: `TIME HOST TAG: …`: a `:` ends the third token.
  const sp2 = s.indexOf(' ', sp + 1);
  const sp3 = sp2 < 0 ? -1 : s.indexOf(' ', sp2 + 1);
  return sp3 > 0 && s.charCodeAt(sp3 - 1) === 58;
}

/** The outcome of an unwrapped record, with the frames around it (outermost first) and objects read last. */
function framed(
  u: Unwrapped,
  ctx: NormalizeContext,
  outer: readonly string[],
  last: readonly Obj[],
  raw: ((inner: string) => string) | undefined,
): NormalizeResult {
  if (u.inner.kind === 'reject') return { ok: false, reject: u.inner.reject };
  if (u.layers.length === 0 && outer.length === 0) return buildEvent(u.inner, ctx, PLAIN);
  const framing: Framing = {
    chain: [...outer, ...u.layers.map((l) => l.name)],
    // Nearest envelope first: the inner record's own fields, then its envelope's, outwards.
    extra: [...u.layers.map((l) => l.fields).reverse(), ...last],
    // The inner record's redacted text inside each envelope's own, then inside the outer frame's.
    raw: raw === undefined ? wrapAll(u.layers) : u.layers.length === 0 ? raw : (inner) => raw(wrapAll(u.layers)(inner)),
    prose: u.prose,
    layoutless: u.gelfItself,
  };
  return buildEvent(u.inner, ctx, framing);
}

/** The record as it arrived: each envelope's text around the next one's, the inner record's redacted text innermost. */
function wrapAll(layers: readonly Layer[]): (inner: string) => string {
  return (inner) => {
    let s = inner;
    for (let i = layers.length - 1; i >= 0; i--) s = (layers[i] as Layer).wrap(s);
    return s;
  };
}

/**
 * One outcome per OTLP log record (real-inputs.md §1): its body is the inner record (a line,
 * possibly in envelopes of its own, or an object); its attributes, then its resource's, are
 * fields of it; its time and severity are the envelope's. The raw of each is its log record.
 */
/** A record on an `otlp_proto` topic: an OTLP/protobuf logs message, or one reject that says why not. */
function otlpProto(record: string | Uint8Array, ctx: NormalizeContext, maxDepth: number): NormalizeResult | NormalizeResult[] {
  const max = ctx.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const bytes = typeof record === 'string' ? new TextEncoder().encode(record) : record;
  const head = (): string => headOf(decodeHead(bytes, 4096));
  if (bytes.byteLength > max)
    return {
      ok: false,
      reject: { reason: 'too_large', detail: `record is ${bytes.byteLength} bytes, over the limit of ${max}`, head: head() },
    };
  if (bytes.byteLength === 0) return { ok: false, reject: { reason: 'empty', detail: 'record is empty', head: '' } };
  const d = decodeOtlpProto(bytes);
  if (!d.ok) return { ok: false, reject: { reason: 'invalid_otlp', detail: d.detail, head: head() } };
  return otlp(d.msg, '', ctx, maxDepth, 'otlp-proto');
}

function otlp(msg: Obj, text: string, ctx: NormalizeContext, maxDepth: number, name = 'otlp-json'): NormalizeResult[] {
  const ro = redactOptions(ctx.redactionKey, ctx.pii);
  const records = otlpLogRecords(msg, ro);
  if (records.length === 0) {
    return [
      {
        ok: false,
        reject: {
          reason: 'empty',
          detail: 'OTLP message holds no log records',
          head: headOf(text.length > 4096 ? text.slice(0, 4096) : text),
        },
      },
    ];
  }
  const out: NormalizeResult[] = [];
  const n = Math.min(records.length, MAX_LOG_RECORDS_PER_MESSAGE);
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    let inner: Parsed;
    let isProse = false;
    let text = '';
    if (typeof r.body === 'string') {
      const l = readLine(r.body, maxDepth, ctx.transportTimeMs);
      inner = l.parsed;
      isProse = l.prose;
      text = l.text;
    } else if (isObj(r.body)) {
      text = JSON.stringify(r.body);
      inner = { kind: 'json', text, obj: r.body };
    } else {
      inner = prose(r.body === undefined ? '' : String(r.body));
      isProse = true;
    }
    const done = isProse || (inner.kind === 'reject' && inner.reject.reason !== 'unrecognised_text');
    const u: Unwrapped = done
      ? { inner, layers: [], prose: isProse, gelfItself: false }
      : unwrap(inner, text, maxDepth, ctx.transportTimeMs, ro);
    const last = [redactDeep(r.attributes, ro) as Obj, r.resource, r.envelope];
    // raw: a line body is put back as the inner record's redacted text (prose: the line redacted as text).
    const line = typeof r.body === 'string' ? r.body : undefined;
    const raw = u.prose ? () => r.raw(line === undefined ? undefined : redactText(line, ro)) : (inner: string) => r.raw(inner);
    const res = framed(u, ctx, [name], last, raw);
    out.push(res.ok ? res : { ok: false, reject: { ...res.reject, detail: `log record ${i}: ${res.reject.detail}` } });
  }
  if (records.length > n) {
    // Kept, not dropped: one reject (record_index n) stands for every log record not read.
    out.push({
      ok: false,
      reject: {
        reason: 'too_large',
        detail:
          `OTLP message holds ${records.length} log records, over the limit of ${MAX_LOG_RECORDS_PER_MESSAGE} per message: log ` +
          `records ${n}-${records.length - 1} were not read`,
        head: headOf(text.length > 4096 ? text.slice(0, 4096) : text),
      },
    });
  }
  return out;
}
