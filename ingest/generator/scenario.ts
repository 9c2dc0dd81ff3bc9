// The simulated world: apps calling the gateway on three channels, a diurnal traffic curve,
// and the incident schedule (placed at fixed fractions of the simulated period, so a short
// demo "day" holds the same incidents as a real one).

const CHANNELS = ['1688', 'taobao', 'tw-mall'] as const;
export type Channel = (typeof CHANNELS)[number];

export const APP_WEIGHTS: readonly (readonly [string, number])[] = [
  ['shop-eu', 5],
  ['shop-us', 4],
  ['dropship-sg', 3],
  ['mobile-app', 4],
  ['erp-sync', 1],
];
export const CHANNEL_WEIGHTS: readonly (readonly [Channel, number])[] = [
  ['1688', 50],
  ['taobao', 35],
  ['tw-mall', 15],
];

type RouteKind = 'product' | 'search' | 'preview' | 'create' | 'pay' | 'order' | 'parcel' | 'wallet_pay';

export interface Route {
  kind: RouteKind;
  method: 'GET' | 'POST';
  route: string;
  /** Median latency in ms of a successful call. */
  latency: number;
}

export const ROUTES: readonly (readonly [Route, number])[] = [
  [{ kind: 'product', method: 'GET', route: '/v1/products/{id}', latency: 180 }, 40],
  [{ kind: 'search', method: 'GET', route: '/v1/products/search', latency: 320 }, 20],
  [{ kind: 'preview', method: 'POST', route: '/v1/procurement/orders/preview', latency: 420 }, 12],
  [{ kind: 'create', method: 'POST', route: '/v1/procurement/orders', latency: 650 }, 10],
  [{ kind: 'pay', method: 'POST', route: '/v1/procurement/orders/{id}/pay', latency: 900 }, 5],
  [{ kind: 'order', method: 'GET', route: '/v1/procurement/orders/{id}', latency: 90 }, 8],
  [{ kind: 'parcel', method: 'GET', route: '/v1/fulfillment/parcels/{id}', latency: 70 }, 4],
  [{ kind: 'wallet_pay', method: 'POST', route: '/v1/fulfillment/parcels/{id}/pay', latency: 300 }, 1],
];

type IncidentName = 'taobao_outage' | 'error_spike' | 'failed_offers_burst' | 'quota_exhausted' | 'misconfigured_shipper';

export interface Incident {
  name: IncidentName;
  startMs: number;
  endMs: number;
  /** Channel or vendor the incident hits, when it hits one. */
  channel?: string;
  description: string;
}

/** Where each incident sits within the simulated period (fractions; a day from 00:00 gives the hours in comments). */
const SCHEDULE: readonly { name: IncidentName; from: number; to: number; channel?: string; description: string }[] = [
  {
    name: 'taobao_outage',
    from: 9 / 24,
    to: 10 / 24,
    channel: 'taobao',
    description: 'Taobao TOP remote timeouts (codes 900-902) behind CHANNEL_UPSTREAM_ERROR',
  }, // 09:00-10:00
  { name: 'error_spike', from: 13 / 24, to: 13.33 / 24, description: 'gateway INTERNAL_ERROR spike (500s) across channels' }, // 13:00-13:20
  {
    name: 'failed_offers_burst',
    from: 15 / 24,
    to: 15.67 / 24,
    channel: '1688',
    description: '1688 order creates failing with STOCK_NOT_ENOUGH failed offers',
  }, // 15:00-15:40
  {
    name: 'quota_exhausted',
    from: 17 / 24,
    to: 1,
    channel: '1688',
    description: '1688 daily channel quota exhausted: QUOTA_EXCEEDED until the end of the day',
  }, // 17:00-24:00
  // docs/real-inputs.md §4: a shipper reconfigured overnight wraps every client line in a shape nothing reads.
  {
    name: 'misconfigured_shipper',
    from: 20 / 24,
    to: 21 / 24,
    description: 'client-logs shipper misconfigured: every line wrapped in a shape faultline cannot read (unrecognized records)',
  }, // 20:00-21:00
];

export function incidentSchedule(startMs: number, durationMs: number): Incident[] {
  return SCHEDULE.map((s) => ({
    name: s.name,
    startMs: startMs + Math.round(s.from * durationMs),
    endMs: startMs + Math.round(s.to * durationMs),
    ...(s.channel === undefined ? {} : { channel: s.channel }),
    description: s.description,
  }));
}

/**
 * Maps record slot k of n to a time, following a diurnal curve (quiet at night, busy in the
 * afternoon UTC) with extra traffic during the error spike. Times never go backwards.
 */
export class Timeline {
  private readonly cum: Float64Array;
  private readonly bucketMs: number;
  private readonly startMs: number;
  private readonly durationMs: number;

  constructor(startMs: number, durationMs: number, incidents: readonly Incident[] | null) {
    this.startMs = startMs;
    this.durationMs = durationMs;
    const buckets = Math.max(1, Math.min(100_000, Math.ceil(durationMs / 60_000)));
    this.bucketMs = durationMs / buckets;
    this.cum = new Float64Array(buckets + 1);
    const spike = incidents?.find((i) => i.name === 'error_spike');
    let total = 0;
    for (let b = 0; b < buckets; b++) {
      const mid = startMs + (b + 0.5) * this.bucketMs;
      const hour = (mid / 3_600_000) % 24;
      let w = 0.35 + 0.65 * Math.max(0, Math.sin((Math.PI * (hour - 5)) / 18));
      if (spike && mid >= spike.startMs && mid < spike.endMs) w *= 1.5;
      total += w;
      this.cum[b + 1] = total;
    }
    for (let b = 0; b <= buckets; b++) this.cum[b] = (this.cum[b] as number) / total;
  }

  private bucket = 0;

  /** Time of fraction `q` in [0, 1); calls must come with non-decreasing q. */
  at(q: number): number {
    const cum = this.cum;
    const last = cum.length - 2;
    while (this.bucket < last && (cum[this.bucket + 1] as number) <= q) this.bucket++;
    const lo = cum[this.bucket] as number;
    const hi = cum[this.bucket + 1] as number;
    const within = hi > lo ? (q - lo) / (hi - lo) : 0;
    const t = this.startMs + (this.bucket + within) * this.bucketMs;
    return Math.min(this.startMs + this.durationMs - 1, Math.floor(t));
  }
}
