// OTLP/protobuf logs (docs/real-inputs.md §1): an ExportLogsServiceRequest as the OpenTelemetry
// Collector's Kafka exporter writes it with its default `encoding: otlp_proto`, read only on a
// topic configured for it (protobuf cannot be told from garbage by its bytes). Decoded with
// protobufjs against the official definitions (opentelemetry-proto, data/otlp/, as the JSON
// descriptor scripts/otlp-descriptor.ts writes), then turned into the OTLP/JSON shape
// (lowerCamelCase, 64-bit integers as decimal strings, trace and span ids as hex) that otlp.ts reads.
import protobuf from 'protobufjs/light.js';
import descriptor from '../data/otlp/logs-descriptor.json' with { type: 'json' };
import { isObj, type Obj } from './keys.ts';

const REQUEST = protobuf.Root.fromJSON(descriptor as protobuf.INamespace).lookupType(
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
);

/** The message as OTLP/JSON's object, or why it does not decode. */
export function decodeOtlpProto(bytes: Uint8Array): { ok: true; msg: Obj } | { ok: false; detail: string } {
  let decoded: protobuf.Message;
  try {
    decoded = REQUEST.decode(bytes);
  } catch (err) {
    // protobufjs names the offset and the wire problem ("index out of range: 12 + 10 > 15",
    // "invalid wire type 7 at offset 3"); it never quotes the bytes.
    const why = err instanceof Error ? err.message.slice(0, 160) : 'decode failed';
    return { ok: false, detail: `not an OTLP/protobuf ExportLogsServiceRequest: ${why}` };
  }
  const obj = REQUEST.toObject(decoded, { longs: String, enums: Number, bytes: String, defaults: false, arrays: false }) as Obj;
  hexIds(obj);
  return { ok: true, msg: obj };
}

/** OTLP/JSON writes traceId and spanId as hex (protobufjs gives base64). */
function hexIds(msg: Obj): void {
  const rls = msg.resourceLogs;
  if (!Array.isArray(rls)) return;
  for (const rl of rls) {
    if (!isObj(rl) || !Array.isArray(rl.scopeLogs)) continue;
    for (const sl of rl.scopeLogs) {
      if (!isObj(sl) || !Array.isArray(sl.logRecords)) continue;
      for (const r of sl.logRecords) {
        if (!isObj(r)) continue;
        for (const k of ['traceId', 'spanId']) if (typeof r[k] === 'string') r[k] = Buffer.from(r[k], 'base64').toString('hex');
      }
    }
  }
}
