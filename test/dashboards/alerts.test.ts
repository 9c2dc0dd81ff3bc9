// Alert rules on the synthetic day: each fires on its incident (for the right channel, vendor
// or topic only) and stays quiet on steady traffic; every rule's value matches a plain-JS
// computation at every hour of the day; `faultline alerts check` prints the same verdicts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseAt, runAlerts } from '../../cli/commands/alerts.ts';
import { alertRules, evaluateRules, tables } from '../../dashboards/index.ts';
import { evaluateRule } from '../../dashboards/alert-check.ts';
import type { AlertRuleDef } from '../../dashboards/alert-rules.ts';
import { ConfigError } from '../../lib/errors.ts';
import type { Store } from '../../sql/index.ts';
import { DAY_START, INCIDENTS, MINUTE, type SyntheticDay } from '../support/synthetic-day.ts';
import { ingestBehind, quotaForecast } from './model.ts';
import { openSyntheticDayStore, type SyntheticDayStore } from '../support/synthetic-day-store.ts';
import { testDataDir, uniqueDatabase } from '../support/stores.ts';

const DB = uniqueDatabase('dash_alerts');
const rules = alertRules(tables(DB));
const rule = (uid: string) => rules.find((r) => r.uid === `faultline-${uid}`)!;
const at = (hhmm: string) => DAY_START + Number(hhmm.slice(0, 2)) * 3_600_000 + Number(hhmm.slice(3, 5)) * MINUTE;
let store: Store;
let day: SyntheticDay;

let fixture: SyntheticDayStore | undefined;

before(async () => {
  fixture = await openSyntheticDayStore(DB);
  ({ store, day } = fixture);
});
after(() => fixture?.close());

interface Item {
  channel: string;
  vendor: string;
  topic: string;
  minute: number;
  e?: SyntheticDay['events'][number];
}
let eventItems: Item[] | undefined;
let rejectItems: Item[] | undefined;
/** Rows with their minute, computed once (the model runs ~150 times). */
function itemsOf(rejects: boolean): Item[] {
  const minute = (iso: string) => Math.floor(Date.parse(iso) / MINUTE) * MINUTE;
  eventItems ??= day.events.map((e) => ({
    channel: e.channel || 'unknown',
    vendor: e.upstream_vendor,
    topic: e.topic,
    minute: minute(e.event_time),
    e,
  }));
  rejectItems ??= day.rejects.map((r) => ({ channel: '', vendor: '', topic: r.topic, minute: minute(r.transport_time) }));
  return rejects ? rejectItems : eventItems;
}

/** Each rule's value per label, computed from the generated rows. */
function expectedValues(r: AlertRuleDef, atMs: number): Record<string, number> {
  const T = Math.floor(atMs / 1000) * 1000;
  const F = Math.floor((atMs - r.rangeSeconds * 1000) / 1000) * 1000;
  const curEnd = Math.floor(T / MINUTE) * MINUTE;
  const curStart = curEnd - 5 * MINUTE;
  if (r.uid.endsWith('quota-runs-out')) {
    return Object.fromEntries(
      quotaForecast(day.events, atMs)
        .filter((f) => f.minutes_left !== null)
        .map((f) => [f.channel, f.minutes_left!]),
    );
  }
  const items = itemsOf(r.uid.includes('rejects')).filter((x) => x.minute >= F && x.minute <= T);
  const labelOf = (x: Item) => (r.groupBy === 'vendor' ? x.vendor : r.groupBy === 'topic' ? x.topic : x.channel);
  const by = new Map<string, { cur: number; base: number; curBad: number; baseBad: number }>();
  const keep = (e: Item['e']): boolean => {
    if (r.uid.endsWith('quota-exhausted')) return e!.limit_kind === 'quota' || e!.limit_kind === 'platform';
    if (r.uid.endsWith('vendor-failure-burst')) return e!.upstream_vendor !== '' && e!.outcome === 'error' && e!.limit_kind === '';
    if (r.uid.endsWith('internal-error-spike')) return e!.category === 'INTERNAL_ERROR';
    return true;
  };
  for (const x of items) {
    if (!keep(x.e)) continue;
    const label = labelOf(x);
    const g = by.get(label) ?? { cur: 0, base: 0, curBad: 0, baseBad: 0 };
    const bad = x.e !== undefined && x.e.outcome !== 'ok';
    if (x.minute >= curStart && x.minute < curEnd) {
      g.cur++;
      g.curBad += Number(bad);
    }
    if (x.minute < curStart) {
      g.base++;
      g.baseBad += Number(bad);
    }
    by.set(label, g);
  }
  const out: Record<string, number> = {};
  for (const [label, g] of by) {
    if (r.uid.endsWith('error-rate-spike'))
      out[label] = g.curBad < 20 ? 0 : g.curBad / g.cur / Math.max(g.baseBad / Math.max(g.base, 1), 0.01);
    else if (r.uid.endsWith('quota-exhausted')) out[label] = g.cur;
    else out[label] = g.cur / Math.max(g.base / 12, r.uid.endsWith('vendor-failure-burst') ? 10 : 5);
  }
  if (r.uid.endsWith('unrecognized-records')) {
    // The synthetic day's rows carry no format (''): every topic with 20+ records in the window reads 0.
    for (const k of Object.keys(out)) delete out[k];
    for (const [label, g] of by) if (g.cur >= 20) out[label] = 0;
  }
  if (r.uid.endsWith('ingest-stalled')) return ingestBehind(day.batches, atMs);
  return out;
}

