// Synthetic traffic for both log streams: a simulated period (a day by default) of gateway
// and client records sharing request ids, in every dialect of docs/event-model.md §3, with an
// incident mix (Taobao outage, error spike, failed-offer burst, 1688 quota exhaustion),
// planted secrets and a little garbage. Deterministic: the same options give the same bytes.
import { Rng } from './rng.ts';
import { planRequest, type PlanContext } from './plan.ts';
import { clientRecord, garbageRecord } from './render-client.ts';
import { gatewayRecord, vendorCallRecord } from './render-gateway.ts';
import { incidentSchedule, Timeline, type Incident } from './scenario.ts';
import { shipped } from './shippers.ts';

export type { Incident, IncidentName } from './scenario.ts';
export { CHANNELS, APPS } from './scenario.ts';
export { PLANTED_SECRETS } from './secrets.ts';
export { GATEWAY_CODES } from './vendors.ts';

export type GeneratedSource = 'gateway' | 'client';

export interface GeneratedRecord {
  source: GeneratedSource;
  topic: string;
  /** When the record was written (the Kafka message timestamp to use). */
  timestampMs: number;
  /** The raw record: one JSON object, logfmt or text line, no newline. */
  value: string;
}

export interface GenerateOptions {
  /** PRNG seed (default 1). */
  seed?: number;
  /** Start of the simulated period, epoch ms (default: the start of the current UTC day). */
  startMs?: number;
  /** Length of the simulated period in ms (default one day). */
  durationMs?: number;
  /** Exact number of records to emit; default `ratePerSec × duration`. */
  count?: number;
  /** Records per simulated second when `count` is not given (default 5). */
  ratePerSec?: number;
  /** Which streams to emit (default both). */
  sources?: 'gateway' | 'client' | 'both';
  /** Include the incident mix (default true); off gives a steady day. */
  incidents?: boolean;
  /** Fraction of records that are garbage (default 0.002; 0 turns it off). */
  garbage?: number;
  /** Carry some lines as shippers and libraries do (Docker, CRI, OTLP/JSON, pino/zap/logback; shippers.ts); default off here, on in `faultline generate` and the demo. */
  shippers?: boolean;
  topics?: { gateway: string; client: string };
}

export interface ResolvedOptions {
  seed: number;
  startMs: number;
  durationMs: number;
  count: number;
  sources: 'gateway' | 'client' | 'both';
  incidents: boolean;
  garbage: number;
  shippers: boolean;
  topics: { gateway: string; client: string };
}

const DAY_MS = 86_400_000;

export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export function resolveOptions(o: GenerateOptions = {}): ResolvedOptions {
  const durationMs = o.durationMs ?? DAY_MS;
  if (!(durationMs > 0)) throw new RangeError('generator: durationMs must be positive');
  const count = o.count ?? Math.round((o.ratePerSec ?? 5) * (durationMs / 1000));
  if (!Number.isInteger(count) || count < 0) throw new RangeError('generator: count must be a non-negative integer');
  return {
    seed: o.seed ?? 1,
    startMs: o.startMs ?? startOfUtcDay(Date.now()),
    durationMs,
    count,
    sources: o.sources ?? 'both',
    incidents: o.incidents ?? true,
    garbage: o.garbage ?? 0.002,
    shippers: o.shippers ?? false,
    topics: o.topics ?? { gateway: 'gateway-logs', client: 'client-logs' },
  };
}

/** The incidents a run with these options contains, with their time windows. */
export function incidentsOf(o: GenerateOptions = {}): Incident[] {
  const r = resolveOptions(o);
  return r.incidents ? incidentSchedule(r.startMs, r.durationMs) : [];
}

/**
 * Yield exactly `count` records. Requests start in time order over the period; each record
 * is stamped when it was written (request start + latency), so neighbours may differ by up
 * to one request's latency. Each simulated request yields its
 * gateway record, sometimes the gateway's upstream-call record with the raw vendor body,
 * and sometimes the calling client's own log line a few ms later.
 */
export function* generateRecords(options: GenerateOptions = {}): Generator<GeneratedRecord> {
  const o = resolveOptions(options);
  const rng = new Rng(o.seed);
  const incidents = o.incidents ? incidentSchedule(o.startMs, o.durationMs) : null;
  const timeline = new Timeline(o.startMs, o.durationMs, incidents);
  let seq = 0;
  const idPrefix = new Rng(o.seed ^ 0x1d1d).token(4);
  const ctx: PlanContext = {
    rng,
    incidents: incidents ? new Map(incidents.map((i) => [i.name, i])) : null,
    // req_<run prefix><sequence in base 36><random tail>: unique within a run, distinct across seeds.
    nextId: () => `req_${idPrefix}${(seq++).toString(36).padStart(5, '0')}${rng.token(6)}`,
  };
  const wantGateway = o.sources !== 'client';
  const wantClient = o.sources !== 'gateway';
  const n = o.count;
  let k = 0;
  const shipper = incidents?.find((i) => i.name === 'misconfigured_shipper');
  const out = (source: GeneratedSource, timestampMs: number, value: string): GeneratedRecord => {
    k++;
    // The misconfigured shipper (no randomness drawn, so every other record is as before).
    const misconfigured = shipper !== undefined && source === 'client' && timestampMs >= shipper.startMs && timestampMs < shipper.endMs;
    if (misconfigured) value = JSON.stringify({ fwd_v2: { line: value }, shipper: 'edge-forwarder' });
    if (o.garbage > 0 && rng.chance(o.garbage)) value = garbageRecord(rng, value);
    // Garbage stays bare: a shipper's envelope around it would be a readable record of its own.
    // So does the misconfigured shipper's shape: it is that hour's shipper, not inside another.
    else if (o.shippers && !misconfigured) value = shipped(source, k, timestampMs, value);
    return { source, topic: source === 'gateway' ? o.topics.gateway : o.topics.client, timestampMs, value };
  };
  while (k < n) {
    const t = timeline.at(k / n);
    const p = planRequest(ctx, t);
    if (wantGateway && p.vendorCall) {
      yield out('gateway', t + Math.max(0, p.latencyMs - 5), vendorCallRecord(rng, p, t + Math.max(0, p.latencyMs - 5)));
      if (k >= n) return;
    }
    if (wantGateway) {
      yield out('gateway', t + p.latencyMs, gatewayRecord(rng, p, t + p.latencyMs));
      if (k >= n) return;
    }
    if (wantClient && p.client) {
      const ct = t + p.latencyMs + rng.int(1, 60);
      yield out('client', ct, clientRecord(rng, p, ct));
    }
  }
}
