// OTLP/JSON logs messages as the OpenTelemetry Collector's Kafka exporter writes them with
// `encoding: otlp_json`: an ExportLogsServiceRequest in the protobuf JSON mapping of the
// OTLP specification (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding: lowerCamelCase
// field names, 64-bit integers such as timeUnixNano as decimal strings, AnyValue bodies), shaped
// like opentelemetry-proto's examples/logs.json. Each log record's body is one log line.
export interface OtlpLine {
  /** The log line (a gateway or client record's text). */
  body: string;
  /** Its time, epoch ms. */
  timeMs: number;
}

/** One OTLP/JSON logs message holding `lines` as log records, in order, in one resource and scope. */
export function otlpJsonBatch(lines: readonly OtlpLine[], service = 'shop-client'): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeLogs: [
          {
            scope: { name: 'shop' },
            logRecords: lines.map((l) => ({
              timeUnixNano: `${l.timeMs}000000`,
              observedTimeUnixNano: `${l.timeMs}000000`,
              body: { stringValue: l.body },
            })),
          },
        ],
      },
    ],
  });
}
