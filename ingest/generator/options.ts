// The generator's options and their defaults (one place: generateRecords, the quota history and
// the CLI resolve them the same way).
export type GeneratedSource = 'gateway' | 'client';

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
  /**
   * Carry some lines as shippers and libraries do (Docker, CRI, OTLP/JSON, pino/zap/logback;
   * shippers.ts); default off here, on in `faultline generate` and the demo.
   */
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
