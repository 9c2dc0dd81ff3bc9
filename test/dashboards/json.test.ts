// Static checks of the generated JSON and YAML: unique uids, the dashboard-linter rules of
// grafana.md, plugin target shape, every table named exists in sql/migrations, raw `events`
// only where no rollup can answer, provisioning shape, and committed output in sync.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { alertRules, buildArtifacts, buildDashboards, DATASOURCE_UID, PLUGIN_TYPE, PLUGIN_VERSION, staleArtifacts, tables } from '../../dashboards/index.ts';

const root = new URL('../../', import.meta.url).pathname;
const dashboards = buildDashboards();
const panels = dashboards.flatMap((d) => d.panels.map((p) => ({ d, p })));
const migrationTables = new Set(
  readdirSync(`${root}sql/migrations`).filter((f) => f.endsWith('.sql'))
    .flatMap((f) => [...readFileSync(`${root}sql/migrations/${f}`, 'utf8').matchAll(/CREATE TABLE IF NOT EXISTS \$\{db\}\.(\w+)/g)].map((m) => m[1]!)),
);
/** Tables a query reads: every FROM / JOIN that is not a subquery. */
const tablesIn = (sql: string) => [...sql.matchAll(/\b(?:FROM|JOIN)\s+([\w.]+)/gi)].map((m) => m[1]!);

describe('uids and ids', () => {
  test('dashboard uids are unique, stable and short; panel ids unique per dashboard', () => {
    const uids = dashboards.map((d) => d.uid);
    assert.equal(new Set(uids).size, uids.length);
    assert.deepEqual(uids, ['faultline-error-rates', 'faultline-quota', 'faultline-vendor-failures', 'faultline-request-lookup', 'faultline-pipeline-health']);
    for (const uid of uids) assert.ok(uid.length <= 40 && /^[a-z0-9-]+$/.test(uid));
    for (const d of dashboards) assert.equal(new Set(d.panels.map((p) => p.id)).size, d.panels.length, d.uid);
  });
  test('alert rule uids are unique and the six rules exist', () => {
    const uids = alertRules(tables('faultline')).map((r) => r.uid);
    assert.equal(new Set(uids).size, uids.length);
    assert.deepEqual(uids, ['faultline-error-rate-spike', 'faultline-quota-exhausted', 'faultline-vendor-failure-burst',
      'faultline-internal-error-spike', 'faultline-rejects-growing', 'faultline-ingest-stalled']);
  });
});

describe('dashboard-linter rules (grafana.md)', () => {
  test('a datasource variable named datasource; query variables refresh 2; request_id textbox', () => {
    for (const d of dashboards) {
      const vars = d.templating?.list ?? [];
      const ds = vars.find((v) => v.type === 'datasource');
      assert.deepEqual([ds?.name, ds?.label, ds?.query], ['datasource', 'Data source', PLUGIN_TYPE], d.uid);
      const q = vars.filter((v) => v.type === 'query');
      assert.deepEqual(q.map((v) => v.name), ['channel', 'source', 'category'], d.uid);
      for (const v of q) {
        assert.equal(v.refresh, 2, `${d.uid} ${v.name}`);
        assert.equal(typeof v.query, 'string');
        assert.deepEqual(v.datasource, { type: PLUGIN_TYPE, uid: '${datasource}' });
        assert.match(String(v.query), /FROM faultline\.events_1m WHERE \$__timeFilter\(minute\)/);
      }
    }
    const lookup = dashboards.find((d) => d.uid === 'faultline-request-lookup')!;
    assert.deepEqual(lookup.templating!.list!.find((v) => v.type === 'textbox'), { type: 'textbox', name: 'request_id', label: 'Request ID', query: '' });
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
        assert.deepEqual([t.format, t.queryType], t.queryType === 'timeseries' ? [0, 'timeseries'] : t.queryType === 'table' ? [1, 'table'] : [2, 'logs'], where);
        if (t.queryType === 'timeseries') {
          assert.equal(p.type, 'timeseries', where);
          assert.match(t.rawSql, /\$__timeInterval\((minute|batch_time)\) AS time/, `${where}: time column`);
          assert.match(t.rawSql, /ORDER BY time/, where);
        }
      }
    }
  });

  test('panels fit the 24-column grid without overlapping', () => {
    for (const d of dashboards) {
      const cells = new Set<string>();
      for (const p of d.panels) {
        const g = p.gridPos;
        assert.ok(g.x >= 0 && g.w > 0 && g.x + g.w <= 24 && g.h > 0, `${d.uid} ${p.title}`);
        for (let x = g.x; x < g.x + g.w; x++) for (let y = g.y; y < g.y + g.h; y++) {
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
    ...dashboards.flatMap((d) => (d.templating?.list ?? []).filter((v) => v.type === 'query').map((v) => ({ where: `${d.uid} $${v.name}`, sql: String(v.query) }))),
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
    assert.deepEqual(raw.map(({ p }) => p.title).sort(),
      ['Recent failing requests', 'Request events', 'Same requests, both views', 'Sample upstream messages']);
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
        if (!/faultline\.(events_1m|failed_offers_1m|rejects_1m)/.test(t.rawSql)) continue;
        assert.match(t.rawSql, /\bsum(If)?\(|\bmin\(minute\)/, `${p.title}: reads a rollup without summing`);
      }
    }
  });
});

