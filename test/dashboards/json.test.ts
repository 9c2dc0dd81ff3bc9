// Static checks of the generated JSON and YAML: unique uids, the dashboard-linter rules of
// docs/grafana.md, plugin target shape, every table named exists in sql/migrations, raw `events`
// only where no rollup can answer, provisioning shape, and committed output in sync.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { alertRules, buildArtifacts, buildDashboards, staleArtifacts, tables } from '../../dashboards/index.ts';
import { DATASOURCE_UID } from '../../dashboards/panels.ts';
import { PLUGIN_TYPE, PLUGIN_VERSION } from '../../dashboards/types.ts';

const root = new URL('../../', import.meta.url).pathname;
const dashboards = buildDashboards();
const panels = dashboards.flatMap((d) => d.panels.map((p) => ({ d, p })));
const migrationTables = new Set(
  readdirSync(`${root}sql/migrations`)
    .filter((f) => f.endsWith('.sql'))
    .flatMap((f) =>
      [...readFileSync(`${root}sql/migrations/${f}`, 'utf8').matchAll(/CREATE TABLE IF NOT EXISTS \$\{db\}\.(\w+)/g)].map((m) => m[1]!),
    ),
);
/** Tables a query reads: every FROM / JOIN that is not a subquery (nor trim(… FROM f(x))). */
const tablesIn = (sql: string) => [...sql.matchAll(/\b(?:FROM|JOIN)\s+([\w.]+)\b(?!\s*\()/gi)].map((m) => m[1]!);

describe('uids and ids', () => {
  test('dashboard uids are unique, stable and short; panel ids unique per dashboard', () => {
    const uids = dashboards.map((d) => d.uid);
    assert.equal(new Set(uids).size, uids.length);
    assert.deepEqual(uids, [
      'faultline-error-rates',
      'faultline-quota',
      'faultline-vendor-failures',
      'faultline-request-lookup',
      'faultline-pipeline-health',
    ]);
    for (const uid of uids) assert.ok(uid.length <= 40 && /^[a-z0-9-]+$/.test(uid));
    for (const d of dashboards) assert.equal(new Set(d.panels.map((p) => p.id)).size, d.panels.length, d.uid);
  });
  test('alert rule uids are unique and the eight rules exist', () => {
    const uids = alertRules(tables('faultline')).map((r) => r.uid);
    assert.equal(new Set(uids).size, uids.length);
    assert.deepEqual(uids, [
      'faultline-error-rate-spike',
      'faultline-quota-exhausted',
      'faultline-quota-runs-out',
      'faultline-vendor-failure-burst',
      'faultline-internal-error-spike',
      'faultline-rejects-growing',
      'faultline-ingest-stalled',
      'faultline-unrecognized-records',
    ]);
  });
});

describe('dashboard-linter rules (docs/grafana.md)', () => {
  test('a datasource variable named datasource; query variables refresh 2; request_id textbox', () => {
    for (const d of dashboards) {
      const vars = d.templating?.list ?? [];
      const ds = vars.find((v) => v.type === 'datasource');
      assert.deepEqual([ds?.name, ds?.label, ds?.query], ['datasource', 'Data source', PLUGIN_TYPE], d.uid);
      const q = vars.filter((v) => v.type === 'query');
      assert.deepEqual(
        q.map((v) => v.name),
        ['channel', 'source', 'category'],
        d.uid,
      );
      for (const v of q) {
        assert.equal(v.refresh, 2, `${d.uid} ${v.name}`);
        assert.equal(typeof v.query, 'string');
        assert.deepEqual(v.datasource, { type: PLUGIN_TYPE, uid: '${datasource}' });
        assert.match(String(v.query), /FROM faultline\.events_1h\n\s*WHERE dateDiff\('second', \$__fromTime, \$__toTime\) >= 172800 /);
        assert.match(String(v.query), /FROM faultline\.events_1m\n\s*WHERE \$__timeFilter\(minute\) /);
      }
    }
    const lookup = dashboards.find((d) => d.uid === 'faultline-request-lookup')!;
    assert.deepEqual(
      lookup.templating!.list!.find((v) => v.type === 'textbox'),
      { type: 'textbox', name: 'request_id', label: 'Request ID', query: '' },
    );
  });

  test('every panel: title, description, unit, >= 1 target, ${datasource} on panel and targets', () => {
    for (const { d, p } of panels) {
      const where = `${d.uid} / ${p.title}`;
      assert.ok(p.title.trim().length > 0 && p.description.trim().length > 20, where);
      assert.ok(p.fieldConfig?.defaults.unit, `${where}: unit`);
      assert.ok(p.targets.length >= 1, where);
      assert.deepEqual(p.datasource, { type: PLUGIN_TYPE, uid: '${datasource}' }, where);
      for (const t of p.targets) {
        assert.deepEqual(t.datasource, { type: PLUGIN_TYPE, uid: '${datasource}' }, where);
        assert.equal(t.pluginVersion, PLUGIN_VERSION);
        assert.equal(t.editorType, 'sql');
        assert.deepEqual(
          [t.format, t.queryType],
          t.queryType === 'timeseries' ? [0, 'timeseries'] : t.queryType === 'table' ? [1, 'table'] : [2, 'logs'],
          where,
        );
        if (t.queryType === 'timeseries') {
          assert.equal(p.type, 'timeseries', where);
          assert.match(t.rawSql, /\$__timeInterval\((minute|batch_time)\) AS time/, `${where}: time column`);
          assert.match(t.rawSql, /ORDER BY time/, where);
        }
      }
    }
  });

  test('legend calcs and units per panel: ratios mean+max, counts sum (zero-filled), rates mean+max, gauges last+max', () => {
    const series = panels.filter(({ p }) => p.type === 'timeseries');
    const calcs = (title: string) => (series.find(({ p }) => p.title === title)!.p.options as { legend: { calcs: string[] } }).legend.calcs;
    for (const { p } of series) {
      const c = (p.options as { legend: { calcs: string[] } }).legend.calcs;
      const filled = p.targets[0]!.rawSql.includes('WITH FILL');
      if (p.fieldConfig!.defaults.unit === 'percentunit') assert.deepEqual([c, filled], [['mean', 'max'], false], p.title);
      else if (p.title === 'Consumer lag') assert.deepEqual([c, filled], [['lastNotNull', 'max'], false], p.title);
      else if (p.fieldConfig!.defaults.unit === 'cps') assert.deepEqual([c, filled], [['mean', 'max'], true], p.title);
      else assert.deepEqual([c, filled], [['sum'], true], p.title);
    }
    assert.deepEqual(calcs('Error rate by channel'), ['mean', 'max']);
    assert.deepEqual(calcs('Upstream errors by vendor'), ['sum']);
    const unit = (title: string) => panels.find(({ p }) => p.title === title)!.p.fieldConfig!.defaults;
    assert.equal(unit('Reconciliation').unit, 'none');
    assert.deepEqual(unit('Error rate'), { unit: 'percentunit', noValue: 'No events' });
    assert.equal(unit('Seconds behind, by topic').unit, 's');
  });

  test('panels fit the 24-column grid without overlapping', () => {
    for (const d of dashboards) {
      const cells = new Set<string>();
      for (const p of d.panels) {
        const g = p.gridPos;
        assert.ok(g.x >= 0 && g.w > 0 && g.x + g.w <= 24 && g.h > 0, `${d.uid} ${p.title}`);
        for (let x = g.x; x < g.x + g.w; x++)
          for (let y = g.y; y < g.y + g.h; y++) {
            assert.ok(!cells.has(`${x},${y}`), `${d.uid}: ${p.title} overlaps`);
            cells.add(`${x},${y}`);
          }
      }
    }
  });
});

describe('tables', () => {
  const queries = [
    ...panels.flatMap(({ d, p }) => p.targets.map((t) => ({ where: `${d.uid} / ${p.title}`, sql: t.rawSql }))),
    ...dashboards.flatMap((d) =>
      (d.templating?.list ?? []).filter((v) => v.type === 'query').map((v) => ({ where: `${d.uid} $${v.name}`, sql: String(v.query) })),
    ),
    ...alertRules(tables('faultline')).map((r) => ({ where: r.uid, sql: r.sql })),
  ];

  test('every table a query names is created by sql/migrations, qualified with the database', () => {
    assert.ok(migrationTables.has('events_1m') && migrationTables.has('ingest_batches'));
    for (const q of queries) {
      const names = tablesIn(q.sql).filter((n) => n !== '(');
      assert.ok(names.length > 0, q.where);
      for (const n of names) {
        const m = /^faultline\.(\w+)$/.exec(n);
        assert.ok(m, `${q.where}: table ${n} is not qualified with the database`);
        assert.ok(migrationTables.has(m[1]!), `${q.where}: table ${n} is not in sql/migrations`);
      }
    }
  });

  test('raw events only where no rollup can answer, always bounded', () => {
    const raw = panels.filter(({ p }) => p.targets.some((t) => tablesIn(t.rawSql).includes('faultline.events')));
    assert.deepEqual(raw.map(({ p }) => p.title).sort(), [
      'Clients retrying against the advice, by app',
      'Gateway and client disagree, by route',
      'Recent failing requests',
      'Request events',
      'Same requests, both views',
      'Sample upstream messages',
    ]);
    for (const { p } of raw) {
      for (const t of p.targets) {
        const bounded = /\bLIMIT \d+\s*$/.test(t.rawSql) || /^SELECT count\(\)/.test(t.rawSql);
        assert.ok(bounded, `${p.title}: raw events query without LIMIT`);
        assert.ok(/\$__timeFilter\(event_time\)/.test(t.rawSql) || /request_id = /.test(t.rawSql), `${p.title}: unbounded scan`);
      }
    }
    for (const r of alertRules(tables('faultline'))) assert.ok(!tablesIn(r.sql).includes('faultline.events'), `${r.uid} reads raw events`);
  });

  test('rollup panels always aggregate (SummingMergeTree parts are merged lazily)', () => {
    for (const { p } of panels) {
      for (const t of p.targets) {
        if (!/faultline\.(events_1m|events_1h|failed_offers_1m|rejects_1m)/.test(t.rawSql)) continue;
        assert.match(t.rawSql, /\bsum(If)?\(|\bmin\(minute\)/, `${p.title}: reads a rollup without summing`);
      }
    }
  });
});

describe('hourly rollup (dashboards/rollup.ts)', () => {
  const eventRollupPanels = panels.filter(({ p }) => p.targets.some((t) => /faultline\.events_1[mh]\b/.test(t.rawSql)));

  test('every panel reading events_1m reads events_1h through the helper, except the first quota hit of the day', () => {
    const minuteOnly = eventRollupPanels.filter(({ p }) => p.targets.some((t) => !t.rawSql.includes('FROM faultline.events_1h')));
    assert.deepEqual(
      minuteOnly.map(({ p }) => p.title),
      ['Quota forecast (today)', 'Daily quota first exhausted today'],
    );
    for (const { p } of eventRollupPanels) {
      for (const t of p.targets) {
        if (!t.rawSql.includes('events_1h')) continue;
        const on = t.queryType === 'timeseries' ? '$__interval_s % 3600 = 0' : "dateDiff('second', $__fromTime, $__toTime) >= 172800";
        // Both branches, each guarded by the same constant switch.
        assert.ok(t.rawSql.includes(`WHERE ${on} AND hour >= `) && t.rawSql.includes(`NOT (${on}) OR minute < `), `${p.title}: switch`);
        assert.equal(t.rawSql.match(/UNION ALL/g)?.length, 1, p.title);
      }
    }
    assert.equal(eventRollupPanels.length, 18);
  });

  test('panels showing first/last times say they are to the hour on long ranges', () => {
    for (const { p } of eventRollupPanels) {
      const showsTimes = p.targets.some((t) => t.rawSql.includes('events_1h') && /\b(min|max)\(minute\)/.test(t.rawSql));
      assert.equal(p.description.includes('to the hour'), showsTimes, p.title);
    }
  });

  test('alerts keep reading events_1m only (short windows)', () => {
    for (const r of alertRules(tables('faultline'))) assert.doesNotMatch(r.sql, /events_1h/, r.uid);
  });

  // Grafana's interval: (to - from) / max data points, rounded by rangeutil.roundInterval,
  // never below the panel's min interval.
  const ROUNDS: [number, number][] = [
    [90_000, 60_000],
    [210_000, 120_000],
    [450_000, 300_000],
    [750_000, 600_000],
    [1_050_000, 900_000],
    [1_500_000, 1_200_000],
    [2_700_000, 1_800_000],
    [5_400_000, 3_600_000],
    [9_000_000, 7_200_000],
    [16_200_000, 10_800_000],
    [32_400_000, 21_600_000],
    [86_400_000, 43_200_000],
    [604_800_000, 86_400_000],
    [1_814_400_000, 604_800_000],
    [3_628_800_000, 2_592_000_000],
  ];
  const grafanaIntervalS = (rangeMs: number, maxDataPoints: number) => {
    const raw = rangeMs / maxDataPoints;
    const rounded = ROUNDS.find(([below]) => raw < below)?.[1] ?? 31_536_000_000;
    return Math.max(rounded, 60_000) / 1000;
  };

  test('time series: 200 max data points and a 1m min interval, so a 7-day range gets 1-hour buckets', () => {
    const series = panels.filter(({ p }) => p.type === 'timeseries');
    for (const { p } of series) assert.deepEqual([p.maxDataPoints, p.interval], [200, '1m'], p.title);
    const day = 86_400_000;
    assert.equal(grafanaIntervalS(7 * day, 200), 3600);
    assert.equal(grafanaIntervalS(6.25 * day, 200), 3600);
    assert.equal(grafanaIntervalS(6 * 3_600_000, 200), 120);
    assert.equal(grafanaIntervalS(3_600_000, 200), 60);
    // From 6.25 days up every interval Grafana picks is a whole number of hours.
    for (let d = 6.25; d <= 800; d *= 1.07) assert.equal(grafanaIntervalS(d * day, 200) % 3600, 0, `${d} days`);
    // Without max data points (a panel ~900 px wide) a week would get 10-minute buckets.
    assert.equal(grafanaIntervalS(7 * day, 900), 600);
  });
});

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, walked by path; the assertions are its type check
type Yaml = Record<string, any>;

describe('provisioning', () => {
  const files = buildArtifacts();
  const y = (path: string) => parse(files.get(path)!) as Yaml;

  test('datasource: plugin type, fixed uid, read-only user, password from the environment', () => {
    const ds = y('provisioning/datasources/faultline.yaml').datasources[0];
    assert.equal(ds.type, PLUGIN_TYPE);
    assert.equal(ds.uid, DATASOURCE_UID);
    assert.equal(ds.jsonData.username, 'faultline_grafana');
    assert.equal(ds.jsonData.defaultDatabase, 'faultline');
    assert.ok(['http', 'native'].includes(ds.jsonData.protocol));
    assert.deepEqual(ds.secureJsonData, { password: '$CLICKHOUSE_READONLY_PASSWORD' });
    assert.equal(ds.jsonData.password, undefined);
  });

  test('dashboard provider reads the generated folder', () => {
    const p = y('provisioning/dashboards/faultline.yaml').providers[0];
    assert.equal(p.type, 'file');
    assert.equal(p.options.path, '/var/lib/grafana/dashboards/faultline');
  });

  test('alert rules: A/B/C shape, plugin target, grouped by channel/vendor/topic, never by request id, no $ in titles and labels', () => {
    const doc = y('provisioning/alerting/faultline.yaml');
    assert.equal(doc.apiVersion, 1);
    const rules = doc.groups[0].rules as Yaml[];
    assert.equal(rules.length, 8);
    for (const r of rules) {
      const overEvents = r.uid !== 'faultline-ingest-stalled';
      assert.deepEqual(
        r.data.map((q: { refId: string }) => q.refId),
        overEvents ? ['A', 'B', 'C', 'D', 'E'] : ['A', 'B', 'C'],
        r.uid,
      );
      const a = r.data[0];
      assert.equal(a.datasourceUid, DATASOURCE_UID);
      assert.equal(a.relativeTimeRange.to, 0);
      assert.ok(a.relativeTimeRange.from >= 300);
      assert.deepEqual(
        [a.model.pluginVersion, a.model.format, a.model.queryType, a.model.editorType, a.model.intervalMs],
        [PLUGIN_VERSION, 1, 'table', 'sql', 60000],
      );
      // Bounded in time: the range, or (ledger, forecast) explicit bounds from the range's end.
      assert.match(
        a.model.rawSql,
        !overEvents
          ? /batch_time < toDateTime64\(\$__toTime, 3\) \+ INTERVAL 1 SECOND/
          : r.uid === 'faultline-quota-runs-out'
            ? /minute >= toStartOfDay\(\$__toTime, 'UTC'\) - INTERVAL 7 DAY AND minute <= \$__toTime/
            : /\$__timeFilter\(/,
      );
      assert.doesNotMatch(a.model.rawSql, /request_id/);
      assert.match(a.model.rawSql, new RegExp(`^SELECT (${r.labels.group_by}|.+? AS ${r.labels.group_by}), `), r.uid);
      assert.match(a.model.rawSql, / AS value\b/);
      assert.deepEqual(
        [r.data[1].model.type, r.data[1].model.reducer, r.data[2].model.type, r.condition],
        ['reduce', 'last', 'threshold', 'C'],
      );
      assert.equal(r.data[2].model.conditions[0].evaluator.type, r.uid === 'faultline-quota-runs-out' ? 'lt' : 'gt');
      assert.ok(!r.title.includes('$'), r.uid);
      for (const v of Object.values(r.labels as Record<string, string>)) assert.ok(!v.includes('$'), r.uid);
      // No false all-clear: only rules over events may read "no rows" as OK; they say how
      // current the store is (D/E -> data_freshness), the ingest rule is that check itself.
      assert.equal(r.noDataState, overEvents ? 'OK' : 'Alerting', r.uid);
      if (overEvents) {
        assert.match(r.data[3].model.rawSql, /FROM faultline\.ingest_batches/);
        assert.deepEqual([r.data[4].model.type, r.data[4].model.expression, r.data[4].model.reducer], ['reduce', 'D', 'last']);
        assert.match(r.annotations.data_freshness, /\$values\.E\.Value/);
      } else {
        assert.equal(r.annotations.data_freshness, undefined);
      }
    }
  });
});

describe('committed output', () => {
  test('dashboards/generated and dashboards/provisioning equal a fresh build', () => {
    assert.deepEqual(staleArtifacts(`${root}dashboards`, buildArtifacts()), [], 'run: node bin/faultline.js dashboards build');
  });
  test('no other files lie in dashboards/generated', () => {
    const expected = [...buildArtifacts().keys()]
      .filter((k) => k.startsWith('generated/'))
      .map((k) => k.slice('generated/'.length))
      .sort();
    assert.deepEqual(readdirSync(`${root}dashboards/generated`).sort(), expected);
  });
});
