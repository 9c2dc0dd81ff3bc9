// The compose pipeline in miniature, with the real CLI: `faultline generate --to kafka` into
// each broker of the test bed (the mock, Apache Kafka 4.x and 3.9), `faultline run` consuming
// both topics into an embedded store, `faultline status --check` reconciling every partition
// while `run` holds the store, then SIGTERM (drain and exit 0) and the stored rows equal to what
// was generated.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { brokerKinds, brokerLabel, sharedTestBed } from '../../support/test-broker.ts';
import { readEndpointInfo } from '../../sql/open.ts';
import { KEEP_FOREVER } from '../support/keep-forever.ts';

const BIN = new URL('../../bin/faultline.js', import.meta.url).pathname;

for (const kind of brokerKinds()) {
  describe(brokerLabel(kind), () => {
    const bed = sharedTestBed(kind, after);
    test('generate --to kafka, run, status --check, SIGTERM: every generated record stored once', { timeout: 180_000 }, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'fl-kpath-'));
      const broker = await bed();
      const t0 = Date.now();
      const at = (what: string) => t.diagnostic(`${what} at ${Date.now() - t0} ms`);
      const env = {
        ...process.env,
        ...KEEP_FOREVER,
        KAFKA_BROKERS: broker.bootstrap,
        FAULTLINE_DATA: join(dir, 'store'),
        FAULTLINE_GATEWAY_TOPIC: 'gw',
        FAULTLINE_CLIENT_TOPIC: 'cl',
        KAFKA_GROUP_ID: 'kpath',
        FAULTLINE_METRICS_PORT: '0',
        FAULTLINE_BATCH_MS: '200',
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        FAULTLINE_LOG_LEVEL: 'warn',
      };
      const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
      try {
        await broker.createTopic('gw', 4);
        await broker.createTopic('cl', 2);
        const gen = cli(['generate', '--to', 'kafka', '--count', '8000', '--seed', '5', '--start', '2026-11-21']);
        assert.equal(gen.status, 0, gen.stderr);
        at('generated');
        const expected = cli(['generate', '--count', '8000', '--seed', '5', '--start', '2026-11-21', '--format', 'jsonl'])
          .stdout.trimEnd()
          .split('\n').length;
        assert.equal(expected, 8000);

        const run = spawn(process.execPath, [BIN, 'run', '--progress-ms', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let runErr = '';
        run.stderr.on('data', (d: Buffer) => (runErr += d.toString()));
        const exited = new Promise<number | null>((resolve) => run.on('exit', (code) => resolve(code)));
        let total = 0;
        const deadline = Date.now() + 120_000;
        while (Date.now() < deadline) {
          await sleep(1000);
          // Only once `run` serves its store: a status before that opens the embedded store
          // itself, and a `run` still starting must wait for it (up to 30 s: test/sql/open.test.ts).
          if (readEndpointInfo(env.FAULTLINE_DATA) === undefined) continue;
          const s = cli(['status', '--json']);
          if (s.status !== 0) continue; // store not served yet
          const rows = s.stdout
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Record<string, unknown>);
          total = rows.reduce((n, r) => n + Number(r.events ?? 0) + Number(r.rejects ?? 0), 0);
          if (total >= expected) break;
        }
        assert.equal(total, expected, `stored ${total} of ${expected}; run said: ${runErr}`);
        at('all stored');
        const check = cli(['status', '--check']);
        assert.equal(check.status, 0, check.stdout + check.stderr);
        const counts = cli([
          'sql',
          'SELECT (SELECT count() FROM events) AS events, (SELECT count() FROM rejects) AS rejects, (SELECT uniqExact(request_id) FROM ' +
            "events WHERE source = 'client' AND request_id IN (SELECT request_id FROM events WHERE source = 'gateway')) AS shared",
          '--format',
          'json',
        ]);
        const c = JSON.parse(counts.stdout) as { events: number; rejects: number; shared: number };
        assert.equal(Number(c.events) + Number(c.rejects), expected);
        assert.ok(Number(c.rejects) > 0 && Number(c.shared) > 500, counts.stdout);
        run.kill('SIGTERM');
        assert.equal(await exited, 0, runErr);
        at('stopped');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
