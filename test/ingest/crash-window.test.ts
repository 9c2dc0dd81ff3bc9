// The critical window, hit deterministically: the process dies (SIGKILL) right after ClickHouse
// acknowledged a flush's events insert and before its rejects, ledger and offsets. The
// restarted `faultline run` holds every partition of that flush, so it replays the flush whole
// from the committed intent — same segments, same order, same token: ClickHouse drops the
// events again and the rejects are completed. Final counts exact, the replay in its log. On
// every broker of the test bed (the mock, Apache Kafka 4.x and 3.9).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokerKinds, brokerLabel, sharedTestBed } from '../../support/test-broker.ts';
import { reconcile, reconciled } from '../../sql/ledger.ts';
import { counts, kafkaClient, produce, records, sleep, waitFor, rowsOf, storedRecords } from './helpers.ts';
import { endpointStore, startRun } from './run-child.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/crash-after-insert.ts', import.meta.url));

for (const kind of brokerKinds()) {
  describe(brokerLabel(kind), () => {
    const bed = sharedTestBed(kind, after);
    test('killed between the insert and the commit: the restart replays the range and stores nothing twice', {
      timeout: 120_000,
    }, async (t) => {
      const broker = await bed();
      const dataDir = mkdtempSync(join(tmpdir(), 'faultline-window-'));
      t.after(() => rmSync(dataDir, { recursive: true, force: true }));
      await broker.createTopic('gw-win', 3);
      await broker.createTopic('cl-win', 2);
      const gw = records('gateway', 900, { tag: 'w' });
      const cl = records('client', 400, { tag: 'x', otlpEvery10: true }); // 40 OTLP messages of 3 log records
      const producer = kafkaClient(broker.bootstrap).producer();
      await producer.connect();
      t.after(() => producer.disconnect());
      await produce(producer, 'gw-win', gw.values, 3);
      await produce(producer, 'cl-win', cl.values, 2);
      const env = {
        KAFKA_BROKERS: broker.bootstrap,
        KAFKA_GROUP_ID: 'g-win',
        FAULTLINE_GATEWAY_TOPIC: 'gw-win',
        FAULTLINE_CLIENT_TOPIC: 'cl-win',
        FAULTLINE_DATA: dataDir,
        CLICKHOUSE_DATABASE: 'faultline',
        FAULTLINE_METRICS_PORT: '0',
        KAFKA_SESSION_TIMEOUT_MS: '3000',
        FAULTLINE_BATCH_SIZE: '5000',
        FAULTLINE_BATCH_MS: '300',
        CRASH_AFTER_INSERTS: '1',
      };
      const crashing = startRun(env, [], FIXTURE);
      const died = await crashing.exited;
      assert.equal(died.signal, 'SIGKILL', crashing.stderr().slice(-1500));
      const token = /stored under (flush:\S+)/.exec(crashing.stderr())?.[1];
      assert.ok(token, 'the fixture stored rows before dying');
      // More records behind the stored range: a restart that ignored the intent would cut its
      // first segment longer, under another token, and store the range twice.
      const gw2 = records('gateway', 300, { tag: 'w2' });
      const cl2 = records('client', 100, { tag: 'x2' });
      await produce(producer, 'gw-win', gw2.values, 3);
      await produce(producer, 'cl-win', cl2.values, 2);

      const run = startRun(env, ['--progress-ms', '500']);
      t.after(() => run.kill('SIGKILL'));
      const store = await endpointStore(dataDir, 'faultline');
      t.after(() => store.close());
      const total = gw.values.length + cl.values.length + gw2.values.length + cl2.values.length;
      const rows = [gw, cl, gw2, cl2].reduce((n, b) => n + rowsOf(b), 0);
      await waitFor(
        'every record stored',
        () => counts(store, 'faultline'),
        (c) => c.events + c.rejects >= rows,
        60_000,
      );
      await sleep(500);
      const c = await counts(store, 'faultline');
      const rec = await reconcile(store);
      const stored = await storedRecords(store, 'faultline');
      run.kill('SIGTERM');
      assert.equal((await run.exited).code, 0, run.stderr().slice(-1500));

      assert.deepEqual(c, {
        events: gw.valid + cl.valid + gw2.valid + cl2.valid,
        rejects: gw.garbage + cl.garbage + gw2.garbage + cl2.garbage,
        distinct: rows,
      });
      assert.equal(stored, total);
      // The killed flush was replayed whole, not cut anew.
      assert.match(token!, /^flush:/);
      assert.match(run.stderr(), /replaying [0-9,-]+ from the previous owner's intent, whole/);
      assert.match(run.stderr(), /replaying a flush of \d+ segments whole/);
      for (const p of rec) assert.ok(reconciled(p), `${p.topic}/${p.partition} reconciles: ${JSON.stringify(p)}`);
      assert.equal(
        rec.reduce((n, p) => n + p.records, 0),
        total,
      );
    });
  });
}
