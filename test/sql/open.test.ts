// chDB locks its data directory: while one process (`faultline run`) holds it, other
// processes reach the data through its local endpoint, or get StoreBusyError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config.ts';
import { StoreBusyError } from '../../lib/errors.ts';
import { openStore } from '../../sql/index.ts';
import { endpointFile, readEndpointInfo } from '../../sql/open.ts';
import { traceRequest } from '../../sql/trace.ts';
import { KEEP_FOREVER } from '../support/keep-forever.ts';

const HOLDER = new URL('../support/hold-store.ts', import.meta.url).pathname;

async function hold(dataDir: string, db: string, mode: 'serve' | 'noserve'): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, dataDir, db, mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return child;
}

async function release(child: ChildProcess): Promise<void> {
  const done = new Promise((r) => child.once('exit', r));
  child.stdin!.end();
  await done;
}

test('while another process holds the store, openStore reads through its endpoint; writes are refused', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-lock-'));
  const child = await hold(dataDir, 'held', 'serve');
  try {
    const info = readEndpointInfo(dataDir);
    assert.ok(info?.readonly && info.pid === child.pid);
    const config = { ...loadConfig({}), FAULTLINE_DATA: dataDir, CLICKHOUSE_DATABASE: 'held' };
    const store = await openStore(config);
    try {
      assert.equal(store.kind, 'server');
      const got = await traceRequest(store, 'held', 'req_held');
      assert.deepEqual(
        got.map((e) => e.kind),
        ['event'],
      );
      await assert.rejects(store.command('DROP TABLE held.events'), /READONLY|readonly/);
    } finally {
      await store.close();
    }
  } finally {
    await release(child);
    assert.equal(existsSync(endpointFile(dataDir)), false, 'endpoint.json removed on close');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('without an endpoint, a held store is a StoreBusyError that says so plainly', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-lock-'));
  const child = await hold(dataDir, 'held', 'noserve');
  try {
    const config = { ...loadConfig({}), FAULTLINE_DATA: dataDir, CLICKHOUSE_DATABASE: 'held' };
    await assert.rejects(openStore(config), (err: unknown) => {
      assert.ok(err instanceof StoreBusyError);
      assert.match(err.message, /in use by another faultline process/);
      return true;
    });
  } finally {
    await release(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** `faultline run --from file:` on `dataDir` (20 gateway records), its stderr and exit. */
function runFile(dataDir: string) {
  const file = join(dataDir, 'in.ndjson');
  writeFileSync(file, Array.from({ length: 20 }, (_, i) => `${JSON.stringify({ request_id: `req_w${i}`, status: 200 })}\n`).join(''));
  const bin = new URL('../../bin/faultline.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [bin, 'run', '--from', `file:${file}`, '--source', 'gateway', '--progress-ms', '0'], {
    env: {
      ...process.env,
      ...KEEP_FOREVER,
      CLICKHOUSE_URL: '',
      FAULTLINE_DATA: dataDir,
      CLICKHOUSE_DATABASE: 'held',
      FAULTLINE_METRICS_PORT: '0',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { stderr: () => stderr, exit };
}

test('faultline run waits for a command that holds the store a moment (a status just before), then runs', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-lock-'));
  const child = await hold(dataDir, 'held', 'noserve');
  try {
    const run = runFile(dataDir);
    const deadline = Date.now() + 30_000;
    while (!/waiting up to 30 s/.test(run.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(run.stderr(), /is open in another faultline command; waiting up to 30 s/);
    await release(child);
    assert.equal(await run.exit, 0, run.stderr());
    assert.doesNotMatch(run.stderr(), /STORE_BUSY/);
    assert.match(run.stderr(), /20 records/);
  } finally {
    if (child.exitCode === null) await release(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('faultline run does not wait for another run serving the store: STORE_BUSY at once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-lock-'));
  const child = await hold(dataDir, 'held', 'serve');
  try {
    const started = Date.now();
    const run = runFile(dataDir);
    assert.notEqual(await run.exit, 0);
    assert.match(run.stderr(), /STORE_BUSY|in use by another faultline process/);
    assert.ok(Date.now() - started < 20_000, 'no 30 s wait');
  } finally {
    await release(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('status --repair-rollups: repairs a store nobody holds; refuses, saying why, a store served read-only by a run', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-lock-'));
  const bin = new URL('../../bin/faultline.js', import.meta.url).pathname;
  const status = () =>
    spawnSync(process.execPath, [bin, 'status', '--repair-rollups'], {
      env: { ...process.env, ...KEEP_FOREVER, CLICKHOUSE_URL: '', FAULTLINE_DATA: dataDir, CLICKHOUSE_DATABASE: 'held' },
      encoding: 'utf8',
    });
  try {
    const child = await hold(dataDir, 'held', 'serve');
    try {
      const refused = status();
      assert.notEqual(refused.status, 0);
      assert.match(refused.stderr, /--repair-rollups needs the store writable: another faultline process \(`faultline run`\?\) holds/);
    } finally {
      await release(child);
    }
    const ok = status();
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^rollups: nothing to repair$/m);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
