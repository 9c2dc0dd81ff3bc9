// `faultline dashboards build` end to end in a child process: writes the dashboards and the
// provisioning under --out, --check detects drift, flags are validated.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { KEEP_FOREVER } from '../support/keep-forever.ts';

const bin = new URL('../../bin/faultline.js', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'faultline-dashboards-'));
after(() => rmSync(out, { recursive: true, force: true }));

function faultline(args: string[], env: Record<string, string> = {}) {
  const clean = { ...process.env };
  delete clean.CLICKHOUSE_URL;
  delete clean.CLICKHOUSE_DATABASE;
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...clean, ...KEEP_FOREVER, ...env } });
}

test('build writes five dashboards and the provisioning files; --check passes, then catches an edit', () => {
  const r = faultline(['dashboards', 'build', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /wrote 9 files/);
  assert.equal(readdirSync(join(out, 'generated')).length, 5);
  const dash = JSON.parse(readFileSync(join(out, 'generated', 'faultline-quota.json'), 'utf8'));
  assert.equal(dash.uid, 'faultline-quota');
  assert.match(readFileSync(join(out, 'provisioning/alerting/faultline.yaml'), 'utf8'), /uid: faultline-ingest-stalled/);
  assert.equal(faultline(['dashboards', 'build', '--out', out, '--check']).status, 0);
  writeFileSync(join(out, 'generated', 'faultline-quota.json'), '{}\n');
  const check = faultline(['dashboards', 'build', '--out', out, '--check']);
  assert.equal(check.status, 1);
  assert.match(check.stderr, /generated\/faultline-quota\.json/);
});

test('the database and the ClickHouse server come from the configuration', () => {
  const dir = join(out, 'custom');
  const r = faultline(['dashboards', 'build', '--out', dir, '--database', 'ops_logs'], { CLICKHOUSE_URL: 'https://ch.internal:8443' });
  assert.equal(r.status, 0, r.stderr);
  const json = readFileSync(join(dir, 'generated', 'faultline-error-rates.json'), 'utf8');
  assert.match(json, /FROM ops_logs\.events_1m/);
  assert.doesNotMatch(json, /faultline\.events/);
  const ds = readFileSync(join(dir, 'provisioning/datasources/faultline.yaml'), 'utf8');
  assert.match(ds, /host: ch\.internal/);
  assert.match(ds, /port: 8443/);
  assert.match(ds, /secure: true/);
  assert.match(ds, /defaultDatabase: ops_logs/);
});

test('bad usage exits 2 with a message naming what is allowed', () => {
  const sub = faultline(['dashboards', 'publish']);
  assert.equal(sub.status, 2);
  assert.match(sub.stderr, /expected the subcommand 'build'/);
  const db = faultline(['dashboards', 'build', '--out', out, '--database', 'bad-name']);
  assert.equal(db.status, 2);
  assert.match(db.stderr, /CLICKHOUSE_DATABASE/);
  const help = faultline(['dashboards', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--check/);
  const alertsHelp = faultline(['alerts', '--help']);
  assert.equal(alertsHelp.status, 0);
  assert.match(alertsHelp.stdout, /--at ISO/);
});
