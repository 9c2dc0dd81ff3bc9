// The SQL proof: every target of every dashboard panel (and every variable query), with the
// plugin's macros expanded as grafana.md describes for a fixed range, runs on real chDB loaded
// with the synthetic day, and returns exactly the rows the JS model computes from that day.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildDashboards, expandQuery } from '../../dashboards/index.ts';
import { loadConfig } from '../../lib/config.ts';
import { openStore, type Store } from '../../sql/index.ts';
import { EventSchema } from '../../transform/event.ts';
import { DAY_START, loadSyntheticDay, syntheticDay, type SyntheticDay } from '../support/synthetic-day.ts';
import { makeModel, normalize, type Selection } from './model.ts';

type Model = ReturnType<typeof makeModel>;
const models = new Map<Scenario, Model>();
/** One model per scenario, its panel results computed once. */
function modelOf(sc: Scenario): Model {
  let m = models.get(sc);
  if (!m) {
    const fresh = makeModel({ day, fromMs: sc.fromMs, toMs: sc.toMs, intervalS: sc.intervalMs / 1000, sel: sc.sel });
    const memo: Model = {};
    for (const [k, f] of Object.entries(fresh)) {
      let rows: ReturnType<typeof f> | undefined;
      memo[k] = () => (rows ??= f());
    }
    models.set(sc, (m = memo));
  }
  return m;
}

const DB = 'dash_panels';
const dir = mkdtempSync(join(tmpdir(), 'faultline-dash-'));
let store: Store;
let day: SyntheticDay;

before(async () => {
  store = await openStore(loadConfig({ FAULTLINE_DATA: dir, CLICKHOUSE_DATABASE: DB }));
  await store.migrate();
  day = await loadSyntheticDay(store, DB, syntheticDay());
});
after(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const dashboards = buildDashboards(DB);
const ALL = '$__all';

interface Scenario {
  name: string;
  fromMs: number;
  toMs: number;
  intervalMs: number;
  vars: Record<string, string | string[]>;
  sel: Selection;
}

const scenarios: Scenario[] = [
  {
    name: 'whole day, 5-minute interval, All selected',
    fromMs: DAY_START,
    toMs: DAY_START + 86_400_000 - 1,
    intervalMs: 300_000,
    vars: { channel: ALL, source: ALL, category: ALL, request_id: 'req_spike_600_3' },
    sel: { requestId: 'req_spike_600_3' },
  },
  {
    name: '06:30–12:45, 1-minute interval, channels 1688+taobao, gateway, AUTH/CHANNEL/RATE_LIMIT errors',
    fromMs: DAY_START + 390 * 60_000,
    toMs: DAY_START + 765 * 60_000 + 999,
    intervalMs: 60_000,
    vars: { channel: ['1688', 'taobao'], source: ['gateway'], category: ['AUTH_ERROR', 'CHANNEL_ERROR', 'RATE_LIMIT_ERROR'], request_id: ' req_1688_0_0 ' },
    sel: { channel: ['1688', 'taobao'], source: ['gateway'], category: ['AUTH_ERROR', 'CHANNEL_ERROR', 'RATE_LIMIT_ERROR'], requestId: ' req_1688_0_0 ' },
  },
  {
    name: '15:00–21:00, 10-minute interval, channel taobao only, request id that tries to break out of the string',
    fromMs: DAY_START + 900 * 60_000,
    toMs: DAY_START + 1260 * 60_000,
    intervalMs: 600_000,
    vars: { channel: ['taobao'], source: ALL, category: ALL, request_id: "x' OR 1=1 OR request_id != '\\" },
    sel: { channel: ['taobao'], requestId: "x' OR 1=1 OR request_id != '\\" },
  },
];

for (const sc of scenarios) {
  describe(sc.name, () => {
    for (const d of dashboards) {
      for (const p of d.panels) {
        test(`${d.title} / ${p.title}`, async () => {
          const expected = modelOf(sc)[p.title];
          assert.ok(expected, `no model for panel "${p.title}"`);
          for (const t of p.targets) {
            const sql = expandQuery(t.rawSql, { fromMs: sc.fromMs, toMs: sc.toMs, intervalMs: sc.intervalMs, variables: sc.vars });
            const rows = normalize(await store.query(sql));
            assert.deepEqual(rows, normalize(expected()), sql);
          }
        });
      }
    }
  });
}

describe('the scenarios exercise every panel with data', () => {
  test('each panel returns rows in at least one scenario, and every incident shows up', async () => {
    for (const d of dashboards) {
      for (const p of d.panels) {
        const sizes = scenarios.map((sc) => modelOf(sc)[p.title]!().length);
        assert.ok(sizes.some((n) => n > 0), `${p.title} is empty in every scenario`);
      }
    }
    const m = modelOf(scenarios[0]!);
    assert.deepEqual(m['Daily quota first exhausted today']!().map((r) => [r.channel, new Date(r.first_exhausted as number).toISOString()]),
      [['pdd', '2026-11-21T00:30:00.000Z'], ['taobao', '2026-11-21T16:00:00.000Z']]);
    assert.deepEqual(m['Vendor timeouts']!().map((r) => r.timeouts), [150, 150, 150]);
    assert.equal(m['Request events']!().length, 2);
  });
});

describe('the synthetic day', () => {
  test('every event satisfies the event contract and the day reached the rollups', async () => {
    for (const e of day.events) EventSchema.parse(e);
    const [r] = await store.query<{ n: number }>(`SELECT sum(events) AS n FROM ${DB}.events_1m`);
    assert.equal(r!.n, day.events.length);
  });
});

describe('variable queries', () => {
  test('channel, source and category list the values of the range from the rollup', async () => {
    const vars = dashboards[0]!.templating!.list!.filter((v) => v.type === 'query');
    const got: Record<string, string[]> = {};
    for (const v of vars) {
      const sql = expandQuery(String(v.query), { fromMs: DAY_START, toMs: DAY_START + 86_399_999, intervalMs: 300_000 });
      got[v.name] = (await store.query<Record<string, string>>(sql)).map((r) => Object.values(r)[0]!);
    }
    const distinct = (f: (e: SyntheticDay['events'][number]) => string) => [...new Set(day.events.map(f).filter(Boolean))].sort();
    assert.deepEqual(got, { channel: distinct((e) => e.channel), source: distinct((e) => e.source), category: distinct((e) => e.category) });
    assert.deepEqual(got.channel, ['1688', 'pdd', 'taobao']);
  });
});
