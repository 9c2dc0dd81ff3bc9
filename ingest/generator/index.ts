// Synthetic traffic for both log streams: a simulated period (a day by default) of gateway
// and client records sharing request ids, in every dialect of docs/event-model.md §3, with an
// incident mix (Taobao outage, error spike, failed-offer burst, 1688 quota exhaustion),
// planted secrets and a little garbage. Deterministic: the same options give the same bytes.
import { resolveOptions, type GenerateOptions, type GeneratedSource } from './options.ts';
import { Rng } from './rng.ts';
import { clientRecord, garbageRecord } from './render-client.ts';
import { gatewayRecord, vendorCallRecord } from './render-gateway.ts';
import { incidentSchedule, type Incident } from './scenario.ts';
import { shipped } from './shippers.ts';
import { walkSlots } from './walk.ts';

export type { Incident } from './scenario.ts';
export { resolveOptions, startOfUtcDay, type GenerateOptions, type GeneratedSource } from './options.ts';
export { quotaHistory, type QuotaHistory } from './quota-history.ts';

export interface GeneratedRecord {
  source: GeneratedSource;
  topic: string;
  /** When the record was written (the Kafka message timestamp to use). */
  timestampMs: number;
  /** The raw record: one JSON object, logfmt or text line, no newline. */
  value: string;
}

/** The incidents a run with these options contains, with their time windows. */
export function incidentsOf(o: GenerateOptions = {}): Incident[] {
  const r = resolveOptions(o);
  return r.incidents ? incidentSchedule(r.startMs, r.durationMs) : [];
}

/** Yield exactly `count` records: the slots of walkSlots, rendered (deterministic: the same options give the same bytes). */
export function* generateRecords(options: GenerateOptions = {}): Generator<GeneratedRecord> {
  const o = resolveOptions(options);
  const rng = new Rng(o.seed);
  const shipper = o.incidents ? incidentSchedule(o.startMs, o.durationMs).find((i) => i.name === 'misconfigured_shipper') : undefined;
  let k = 0;
  for (const s of walkSlots(o, rng)) {
    k++;
    let value =
      s.kind === 'vendor'
        ? vendorCallRecord(rng, s.plan, s.timeMs)
        : s.kind === 'gateway'
          ? gatewayRecord(rng, s.plan, s.timeMs)
          : clientRecord(rng, s.plan, s.timeMs);
    // The misconfigured shipper (no randomness drawn, so every other record is as before).
    const misconfigured = shipper !== undefined && s.source === 'client' && s.timeMs >= shipper.startMs && s.timeMs < shipper.endMs;
    if (misconfigured) value = JSON.stringify({ fwd_v2: { line: value }, shipper: 'edge-forwarder' });
    if (o.garbage > 0 && rng.chance(o.garbage)) value = garbageRecord(rng, value);
    // Garbage stays bare: a shipper's envelope around it would be a readable record of its own.
    // So does the misconfigured shipper's shape: it is that hour's shipper, not inside another.
    else if (o.shippers && !misconfigured) value = shipped(s.source, k, s.timeMs, value);
    yield { source: s.source, topic: s.source === 'gateway' ? o.topics.gateway : o.topics.client, timestampMs: s.timeMs, value };
  }
}
