// The production command of docs/operations.md, run exactly as written there (`exec node
// bin/faultline.js run`, through sh, from the checkout): the supervisor's SIGTERM reaches
// faultline itself, which drains (stores and commits what it read) and exits 0; the store and
// the committed offsets agree, and a restart finishes the topic with every record stored once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../../support/broker.ts';
import { KEEP_FOREVER } from '../support/keep-forever.ts';
import { kafkaClient, produce, records, waitFor } from '../ingest/helpers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The `exec … run` line of the production section, without its comment. */
function productionCommand(): string {
  const doc = readFileSync(join(root, 'docs', 'operations.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## With an existing Kafka and ClickHouse'));
  const line = /^exec node bin\/faultline\.js run\b[^#\n]*/m.exec(section);
  assert.ok(line, 'docs/operations.md: the production section runs `exec node bin/faultline.js run`');
  return line[0].trim();
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A partition of `faultline status --json` (sql/ledger.ts PartitionReconciliation). */
interface Row {
  topic: string;
  partition: number;
  records: number;
  stored_records: number;
  events: number;
  rejects: number;
  diff: number;
}
const reconciles = (r: Row) => r.diff === 0 && r.stored_records === r.records;

test(
  'the documented production command drains on SIGTERM and exits 0' + '; store and commits agree; a restart finishes exactly once',
  async (t) => {
    const command = productionCommand();
    const dataDir = mkdtempSync(join(tmpdir(), 'faultline-prod-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const broker = await startBroker();
    t.after(() => broker.stop());
    await broker.createTopic('gw-prod', 4);
    await broker.createTopic('cl-prod', 1);
    const producer = kafkaClient(broker.bootstrap).producer();
    await producer.connect();
    const gw = records('gateway', 20_000, { tag: 'prod' });
    await produce(producer, 'gw-prod', gw.values, 4);
    await producer.disconnect();

    const env = {
      ...process.env,
      ...KEEP_FOREVER,
      FAULTLINE_DATA: dataDir,
      CLICKHOUSE_URL: '',
      FAULTLINE_LOG_LEVEL: 'info',
      KAFKA_BROKERS: broker.bootstrap,
      KAFKA_GROUP_ID: 'g-prod',
      FAULTLINE_GATEWAY_TOPIC: 'gw-prod',
      FAULTLINE_CLIENT_TOPIC: 'cl-prod',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      FAULTLINE_BATCH_MS: '100',
      FAULTLINE_BATCH_SIZE: '1000',
    };
    const start = async () => {
      const port = await freePort();
      const proc = spawn('/bin/sh', ['-c', command], {
        cwd: root,
        env: { ...env, FAULTLINE_METRICS_PORT: String(port) },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        proc.on('exit', (code, signal) => resolve({ code, signal })),
      );
      t.after(() => proc.kill('SIGKILL'));
      const stored = async () => {
        const m = await fetch(`http://127.0.0.1:${port}/metrics`).then(
          (r) => r.text(),
          () => '',
        );
        return [...m.matchAll(/^faultline_partition_records_stored\{topic="gw-prod"[^}]*\} (\d+)$/gm)].reduce(
          (a, x) => a + Number(x[1]),
          0,
        );
      };
      return { proc, exited, stderr: () => err, stored };
    };
    const status = (): Row[] => {
      const r = spawnSync(process.execPath, [join(root, 'bin', 'faultline.js'), 'status', '--json'], { cwd: root, env, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Row)
        .filter((row) => row.topic === 'gw-prod');
    };

    // First run: SIGTERM once some flushes are stored, to the pid sh started (exec: faultline's own).
    const first = await start();
    await waitFor('the first records stored', first.stored, (n) => n > 0, 60_000, 50);
    first.proc.kill('SIGTERM');
    const exit = await first.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, first.stderr());
    assert.match(first.stderr(), /drained: every record read is stored and committed\n/);

    // Consistent after the drain: every stored range reconciles, and each partition's committed
    // offset is exactly the end of what is stored (nothing read was left uncommitted or unstored).
    const afterDrain = status();
    assert.ok(afterDrain.length > 0);
    for (const row of afterDrain) assert.ok(reconciles(row), JSON.stringify(row));
    const admin = kafkaClient(broker.bootstrap).admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: 'g-prod', topics: ['gw-prod'] });
    await admin.disconnect();
    for (const p of committed!.partitions) {
      const row = afterDrain.find((r) => r.partition === p.partition);
      assert.equal(Math.max(0, Number(p.offset)), row?.records ?? 0, `gw-prod[${p.partition}] committed offset = records stored`);
    }
    const drainedRecords = afterDrain.reduce((a, r) => a + r.records, 0);

    // Second run: the rest of the topic, then SIGTERM again; every record stored exactly once.
    const second = await start();
    await waitFor(
      'every record stored',
      async () => drainedRecords + (await second.stored()),
      (n) => n === gw.values.length,
      120_000,
      100,
    );
    second.proc.kill('SIGTERM');
    assert.deepEqual(await second.exited, { code: 0, signal: null }, second.stderr());
    const final = status();
    const sum = (k: 'records' | 'events' | 'rejects') => final.reduce((a, r) => a + r[k], 0);
    for (const row of final) assert.ok(reconciles(row), JSON.stringify(row));
    assert.deepEqual(
      { records: sum('records'), events: sum('events'), rejects: sum('rejects') },
      { records: gw.values.length, events: gw.valid, rejects: gw.garbage },
    );
    t.diagnostic(`first run drained after storing ${drainedRecords} of ${gw.values.length} records`);
  },
);
