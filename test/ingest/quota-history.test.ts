// The earlier days the demo writes for the quota forecast (ingest/generator/quota-history.ts):
// deterministic; each day serves exactly `quota` calls of the channel before its first
// QUOTA_EXCEEDED, then refuses most of them; by default the quota is spent near the time of day
// the demo's quota incident starts; a smaller quota is spent earlier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { incidentsOf, quotaHistory, type QuotaHistory } from '../../ingest/generator/index.ts';

const START = Date.parse('2026-11-21T00:00:00Z');
const DAY = 86_400_000;
const MIN = 60_000;
const BASE = { seed: 5, startMs: START, durationMs: DAY, count: 40_000 };
const def = quotaHistory(BASE);
const incidentStart = incidentsOf(BASE).find((i) => i.name === 'quota_exhausted')!.startMs;

/** Per history day: calls served (not refused) and refused, before and from the minute of the first refusal. */
function split(h: QuotaHistory, day: QuotaHistory['days'][number]) {
  const rows = h.rows.filter((r) => r.minute >= day.startMs && r.minute < day.startMs + DAY);
  const firstMin = Math.floor(day.exhaustedAtMs! / MIN) * MIN;
  const sum = (f: (r: QuotaHistory['rows'][number]) => boolean) => rows.filter(f).reduce((s, r) => s + r.events, 0);
  return {
    servedBefore: sum((r) => !r.hit && r.minute < firstMin),
    servedTotal: sum((r) => !r.hit),
    refusedBefore: sum((r) => r.hit && r.minute < firstMin),
    refusedAfter: sum((r) => r.hit && r.minute >= firstMin),
    callsAfter: sum((r) => r.minute >= firstMin),
    inFirstMinute: sum((r) => r.minute === firstMin),
  };
}

test("three earlier days, oldest first, of the quota incident's channel; the same options give the same rows", () => {
  assert.equal(def.channel, '1688');
  assert.deepEqual(
    def.days.map((d) => d.startMs),
    [START - 3 * DAY, START - 2 * DAY, START - DAY],
  );
  assert.ok(
    def.rows.every((r) => r.channel === '1688' && r.minute % MIN === 0 && r.minute >= START - 3 * DAY && r.minute < START + MIN),
    'rows inside the earlier days',
  );
  assert.deepEqual(quotaHistory(BASE), def);
  assert.notDeepEqual(quotaHistory({ ...BASE, seed: 6 }).rows, def.rows);
});

test("each day serves the quota, then refuses most calls (as the demo day's incident), never before", () => {
  for (const day of def.days) {
    assert.ok(day.exhaustedAtMs !== null, 'the quota ran out');
    const s = split(def, day);
    assert.equal(s.refusedBefore, 0);
    // The quota counts calls up to the exact first refusal: the minute before it holds all but the calls of that minute.
    assert.ok(s.servedBefore <= def.quota && s.servedBefore > def.quota - s.inFirstMinute, JSON.stringify({ ...s, quota: def.quota }));
    // 85 % of the quota'd calls; parcel calls (a tenth of 1688's) and the upstream-call records of served calls are not refused.
    const share = s.refusedAfter / s.callsAfter;
    assert.ok(share > 0.7 && share < 0.85, `refused share ${share}`);
  }
});

test("the default quota is spent near the time of day the demo's own quota runs out (17:00); a smaller one earlier", () => {
  for (const day of def.days) {
    const offset = day.exhaustedAtMs! - day.startMs - (incidentStart - START);
    assert.ok(Math.abs(offset) < 20 * MIN, `spent ${offset / MIN} min from 17:00`);
  }
  const smaller = quotaHistory({ ...BASE, quota: Math.round(def.quota * 0.8) });
  assert.equal(smaller.quota, Math.round(def.quota * 0.8));
  smaller.days.forEach((day, i) => {
    assert.ok(day.exhaustedAtMs! < def.days[i]!.exhaustedAtMs! - 60 * MIN, `day ${i}: ${new Date(day.exhaustedAtMs!).toISOString()}`);
  });
  // A quota above the day's calls is never spent: no refusals at all.
  const never = quotaHistory({ ...BASE, quota: 10_000_000 });
  assert.ok(never.days.every((d) => d.exhaustedAtMs === null));
  assert.ok(never.rows.every((r) => !r.hit));
});

test('bad options are refused with a clear error', () => {
  assert.throws(() => quotaHistory({ ...BASE, days: 0 }), /days must be 1\.\.7/);
  assert.throws(() => quotaHistory({ ...BASE, quota: -1 }), /quota must be a non-negative integer/);
  assert.throws(() => quotaHistory({ ...BASE, quota: 1.5 }), /quota must be a non-negative integer/);
});