describe('every rule computes the value the JS model computes', () => {
  test('at 23 times of the day (hourly at :07 plus the incident checks)', async () => {
    const times = [...Array.from({ length: 23 }, (_, h) => DAY_START + (h + 1) * 3_600_000 + 7 * MINUTE), at('07:10'), at('22:20')];
    for (const t of times) {
      for (const r of rules) {
        const res = await evaluateRule(store, r, t);
        assert.equal(res.error, undefined);
        const got = Object.fromEntries(res.series.map((s) => [s.labels[r.groupBy], s.value]));
        const want = expectedValues(r, t);
        assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${r.uid} at ${new Date(t).toISOString()}`);
        for (const [k, v] of Object.entries(want))
          assert.ok(Math.abs(got[k]! - v) < 0.001, `${r.uid} ${k} at ${new Date(t).toISOString()}: ${got[k]} vs ${v}`);
        for (const s of res.series) assert.deepEqual(Object.keys(s.labels), [r.groupBy], `${r.uid}: labels are only ${r.groupBy}`);
      }
    }
  });
});

describe('each rule fires on its incident, for that dimension only', () => {
  const cases: [string, string, string, number][] = [
    ['vendor-failure-burst', '07:10', INCIDENTS.vendorOutage.vendor, 150 / 13],
    ['error-rate-spike', '10:07', INCIDENTS.errorSpike.channel, NaN],
    ['internal-error-spike', '12:07', INCIDENTS.internalSpike.channel, 75 / 5],
    ['quota-exhausted', '16:07', INCIDENTS.quotaExhaustion.channel, 40],
    ['rejects-growing', '20:07', INCIDENTS.rejectsBurst.topic, 100 / 5],
    ['ingest-stalled', '22:20', INCIDENTS.ingestStall.topic, 1210],
  ];
  for (const [uid, time, label, value] of cases) {
    test(`${uid} at ${time} fires for ${label}`, async () => {
      const r = rule(uid);
      const res = await evaluateRule(store, r, at(time));
      assert.ok(res.firing);
      assert.deepEqual(
        res.series.filter((s) => s.firing).map((s) => s.labels[r.groupBy]),
        [label],
      );
      if (!Number.isNaN(value)) assert.ok(Math.abs(res.series.find((s) => s.firing)!.value - value) < 0.001);
    });
  }
});

describe('quiet on a steady day', () => {
  for (const time of ['03:00', '05:00', '09:00', '11:30', '14:30', '15:59']) {
    test(`no rule fires at ${time}`, async () => {
      const results = await evaluateRules(store, rules, at(time));
      assert.deepEqual(
        results.filter((r) => r.firing).map((r) => r.rule.uid),
        [],
      );
      assert.ok(results.every((r) => r.error === undefined));
    });
  }
  test('each incident rule is quiet again 70 minutes after its incident ended', async () => {
    for (const [uid, time] of [
      ['vendor-failure-burst', '08:25'],
      ['error-rate-spike', '11:20'],
      ['internal-error-spike', '13:20'],
      ['rejects-growing', '21:20'],
      ['ingest-stalled', '22:45'],
    ] as const) {
      assert.equal((await evaluateRule(store, rule(uid), at(time))).firing, false, `${uid} at ${time}`);
    }
  });
});

describe('faultline alerts check', () => {
  async function run(argv: string[]): Promise<{ code: number; out: string }> {
    const saved = { data: process.env.FAULTLINE_DATA, db: process.env.CLICKHOUSE_DATABASE, url: process.env.CLICKHOUSE_URL };
    process.env.FAULTLINE_DATA = testDataDir();
    process.env.CLICKHOUSE_DATABASE = DB;
    delete process.env.CLICKHOUSE_URL;
    let out = '';
    try {
      return { code: await runAlerts(argv, (text) => (out += text)), out };
    } finally {
      for (const [k, v] of [
        ['FAULTLINE_DATA', saved.data],
        ['CLICKHOUSE_DATABASE', saved.db],
        ['CLICKHOUSE_URL', saved.url],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  test('prints which rules would fire and why; exit 0', async () => {
    const { code, out } = await run(['check', '--at', '2026-11-21T22:20:00Z']);
    assert.equal(code, 0);
    assert.match(out, /^alert evaluation at 2026-11-21T22:20:00\.000Z$/m);
    assert.match(out, /^FIRING faultline-ingest-stalled /m);
    assert.match(out, /! topic=gateway-logs: value 1210 > 180/);
    assert.match(out, /^FIRING faultline-quota-exhausted /m);
    assert.match(out, /^ok {5}faultline-vendor-failure-burst /m);
    assert.match(out, /2 of 8 rules would fire/);
  });

  test('--rule selects one rule and --sql shows the expanded query', async () => {
    const { code, out } = await run(['check', '--at', '2026-11-21T03:00:00Z', '--rule', 'faultline-error-rate-spike', '--sql']);
    assert.equal(code, 0);
    assert.match(out, /0 of 1 rules would fire/);
    assert.match(
      out,
      new RegExp(`minute >= toDateTime\\(${(at('03:00') - 3900_000) / 1000}\\) AND minute <= toDateTime\\(${at('03:00') / 1000}\\)`),
    );
  });

  test('bad flags are ConfigErrors naming the flag and the allowed values', async () => {
    await assert.rejects(run(['check', '--at', 'yesterday']), (e: unknown) => e instanceof ConfigError && /--at=yesterday/.test(e.message));
    await assert.rejects(
      run(['check', '--rule', 'nope']),
      (e: unknown) => e instanceof ConfigError && /faultline-ingest-stalled/.test(e.message),
    );
    await assert.rejects(run(['verify']), ConfigError);
    assert.equal(parseAt(undefined, 42), 42);
    assert.equal(parseAt('2026-11-21T10:00:00Z'), Date.UTC(2026, 10, 21, 10));
  });
});
