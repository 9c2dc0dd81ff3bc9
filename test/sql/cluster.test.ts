// The cluster form of the migrations (sql/cluster.ts, docs/scaling.md). chDB runs no Keeper and
// no replicas, and has no cluster of its own (system.clusters is empty), so what can be checked
// here is checked: every statement of the cluster plan parses in ClickHouse's own parser
// (formatQuery), and the plan has the shape the scaling argument rests on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../lib/errors.ts';
import { migrationPlan } from '../../sql/index.ts';
import { loadMigrations } from '../../sql/migrate.ts';
import { clusterStatements } from '../../sql/cluster.ts';
import { inProcess } from '../cli/run-cli.ts';
import { testStore } from '../support/stores.ts';

const plan = migrationPlan('fl', 30, 'prod').flatMap((m) => m.statements);
const single = migrationPlan('fl', 30).flatMap((m) => m.statements);

test('every statement of the cluster plan and of the single-node plan parses in ClickHouse', async () => {
  const t = await testStore('fq');
  try {
    for (const sql of [...plan, ...single]) {
      const [row] = await t.store.query<{ f: string }>('SELECT formatQuery({q:String}) AS f', { q: sql });
      assert.ok(row!.f.length > 0, sql);
    }
    await assert.rejects(t.store.query('SELECT formatQuery({q:String}) AS f', { q: 'CREATE TABLE x (a ) ENGIN = M' }), /Syntax error/);
  } finally {
    await t.cleanup();
  }
});

test('cluster plan: every statement ON CLUSTER, Replicated engines, no non-replicated setting', () => {
  assert.ok(plan.length > single.length);
  for (const sql of plan) assert.match(sql, /ON CLUSTER 'prod'/, sql.slice(0, 80));
  assert.doesNotMatch(plan.join('\n'), /non_replicated_deduplication_window|ENGINE = (Summing|Aggregating)?MergeTree\b/);
  const creates = loadMigrations('fl', 30)
    .flatMap((m) => m.statements)
    .filter((s) => /^CREATE TABLE IF NOT EXISTS fl\.\w+\s*\(/.test(s))
    .map((s) => /fl\.(\w+)/.exec(s)![1]!);
  for (const t of ['events', 'rejects', 'events_1m', 'failed_offers_1m', 'rejects_1m', 'request_index', 'ingest_batches', 'events_1h']) {
    assert.ok(creates.includes(t), t);
  }
  for (const name of creates) {
    const local = plan.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS fl.${name}_local ON CLUSTER`));
    assert.ok(local, `${name}_local`);
    assert.match(
      local,
      new RegExp(`ENGINE = Replicated\\w*MergeTree\\('/clickhouse/tables/\\{shard\\}/fl/${name}_local', '\\{replica\\}'`),
    );
    assert.match(local, /SETTINGS replicated_deduplication_window = 10000/);
    const dist = plan.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS fl.${name} ON CLUSTER`));
    assert.ok(dist, `${name} (Distributed)`);
    const key = ['events', 'rejects', 'ingest_batches'].includes(name) ? 'cityHash64(topic, partition)' : 'rand()';
    assert.ok(dist.endsWith(`ENGINE = Distributed('prod', fl, ${name}_local, ${key})`), dist);
  }
  // The summing columns survive behind the replication arguments.
  assert.ok(
    plan.some((s) =>
      s.includes(
        "ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/fl/events_1m_local', '{replica}', (events, latency_ms_sum, " +
          'latency_ms_count))',
      ),
    ),
  );
});

test('cluster plan: views read and write local tables; new columns reach the Distributed table too', () => {
  const views = plan.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
  assert.equal(views.length, single.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW')).length);
  for (const v of views) {
    assert.match(v, /^CREATE MATERIALIZED VIEW IF NOT EXISTS fl\.\w+ ON CLUSTER 'prod' TO fl\.\w+_local AS/);
    for (const ref of v.matchAll(/\bfl\.(\w+)/g)) if (!/_mv$/.test(ref[1]!)) assert.match(ref[1]!, /_local$/, v);
  }
  const alters = plan.filter((s) => s.startsWith('ALTER TABLE'));
  for (const a of alters) assert.match(a, /^ALTER TABLE fl\.\w+(_local)? ON CLUSTER 'prod' /);
  const addCol = alters.filter((a) => / ADD COLUMN /.test(a));
  assert.ok(addCol.length >= 2);
  for (const a of addCol.filter((x) => /_local /.test(x))) {
    assert.ok(addCol.includes(a.replace('_local ON CLUSTER', ' ON CLUSTER')), `${a} on the Distributed table too`);
  }
  for (const a of alters.filter((x) => / ADD INDEX | MODIFY COLUMN /.test(x)))
    assert.match(a, /_local ON CLUSTER/, 'indexes and codecs live on the shards');
});

test('the single-node plan is the migration files unchanged; bad input is refused', () => {
  assert.deepEqual(
    single.slice(2),
    loadMigrations('fl', 30).flatMap((m) => m.statements),
  );
  assert.ok(single.every((s) => !/ON CLUSTER|Replicated|Distributed/.test(s)));
  assert.throws(() => migrationPlan('fl', 30, "x' ; DROP"), ConfigError);
  assert.throws(() => clusterStatements(['INSERT INTO fl.events VALUES (1)'], 'fl', 'prod', new Set()), /no cluster form/);
});

test('faultline migrate --dry-run prints the plan and touches no store; --cluster needs a server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-dry-'));
  try {
    const data = join(dir, 'store');
    const r = await inProcess(['migrate', '--dry-run', '--cluster', 'prod', '--database', 'fl', '--retention-days', '30'], {
      FAULTLINE_DATA: data,
      CLICKHOUSE_URL: '',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith("-- schema_migrations\nCREATE DATABASE IF NOT EXISTS fl ON CLUSTER 'prod';\n"), r.stdout.slice(0, 200));
    for (const sql of plan) assert.ok(r.stdout.includes(`${sql};\n`));
    assert.equal(existsSync(data), false, 'no store opened');
    const one = await inProcess(['migrate', '--dry-run', '--database', 'fl'], { FAULTLINE_DATA: data, CLICKHOUSE_URL: '' });
    assert.equal(one.code, 0);
    assert.doesNotMatch(one.stdout, /ON CLUSTER/);
    const bad = await inProcess(['migrate', '--cluster', 'prod'], { FAULTLINE_DATA: data, CLICKHOUSE_URL: '' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /CLICKHOUSE_CLUSTER=prod needs a ClickHouse server \(CLICKHOUSE_URL\)/);
    const badName = await inProcess(['migrate', '--dry-run', '--cluster', '1 x'], { FAULTLINE_DATA: data });
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /invalid CLICKHOUSE_CLUSTER="1 x"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
