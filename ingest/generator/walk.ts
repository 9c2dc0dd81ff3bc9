// The requests of a simulated period as record slots, before rendering: generateRecords renders
// them into raw log lines, the quota history counts them per minute.
import type { GeneratedSource, ResolvedOptions } from './options.ts';
import { CLIENT_TIMEOUT_MS, planRequest, type Plan, type PlanContext } from './plan.ts';
import { Rng } from './rng.ts';
import { incidentSchedule, Timeline } from './scenario.ts';

/** One record slot of the walk: which record a request yields, when, and the request's plan. */
export interface Slot {
  source: GeneratedSource;
  /** The gateway's upstream-call record, its access/error record, or the client's line. */
  kind: 'vendor' | 'gateway' | 'client';
  timeMs: number;
  plan: Plan;
}

/** What a client that gave up waiting logs: a 504 of its own after its timeout. */
function timedOut(p: Plan): Plan {
  return { ...p, status: 504, outcome: 'error', bareStatus: true, latencyMs: CLIENT_TIMEOUT_MS };
}

/**
 * The requests of a period in record slots: exactly `count` slots (fewer streams, fewer slots
 * per request). Requests start in time order over the period; each slot is stamped when its
 * record was written (request start + latency), so neighbours may differ by up to one request's
 * latency. Each simulated request yields its gateway record, sometimes the gateway's
 * upstream-call record with the raw vendor body, and sometimes the calling client's own log
 * line a few ms later. The caller may draw from `rng` between slots (rendering does): the walk
 * resumes with the same generator, so output stays deterministic.
 */
export function* walkSlots(o: ResolvedOptions, rng: Rng): Generator<Slot> {
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
  while (k < n) {
    const t = timeline.at(k / n);
    const plan = planRequest(ctx, t);
    if (wantGateway && plan.vendorCall) {
      k++;
      yield { source: 'gateway', kind: 'vendor', timeMs: t + Math.max(0, plan.latencyMs - 5), plan };
      if (k >= n) return;
    }
    if (wantGateway) {
      k++;
      yield { source: 'gateway', kind: 'gateway', timeMs: t + plan.latencyMs, plan };
      if (k >= n) return;
    }
    if (wantClient && plan.client) {
      const ct = t + plan.latencyMs + rng.int(1, 60);
      // The client's earlier attempts, each a wait before the next (stamped before the last one).
      const gaps = plan.retryGapsMs ?? [];
      let before = gaps.reduce((s, g) => s + g, 0);
      for (let a = 1; a <= gaps.length; a++) {
        k++;
        yield { source: 'client', kind: 'client', timeMs: Math.max(o.startMs, ct - before), plan: { ...plan, attempt: a } };
        if (k >= n) return;
        before -= gaps[a - 1]!;
      }
      k++;
      yield {
        source: 'client',
        kind: 'client',
        timeMs: plan.clientTimedOut ? t + CLIENT_TIMEOUT_MS : ct,
        plan: plan.clientTimedOut ? timedOut(plan) : plan,
      };
    }
  }
}
