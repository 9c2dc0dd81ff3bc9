// `faultline generate` end to end through the real CLI: stdout, files, Kafka (librdkafka's
// mock broker over loopback), determinism, the rate limit, and one-line flag errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../support/broker.ts';
import { inProcess } from './run-cli.ts';

const BIN = new URL('../../bin/faultline.js', import.meta.url).pathname;

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('stdout: exact count, deterministic with --seed, one stream with --source', () => {
  const a = cli(['generate', '--count', '3000', '--seed', '9', '--start', '2026-11-21']);
  assert.equal(a.code, 0, a.stderr);
  const lines = a.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 3000);
  assert.match(a.stderr, /wrote 3000 records to stdout/);
  assert.equal(cli(['generate', '--count', '3000', '--seed', '9', '--start', '2026-11-21']).stdout, a.stdout);
  assert.notEqual(cli(['generate', '--count', '3000', '--seed', '10', '--start', '2026-11-21']).stdout, a.stdout);
  const gw = cli(['generate', '--count', '500', '--source', 'gateway', '--start', '2026-11-21', '--shippers', 'off'])
    .stdout.trimEnd()
    .split('\n');
  assert.equal(gw.length, 500);
  // Gateway records are JSON (garbage aside); client text/logfmt lines never appear.
  assert.ok(gw.filter((l) => l.startsWith('{"')).length >= 490);
  assert.ok(gw.every((l) => !l.startsWith('ts=')));
  // By default (--shippers on) some gateway lines arrive in Docker/Fluent Bit and CRI envelopes.
  const shipped = cli(['generate', '--count', '500', '--source', 'gateway', '--start', '2026-11-21']).stdout.trimEnd().split('\n');
  assert.equal(shipped.length, 500);
  assert.ok(shipped.filter((l) => l.startsWith('{"log":')).length > 20 && shipped.filter((l) => / stdout F /.test(l)).length > 20);
  const js = cli(['generate', '--count', '50', '--format', 'jsonl', '--start', '2026-11-21'])
    .stdout.trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(js.length, 50);
  for (const r of js) assert.deepEqual(Object.keys(r), ['source', 'topic', 'timestamp_ms', 'value']);
});

test('file:PATH with {source} writes one file per stream; without it, both streams need jsonl', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-gen-'));
  try {
    const r = cli(['generate', '--to', `file:${dir}/out/{source}.log`, '--duration', '2h', '--density', '1', '--start', '2026-11-21']);
    assert.equal(r.code, 0, r.stderr);
    const g = readFileSync(join(dir, 'out/gateway.log'), 'utf8').trimEnd().split('\n');
    const c = readFileSync(join(dir, 'out/client.log'), 'utf8').trimEnd().split('\n');
    assert.equal(g.length + c.length, 7200);
    assert.ok(c.some((l) => l.startsWith('ts=')) && !g.some((l) => l.startsWith('ts=')));
    const bad = cli(['generate', '--to', `file:${dir}/mixed.log`, '--count', '10']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--to=file:.*\{source\}/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--rate limits wall-clock speed', () => {
  const t0 = Date.now();
  const r = cli(['generate', '--count', '600', '--rate', '1500/s']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Date.now() - t0 >= 380, `600 records at 1500/s took ${Date.now() - t0} ms`);
});

test('--to kafka produces every record to its topic, keyed by request id', async () => {
  const broker = await startBroker();
  try {
    await broker.createTopic('gw-t', 3);
    await broker.createTopic('cl-t', 2);
    const r = cli(['generate', '--to', 'kafka', '--count', '5000', '--seed', '4', '--start', '2026-11-21'], {
      KAFKA_BROKERS: broker.bootstrap,
      FAULTLINE_GATEWAY_TOPIC: 'gw-t',
      FAULTLINE_CLIENT_TOPIC: 'cl-t',
    });
    assert.equal(r.code, 0, r.stderr);
    const local = cli(['generate', '--count', '5000', '--seed', '4', '--start', '2026-11-21', '--format', 'jsonl'])
      .stdout.trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { source: string });
    const kafka = new Kafka({ brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const sum = async (t: string) => (await admin.fetchTopicOffsets(t)).reduce((s, p) => s + Number(p.high), 0);
    assert.equal(await sum('gw-t'), local.filter((x) => x.source === 'gateway').length);
    assert.equal(await sum('cl-t'), local.filter((x) => x.source === 'client').length);
    await admin.disconnect();
  } finally {
    await broker.stop();
  }
});

test('bad flags: one line naming the flag and the allowed values, exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['--to', 'ftp://x'], /--to=ftp:\/\/x: allowed values are stdout, file:PATH, kafka/],
    [['--source', 'server'], /--source=server: allowed values are gateway, client, both/],
    [['--duration', '3 weeks'], /--duration=3 weeks: expected a duration such as 90s, 15m, 2h or 1d/],
    [['--rate', 'fast'], /--rate=fast: expected records per second/],
    [['--start', 'last week'], /--start=last week: expected yesterday, today, now, an ISO-8601 time/],
    [['--seed=-1'], /--seed=-1: expected an integer/],
    [['--incidents', 'maybe'], /--incidents=maybe: allowed values are on, off/],
    [['--colour'], /Unknown option '--colour'.*--to, --source/],
  ];
  for (const [args, re] of cases) {
    const r = await inProcess(['generate', ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.equal(r.stdout, '');
  }
  const env = cli(['generate', '--to', 'kafka', '--count', '1'], { KAFKA_SSL: 'yes' });
  assert.equal(env.code, 2, 'the real binary exits 2');
  assert.equal(env.stderr.trimEnd().split('\n').length, 1, env.stderr);
  assert.match(env.stderr, /KAFKA_SSL="yes": one of true, false/);
});
