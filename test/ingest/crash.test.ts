// Crash safety: `faultline run` killed with SIGKILL at seeded random points (test/support/seed.ts) while it consumes (records
// still being produced), restarted each time; then a last run drains and stops on SIGTERM
// with exit 0. Final counts must be exact: every record produced stored exactly once (events +
// rejects; each log record of the client topic's OTLP messages once, by (offset, record_index)),
// and every partition reconciles. Five rounds on the mock; three on each real Apache
// Kafka (4.x, 3.9), where a killed member's session must expire in Kafka's own coordinator.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerKinds, brokerLabel, sharedTestBed } from '../../support/test-broker.ts';
import { seededRandom } from '../support/seed.ts';
import { reconcile, reconciled } from '../../sql/ledger.ts';
import { counts, kafkaClient, produce, records, rowsOf, sleep, storedRecords, waitFor } from './helpers.ts';
import { endpointStore, startRun } from './run-child.ts';
import { replayRanges, rollupShortfall, type ReplayRange } from './rollup-shortfall.ts';
import { lossReport } from './loss-report.ts';

for (const kind of brokerKinds()) {
  describe(brokerLabel(kind), () => {
    const bed = sharedTestBed(kind, after);
    const ROUNDS = kind === 'mock' ? 5 : 3;
    test(`SIGKILL at random points over ${ROUNDS} rounds, then a graceful stop: no loss, no duplicate`, { timeout: 240_000 }, async (t) => {
      const broker = await bed();
      const dataDir = mkdtempSync(join(tmpdir(), 'faultline-crash-'));
      t.after(() => rmSync(dataDir, { recursive: true, force: true }));
      await broker.createTopic('gw-crash', 4);
      await broker.createTopic('cl-crash', 4);
      const env = {
        KAFKA_BROKERS: broker.bootstrap,
        KAFKA_GROUP_ID: 'g-crash',
        FAULTLINE_GATEWAY_TOPIC: 'gw-crash',
        FAULTLINE_CLIENT_TOPIC: 'cl-crash',
        FAULTLINE_DATA: dataDir,
        CLICKHOUSE_DATABASE: 'faultline',
        FAULTLINE_METRICS_PORT: '0',
        // Small, frequent flushes: most instants fall inside some flush's intent -> insert -> commit window.
        FAULTLINE_BATCH_SIZE: '150',
        FAULTLINE_BATCH_MS: '50',
        KAFKA_SESSION_TIMEOUT_MS: '3000',
      };

      const gw = records('gateway', 18000, { tag: 'gc' });
      const cl = records('client', 12000, { tag: 'cc', otlpEvery10: true }); // 1,200 OTLP messages of 3 log records
      const total = gw.values.length + cl.values.length;
      const rows = rowsOf(gw) + rowsOf(cl);
      const producer = kafkaClient(broker.bootstrap).producer();
      await producer.connect();
      t.after(() => producer.disconnect());
      // Produce in the background, throughout the rounds (~30 s, in bursts that keep the consumer
      // busy: every round has records to consume, however fast the earlier ones caught up).
      let produced = 0;
      const producing = (async () => {
        for (let i = 0; i < 20; i++) {
          await produce(producer, 'gw-crash', gw.values.slice(i * 900, (i + 1) * 900), 4);
          await produce(producer, 'cl-crash', cl.values.slice(i * 600, (i + 1) * 600), 4);
          produced += 1500;
          await sleep(1500);
        }
      })();

      const random = seededRandom('crash kill points');
      let replays = 0;
      // Checked replays (a whole replay still incomplete a session timeout after the join goes
      // the checked way): the one place where rollups may end short (docs/delivery.md, residual window 3a).
      let checked = 0;
      const ranges: ReplayRange[] = [];
      const countChecked = (stderr: string) => {
        checked += (stderr.match(/checked against the store/g) ?? []).length;
        ranges.push(...replayRanges(stderr));
      };
      const logs: string[] = []; // every run's stderr, for the loss report
      let storedBeforeKill = 0;
      for (let round = 1; round <= ROUNDS; round++) {
        const started = Date.now();
        const child = startRun(env, ['--progress-ms', '200']);
        // Kill once this run has stored something (so the kill lands while it consumes), after a random extra delay.
        await waitFor(
          `round ${round} storing`,
          async () => /ingest: .* stored [1-9]/.test(child.stderr()) || child.proc.exitCode !== null,
          (ok) => ok,
          60_000,
          50,
        ).catch((err: unknown) => {
          child.kill('SIGKILL');
          throw new Error(`${String(err)}\n${child.stderr().slice(-3000)}`);
        });
        await sleep(Math.floor(random() * 1200));
        child.kill('SIGKILL');
        const exit = await child.exited;
        assert.equal(exit.signal, 'SIGKILL', `round ${round} was still running when killed:\n${child.stderr().slice(-2000)}`);
        replays += (child.stderr().match(/replaying/g) ?? []).length;
        countChecked(child.stderr());
        logs.push(child.stderr());
        storedBeforeKill++;
        t.diagnostic(`round ${round}: killed after ${Date.now() - started} ms`);
      }
      await producing;
      assert.equal(produced, total);

      const last = startRun(env, ['--progress-ms', '1000']);
      const store = await endpointStore(dataDir, 'faultline');
      t.after(() => store.close());
      const c = await waitFor(
        'every record stored',
        () => counts(store, 'faultline'),
        (x) => x.events + x.rejects >= rows,
        90_000,
        300,
      ).catch(async (err: unknown) => {
        const report = await lossReport(store, 'faultline', [...logs, last.stderr()]).catch((e: unknown) => `no loss report: ${String(e)}`);
        throw new Error(`${String(err)}\nwhere:\n${report}\nthe last run's log:\n${last.stderr().slice(-3000)}`);
      });
      // SIGTERM only once it runs (a signal during startup would end it before its handler is installed).
      await waitFor(
        'the last run started',
        async () => /ingest: /.test(last.stderr()),
        (ok) => ok,
        30_000,
        50,
      );
      await sleep(500); // anything extra (a duplicate) would show up now
      const final = await counts(store, 'faultline');
      const rec = await reconcile(store);
      const stored = await storedRecords(store, 'faultline');
      // Rollups are fed by the same deduplicated inserts: they count each event once too.
      const [roll] = await store.query<{ n: number }>('SELECT sum(events) AS n FROM faultline.events_1m');
      // Every valid record carries its own request id (req_gc_<i>, req_cc_<i>): a duplicate row would repeat one.
      const [ids] = await store.query<{ n: number; ids: number }>(
        'SELECT count() AS n, uniqExact(request_id) AS ids FROM faultline.events',
      );
      // Which replays the rollups' missing events were in (request_index names them row by row);
      // the last run's replays are logged by now: it has stored everything.
      const short = await rollupShortfall(store, 'faultline', [...ranges, ...replayRanges(last.stderr())]);
      last.kill('SIGTERM');
      const exit = await last.exited;
      replays += (last.stderr().match(/replaying/g) ?? []).length;
      countChecked(last.stderr());
      const kinds: Record<string, number> = {};
      for (const r of ranges) kinds[r.kind] = (kinds[r.kind] ?? 0) + r.last - r.first + 1;
      t.diagnostic(
        `replayed offsets announced: ${JSON.stringify(kinds)}; rollups short: events_1m ${short.events1m}, events_1h ${short.events1h}, ` +
          `request_index ${short.requestIndex}; request_index misses by replay kind: ${JSON.stringify(short.byReplay)}`,
      );
      // Torn inserts (a kill inside the engine's insert: its deduplication entry kept, its part lost) repaired by a replay.
      const repairs = [...logs, last.stderr()].reduce(
        (n, l) => n + (l.match(/were acknowledged by the store before but are not in it/g) ?? []).length,
        0,
      );
      t.diagnostic(
        `rounds killed mid-consumption: ${storedBeforeKill}; intent replays seen in logs: ${replays}; checked replays: ${checked}; ` +
          `torn inserts repaired: ${repairs}; rollup events ${Number(roll!.n)}`,
      );
      t.diagnostic(
        `final: ${final.events} events + ${final.rejects} rejects = ${final.events + final.rejects} rows of ${rows} from ${total} ` +
          `records produced, ${final.distinct} distinct (offset, record_index), ${stored} records stored, ` +
          `${Number(ids!.n) - Number(ids!.ids)} duplicate request ids; last run exit ${exit.code}`,
      );

      assert.equal(exit.code, 0, `graceful stop exits 0:\n${last.stderr().slice(-2000)}`);
      assert.deepEqual(final, c);
      assert.equal(final.events, gw.valid + cl.valid);
      assert.equal(final.rejects, gw.garbage + cl.garbage);
      assert.equal(final.distinct, rows);
      assert.equal(stored, total);
      assert.equal(rec.length, 8);
      for (const p of rec) assert.ok(reconciled(p), `${p.topic}/${p.partition} reconciles: ${JSON.stringify(p)}`);
      assert.equal(
        rec.reduce((n, p) => n + p.records, 0),
        total,
        'ledger counts every record once',
      );
      // Rollups count each event once, never twice. A kill that cuts an insert between a block's
      // table part and its view parts can leave them short (docs/delivery.md, residual window 3a;
      // test/ingest/delivery-model.test.ts proves the shortfall is exactly those rows): seen once
      // on the mock broker, 245 of 27,000, so it is reported here, not failed on.
      assert.ok(Number(roll!.n) <= final.events, 'rollups never count an event twice');
      if (Number(roll!.n) < final.events) t.diagnostic(`rollups short by ${final.events - Number(roll!.n)} (checked replays: ${checked})`);
      assert.equal(Number(ids!.ids), final.events, 'no request id stored twice');
    });
  });
}
