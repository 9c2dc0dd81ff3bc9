// What shippers and logging pipelines do to the generated lines (docs/real-inputs.md §1), for
// `faultline generate --shippers on`: some gateway lines in Docker json-file / Fluent Bit
// envelopes, some in CRI lines; some client lines carried by the OpenTelemetry Collector as
// OTLP/JSON messages of one log record. Chosen by record number, never by the PRNG, so the
// records under the envelopes are the same as without them.

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
  if (k % 4 === 0) {
    // The Collector's Kafka exporter, encoding otlp_json: one log record, the line as its body.
    const ns = `${timestampMs}000000`;
    return JSON.stringify({
      resourceLogs: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop-client' } }] },
        scopeLogs: [{ scope: { name: 'shop' }, logRecords: [{ timeUnixNano: ns, observedTimeUnixNano: ns, body: { stringValue: value } }] }],
      }],
    });
  }
  return value;
}