describe('provisioning', () => {
  const files = buildArtifacts();
  const y = (path: string) => parse(files.get(path)!) as Record<string, any>;

  test('datasource: plugin type, fixed uid, read-only user, password from the environment', () => {
    const ds = y('provisioning/datasources/faultline.yaml').datasources[0];
    assert.equal(ds.type, PLUGIN_TYPE);
    assert.equal(ds.uid, DATASOURCE_UID);
    assert.equal(ds.jsonData.username, 'faultline_grafana');
    assert.equal(ds.jsonData.defaultDatabase, 'faultline');
    assert.ok(['http', 'native'].includes(ds.jsonData.protocol));
    assert.deepEqual(ds.secureJsonData, { password: '$CLICKHOUSE_PASSWORD' });
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
    const rules = doc.groups[0].rules as Record<string, any>[];
    assert.equal(rules.length, 6);
    for (const r of rules) {
      assert.deepEqual(r.data.map((q: { refId: string }) => q.refId), ['A', 'B', 'C']);
      const a = r.data[0];
      assert.equal(a.datasourceUid, DATASOURCE_UID);
      assert.equal(a.relativeTimeRange.to, 0);
      assert.ok(a.relativeTimeRange.from >= 300);
      assert.deepEqual([a.model.pluginVersion, a.model.format, a.model.queryType, a.model.editorType, a.model.intervalMs], [PLUGIN_VERSION, 1, 'table', 'sql', 60000]);
      assert.match(a.model.rawSql, /\$__timeFilter\(/);
      assert.doesNotMatch(a.model.rawSql, /request_id/);
      assert.match(a.model.rawSql, new RegExp(`^SELECT (${r.labels.group_by}|.+? AS ${r.labels.group_by}), `), r.uid);
      assert.match(a.model.rawSql, / AS value\b/);
      assert.deepEqual([r.data[1].model.type, r.data[1].model.reducer, r.data[2].model.type, r.condition], ['reduce', 'last', 'threshold', 'C']);
      assert.equal(r.data[2].model.conditions[0].evaluator.type, 'gt');
      assert.ok(!r.title.includes('$'), r.uid);
      for (const v of Object.values(r.labels as Record<string, string>)) assert.ok(!v.includes('$'), r.uid);
      assert.ok(['OK', 'NoData', 'Alerting'].includes(r.noDataState));
    }
  });
});

describe('committed output', () => {
  test('dashboards/generated and dashboards/provisioning equal a fresh build', () => {
    assert.deepEqual(staleArtifacts(`${root}dashboards`, buildArtifacts()), [], 'run: node bin/faultline.js dashboards build');
  });
  test('no other files lie in dashboards/generated', () => {
    const expected = [...buildArtifacts().keys()].filter((k) => k.startsWith('generated/')).map((k) => k.slice('generated/'.length)).sort();
    assert.deepEqual(readdirSync(`${root}dashboards/generated`).sort(), expected);
  });
});
