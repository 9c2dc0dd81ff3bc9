// `faultline run` and `faultline status` as a user runs them: flag errors exit 2 naming the
// allowed values; a file and stdin are stored and exit 0; on Kafka, /metrics is served, status
// reads the store through the running process, and SIGTERM drains and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../../support/broker.ts';
import { KEEP_FOREVER } from '../support/keep-forever.ts';
import { ConfigError } from '../../lib/errors.ts';
import { command as runCommand } from '../../cli/commands/run.ts';
import { command as statusCommand } from '../../cli/commands/status.ts';
import { kafkaClient, produce, records, waitFor } from './helpers.ts';
import { startRun } from './run-child.ts';

const BIN = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
const baseEnv = { ...process.env, ...KEEP_FOREVER, FAULTLINE_DATA: dataDir, CLICKHOUSE_URL: '', FAULTLINE_LOG_LEVEL: 'warn' };

function cli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...baseEnv, ...opts.env },
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test('flag errors are ConfigErrors naming the flag and the allowed values (the CLI exits 2 on them)', async () => {
  const cases: [string[], RegExp][] = [
    [['--from', 'bogus'], /--from=bogus: allowed values are kafka, file:PATH, -/],
    [['--from', 'file:/x.log'], /--source=\(missing\): allowed values are gateway, client/],
    [['--from', '-', '--source', 'proxy'], /--source=proxy: allowed values are gateway, client/],
    [['--source', 'gateway'], /--source applies to --from file:PATH and --from - only/],
    [['--batch-size', 'lots'], /FAULTLINE_BATCH_SIZE/],
    [['--start', 'middle'], /--start=middle: allowed values are earliest, latest/],
    [['--from', `file:${join(dataDir, 'missing.log')}`, '--source', 'gateway'], /no such file/],
    [['--frm', 'kafka'], /known flags: --help, --from/],
  ];
  for (const [args, re] of cases)
    await assert.rejects(runCommand.run(args), (err: unknown) => err instanceof ConfigError && re.test(err.message), args.join(' '));
  await assert.rejects(statusCommand.run(['--verbose']), /known flags: --help, --json, --check, --repair-rollups, --database/);
  const r = cli(['run', '--from', 'bogus']);
  assert.equal(r.code, 2);
  assert.match(r.err, /^faultline run: invalid --from=bogus: allowed values are kafka, file:PATH, -$/m);
});

test('a file and stdin are stored and exit 0; status reconciles both', () => {
  const file = join(dataDir, 'gw.log');
  const gw = records('gateway', 500, { tag: 'cf' });
  writeFileSync(file, `${gw.values.join('\n')}\n`);
  const r1 = cli(['run', '--from', `file:${file}`, '--source', 'gateway']);
  assert.equal(r1.code, 0, r1.err);
  assert.match(r1.err, new RegExp(`file:gw.log: 500 records stored: ${gw.valid} events, ${gw.garbage} rejects`));
  const cl = records('client', 120, { tag: 'cs' });
  const r2 = cli(['run', '--from', '-', '--source', 'client'], { input: cl.values.join('\n') });
  assert.equal(r2.code, 0, r2.err);
  const st = cli(['status', '--check']);
  assert.equal(st.code, 0, st.err);
  // records, stored (records with their rows), events, rejects, diff
  assert.match(st.out, /^file:gw\.log\s+0\s+1-500\s+500\s+500\s+450\s+50\s+0\s/m);
  assert.match(st.out, /^stdin\s+0\s+1-120\s+120\s+120\s+108\s+12\s+0\s/m);
  assert.match(st.out, /reconciled: 2 partitions, 620 records stored as 558 events \+ 62 rejects/);
  const json = cli(['status', '--json'])
    .out.trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { topic: string; diff: number });
  assert.deepEqual(
    json.map((j) => [j.topic, j.diff]),
    [
      ['file:gw.log', 0],
      ['stdin', 0],
    ],
  );
});

test('on Kafka: /metrics is served, status works while run holds the store, SIGTERM drains and exits 0', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  await broker.createTopic('gw-cli', 2);
  await broker.createTopic('cl-cli', 2);
  const port = await freePort();
  const env = {
    FAULTLINE_DATA: dataDir,
    KAFKA_BROKERS: broker.bootstrap,
    KAFKA_GROUP_ID: 'g-cli',
    FAULTLINE_GATEWAY_TOPIC: 'gw-cli',
    FAULTLINE_CLIENT_TOPIC: 'cl-cli',
    FAULTLINE_METRICS_PORT: String(port),
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    FAULTLINE_BATCH_MS: '100',
  };
  const producer = kafkaClient(broker.bootstrap).producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  const gw = records('gateway', 400, { tag: 'k' });
  await produce(producer, 'gw-cli', gw.values, 2);
  const run = startRun(env, ['--progress-ms', '500']);
  t.after(() => run.kill('SIGKILL'));
  const metric = async () => {
    try {
      return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    } catch {
      return '';
    }
  };
  const text = await waitFor(
    'metrics showing every record',
    metric,
    (m) =>
      /faultline_partition_records_stored\{topic="gw-cli",partition="1"\} 200/.test(m) &&
      /faultline_partition_records_stored\{topic="gw-cli",partition="0"\} 200/.test(m),
    60_000,
    200,
  );
  assert.match(text, new RegExp(`faultline_events_out_total\\{topic="gw-cli"\\} ${gw.valid}`));
  assert.match(text, /faultline_consumer_lag\{topic="gw-cli",partition="0"\} 0/);
  assert.match(text, /faultline_batch_latency_seconds_count \d+/);
  assert.match(text, /faultline_process_resident_memory_bytes/);

  const st = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const p = spawn(process.execPath, [BIN, 'status', '--check'], { env: { ...baseEnv, ...env } });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => resolve({ code, out }));
  });
  assert.equal(st.code, 0, st.out);
  assert.match(st.out, /^gw-cli\s+0\s+0-199\s+200\s/m);

  run.kill('SIGTERM');
  const exit = await run.exited;
  assert.equal(exit.code, 0, run.stderr());
  assert.match(run.stderr(), /drained: every record read is stored and committed/);
  assert.match(run.stderr(), /ingest: .* ev\/s .* lag \d+/);
});
