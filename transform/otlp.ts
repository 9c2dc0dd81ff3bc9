// OpenTelemetry OTLP/JSON logs (docs/real-inputs.md §1 "One record, several events"): an
// ExportLogsServiceRequest as the Collector's Kafka exporter writes it with `encoding: otlp_json`,
// `resourceLogs[].scopeLogs[].logRecords[]`
// (opentelemetry-proto logs/v1/logs.proto; JSON mapping: lowerCamelCase keys, 64-bit integers as
// decimal strings, AnyValue as `{"stringValue": …}`, `{"kvlistValue": {"values": [KeyValue]}}`…;
// example: opentelemetry-proto examples/logs.json). Each log record is one inner record: its
// body (a line, or an object), its attributes, then its resource's, as fields; its time
// (`timeUnixNano`, `0` meaning absent, else `observedTimeUnixNano`) and severity as the envelope's.
import { isObj, type Obj } from './keys.ts';
import { redactDeep } from './envelope.ts';
import { PLAIN, type RedactOptions } from './redact.ts';
import { otelSeverityWord } from './signals.ts';

export interface OtlpLogRecord {
  /** The body: a string (a line) or an object; undefined when the record has none. */
  body: unknown;
  /** Time and level of the record, as the envelope's fields. */
  envelope: Obj;
  /** The record's attributes, then its resource's (body fields win over both); the resource's already redacted. */
  attributes: Obj;
  resource: Obj;
  /**
   * The log record as it arrived, redacted (traceId kept here only). The body is put back as
   * the given redacted text of the inner record (an object body as that object, in place of its
   * key/value list): the body's own text, escaped once more inside the message, is no place to
   * scan for secrets.
   */
  raw(body: string | undefined): string;
}

/** Whether a parsed object is an OTLP/JSON logs message. */
export function isOtlpLogs(o: Obj): boolean {
  return Array.isArray(o.resourceLogs) || Array.isArray(o.resource_logs);
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function field(o: Obj, camel: string, snake: string): unknown {
  return o[camel] ?? o[snake];
}

/** An AnyValue as a plain value (int64 strings stay text when past 2^53). */
function anyValue(v: unknown, depth = 0): unknown {
  if (!isObj(v) || depth > 16) return undefined;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue === true || v.boolValue === 'true';
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (typeof v.bytesValue === 'string') return v.bytesValue;
  const a = field(v, 'arrayValue', 'array_value');
  if (isObj(a)) return arr(a.values).map((x) => anyValue(x, depth + 1));
  const kv = field(v, 'kvlistValue', 'kvlist_value');
  if (isObj(kv)) return keyValues(kv.values, depth + 1);
  return undefined;
}

/** A KeyValue list as an object (first of a key wins). */
function keyValues(list: unknown, depth = 0): Obj {
  const out: Obj = {};
  for (const kv of arr(list)) {
    if (!isObj(kv) || typeof kv.key !== 'string' || kv.key === '__proto__' || kv.key in out) continue;
    const v = anyValue(kv.value, depth);
    if (v !== undefined) out[kv.key] = v;
  }
  return out;
}

function severity(r: Obj): string {
  const text = field(r, 'severityText', 'severity_text');
  if (typeof text === 'string' && text !== '') return text;
  const n = field(r, 'severityNumber', 'severity_number');
  return otelSeverityWord(typeof n === 'number' ? n : Number(n));
}

function nanos(v: unknown): string | undefined {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : '';
  return s === '' || /^0+$/.test(s) ? undefined : s;
}

function parsedOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The log records of an OTLP/JSON logs message, in order. */
export function otlpLogRecords(o: Obj, ro: RedactOptions = PLAIN): OtlpLogRecord[] {
  const out: OtlpLogRecord[] = [];
  for (const rl of arr(field(o, 'resourceLogs', 'resource_logs'))) {
    if (!isObj(rl)) continue;
    const res = rl.resource;
    // Shared by every log record of the resource: read and redacted once.
    const resource = redactDeep(isObj(res) ? keyValues(res.attributes) : {}, ro) as Obj;
    for (const sl of arr(field(rl, 'scopeLogs', 'scope_logs'))) {
      if (!isObj(sl)) continue;
      for (const r of arr(field(sl, 'logRecords', 'log_records'))) {
        if (!isObj(r)) {
          out.push({ body: undefined, envelope: {}, attributes: {}, resource, raw: () => JSON.stringify(redactDeep(r, ro)) });
          continue;
        }
        const envelope: Obj = {};
        const t = nanos(field(r, 'timeUnixNano', 'time_unix_nano')) ?? nanos(field(r, 'observedTimeUnixNano', 'observed_time_unix_nano'));
        if (t !== undefined) envelope.timeUnixNano = t;
        const level = severity(r);
        if (level !== '') envelope.severityText = level;
        out.push({
          body: anyValue(r.body),
          envelope,
          attributes: keyValues(r.attributes),
          resource,
          raw: (body) =>
            JSON.stringify(
              redactDeep(
                body === undefined
                  ? r
                  : { ...r, body: isObj(r.body) && isObj(r.body.kvlistValue) ? { kvlistValue: parsedOr(body) } : { stringValue: body } },
                ro,
              ),
            ),
        });
      }
    }
  }
  return out;
}
