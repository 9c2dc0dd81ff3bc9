// What shippers and logging pipelines do to the generated lines (docs/real-inputs.md §1), for
// `faultline generate --shippers on`: some gateway lines in Docker json-file / Fluent Bit
// envelopes, some in CRI lines; some client lines carried by the OpenTelemetry Collector as
// OTLP/JSON messages of one log record; some client JSON lines written by a logging library
// (pino, zap, logstash-logback-encoder: libraryLine). Chosen by record number, never by the
// PRNG, so the records under the envelopes are the same as without them.

/** The line as its shipper would carry it; `k` is the record's number in the run. */
export function shipped(source: 'gateway' | 'client', k: number, timestampMs: number, value: string): string {
  const iso = new Date(timestampMs).toISOString();
  if (source === 'gateway') {
    // Docker json-file as Fluent Bit's docker parser reads it: {log, stream, time (RFC 3339 nano)}.
    if (k % 5 === 0) return JSON.stringify({ log: `${value}\n`, stream: 'stdout', time: iso.replace('Z', '000000Z') });
    // CRI (containerd): <time> <stream> <F|P> <line>.
    if (k % 7 === 0) return `${iso.replace('Z', '123456Z')} stdout F ${value}`;
    return value;
  }
  if (k % 4 !== 0) return libraryLine(k, value);
  // The Collector's Kafka exporter, encoding otlp_json: one log record, the line as its body.
  const ns = `${timestampMs}000000`;
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop-client' } }] },
        scopeLogs: [
          { scope: { name: 'shop' }, logRecords: [{ timeUnixNano: ns, observedTimeUnixNano: ns, body: { stringValue: value } }] },
        ],
      },
    ],
  });
}

/** pino's numeric levels (https://getpino.io/#/docs/api?id=levels): 30 info, 40 warn, 50 error. */
const PINO_LEVEL: Record<string, number> = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/**
 * A client JSON line as a logging library writes the same fields (docs/real-inputs.md §2): its
 * own keys for level and message, its own extra fields; the request's fields stay as the
 * application logged them (pino's merged object, zap's fields, logback's structured
 * arguments). One line in three of every four, by record number; anything else unchanged.
 */
function libraryLine(k: number, value: string): string {
  if (value.charCodeAt(0) !== 123 || k % 3 === 0) return value;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(value) as Record<string, unknown>;
  } catch {
    return value;
  }
  if (typeof o.level !== 'string' || typeof o.msg !== 'string') return value;
  const { level, msg, ...rest } = o;
  if (k % 3 === 1) {
    // pino: {"level":50,"time":…,"pid":…,"hostname":…,"msg":…} with the merged object's fields.
    const n = PINO_LEVEL[level];
    if (n === undefined) return value;
    return JSON.stringify({ level: n, ...rest, pid: 4242, hostname: 'shop-api-7d9f', msg });
  }
  if (k % 4 === 2) {
    // zap's production JSON encoder: level, ts, caller, msg, then the fields.
    return JSON.stringify({ level, ...rest, caller: 'client/gateway.go:88', msg });
  }
  // logstash-logback-encoder: @version, message, logger_name, thread_name, level (upper case), level_value.
  return JSON.stringify({
    ...rest,
    '@version': '1',
    message: msg,
    logger_name: 'com.shop.GatewayClient',
    thread_name: 'http-nio-8080-exec-3',
    level: level.toUpperCase(),
    level_value: level === 'error' ? 40000 : level === 'warn' ? 30000 : 20000,
  });
}
