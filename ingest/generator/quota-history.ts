// Earlier days of one channel's gateway calls, for the quota forecast (dashboards/quota-forecast.ts),
// which learns a channel's daily quota from the calls served before the first QUOTA_EXCEEDED of
// recent days. The demo's simulated day has no past, so the demo writes these days too: the same
// requests the generator plans for a day (walkSlots: same traffic curve, same channel mix, one
// slot per record the gateway would write), counted per minute instead of rendered — the minute
// rollup rows the pipeline would have stored for that channel — with the daily quota a count:
// the first `quota` calls of a day are served, later ones fail with QUOTA_EXCEEDED as in the
// demo day's quota incident (plan.ts). Only the served calls and the quota hits are modelled;
// other outcomes of those days are not (the forecast counts calls, whatever their outcome).
import type { CallHistoryRow } from '../../sql/call-history.ts';
import { resolveOptions, type GenerateOptions } from './options.ts';
import { QUOTA_HIT_SHARE, QUOTA_HIT_LATENCY_MS, quotaApplies } from './plan.ts';
import { Rng } from './rng.ts';
import { incidentSchedule } from './scenario.ts';
import { walkSlots } from './walk.ts';

const DAY_MS = 86_400_000;
const MIN_MS = 60_000;

export interface QuotaHistoryOptions extends Pick<GenerateOptions, 'seed' | 'topics'> {
  /** Start and length of the demo period; history period d starts `d` days earlier and lasts as long. */
  startMs: number;
  durationMs: number;
  /** Records of each history period (as the demo period's: same traffic). */
  count: number;
  /** How many earlier periods (default 3). */
  days?: number;
  /** The channel whose quota runs out (default the quota incident's, 1688). */
  channel?: string;
  /**
   * The channel's daily quota in calls: records the gateway writes for the channel (its
   * upstream-call records too), what the forecast counts. Default: the calls the channel makes on the day before
   * until the time of day the demo's quota incident starts, so the history agrees with the demo
   * day (its quota ran out then).
   */
  quota?: number;
}

export interface QuotaHistory {
  channel: string;
  quota: number;
  /** Per history period, oldest first: its start and the first call refused for the quota (null if it never ran out). */
  days: { startMs: number; exhaustedAtMs: number | null }[];
  rows: CallHistoryRow[];
}

interface Call {
  timeMs: number;
  app: string;
  latencyMs: number;
  requestId: string;
  quotaApplies: boolean;
  vendor: boolean;
}

/** The channel's gateway calls of one period, in slot order. */
function callsOf(o: QuotaHistoryOptions, d: number, channel: string): Call[] {
  const seed = ((o.seed ?? 1) + d * 7919) >>> 0;
  const resolved = resolveOptions({
    ...o,
    seed,
    startMs: o.startMs - d * DAY_MS,
    incidents: false,
    garbage: 0,
    shippers: false,
    sources: 'both',
  });
  const out: Call[] = [];
  for (const s of walkSlots(resolved, new Rng(seed))) {
    if (s.source !== 'gateway' || s.plan.channel !== channel) continue;
    out.push({
      timeMs: s.timeMs,
      app: s.plan.app,
      latencyMs: s.plan.latencyMs,
      requestId: s.plan.id,
      quotaApplies: quotaApplies(s.plan.route.kind),
      vendor: s.kind === 'vendor',
    });
  }
  return out;
}

export function quotaHistory(o: QuotaHistoryOptions): QuotaHistory {
  const days = o.days ?? 3;
  if (!Number.isInteger(days) || days < 1 || days > 7) throw new RangeError('quota history: days must be 1..7');
  const incident = incidentSchedule(o.startMs, o.durationMs).find((i) => i.name === 'quota_exhausted')!;
  const channel = o.channel ?? incident.channel ?? '1688';
  const periods = Array.from({ length: days }, (_, i) => days - i).map((d) => ({ d, calls: callsOf(o, d, channel) }));
  const dayBefore = periods[periods.length - 1]!;
  const quota = o.quota ?? dayBefore.calls.filter((c) => c.timeMs < incident.startMs - DAY_MS).length;
  if (!Number.isInteger(quota) || quota < 0) throw new RangeError('quota history: quota must be a non-negative integer');
  // Numeric keys (minute, app, hit): a string key per call doubled the run time.
  const rows = new Map<number, CallHistoryRow>();
  const apps = new Map<string, number>();
  const add = (minute: number, app: string, hit: boolean, latency: number) => {
    let a = apps.get(app);
    if (a === undefined) {
      a = apps.size;
      apps.set(app, a);
    }
    const key = ((minute / MIN_MS) * 256 + a) * 2 + Number(hit);
    let row = rows.get(key);
    if (row === undefined) {
      row = { minute, channel, app_id: app, hit, events: 0, latency_ms_sum: 0 };
      rows.set(key, row);
    }
    row.events++;
    row.latency_ms_sum += latency;
  };
  const out: QuotaHistory['days'] = [];
  for (const { d, calls } of periods) {
    const rng = new Rng(((o.seed ?? 1) ^ (0x9e37 * d)) >>> 0);
    let served = 0;
    let exhaustedAtMs: number | null = null;
    // One decision per request: a request refused for the quota never reaches the vendor, so
    // its upstream-call record (written first) is not there either.
    const decided = new Map<string, boolean>();
    for (const c of calls) {
      const minute = Math.floor(c.timeMs / MIN_MS) * MIN_MS;
      let hit = decided.get(c.requestId);
      if (hit === undefined) {
        // As in the demo day's quota incident (plan.ts): once spent, most calls are refused.
        hit = served >= quota && c.quotaApplies && rng.chance(QUOTA_HIT_SHARE);
        if (c.vendor) decided.set(c.requestId, hit);
      } else decided.delete(c.requestId);
      if (c.vendor) {
        if (!hit) {
          served++;
          add(minute, c.app, false, c.latencyMs);
        }
        continue;
      }
      if (hit) exhaustedAtMs ??= c.timeMs;
      else served++;
      add(minute, c.app, hit, hit ? QUOTA_HIT_LATENCY_MS : c.latencyMs);
    }
    out.push({ startMs: o.startMs - d * DAY_MS, exhaustedAtMs });
  }
  return { channel, quota, days: out, rows: [...rows.values()].sort((a, b) => a.minute - b.minute || (a.app_id < b.app_id ? -1 : 1)) };
}
