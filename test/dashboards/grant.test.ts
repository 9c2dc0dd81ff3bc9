// Grafana's read-only user without hand edits: its password comes from one setting
// (CLICKHOUSE_READONLY_PASSWORD, not the writer's CLICKHOUSE_PASSWORD), no generated file holds
// a password, and `faultline dashboards grant` sends only a salted hash. chDB has no user
// management (CREATE USER is ACCESS_DENIED there), so the statements are parsed by ClickHouse's
// own formatQuery and the hash is checked against ClickHouse's SHA256 of password || salt.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildArtifacts, READONLY_USER, readonlyUserStatements } from '../../dashboards/index.ts';
import { loadConfig } from '../../lib/config.ts';
import { openStore, type Store } from '../../sql/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-grant-'));
const bin = new URL('../../bin/faultline.js', import.meta.url).pathname;
const PASSWORD = "s3cret'pa\\ss wörd";
let store: Store;
before(async () => {
  store = await openStore(loadConfig({ FAULTLINE_DATA: dir, CLICKHOUSE_DATABASE: 'grant_db' }));
});
after(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the statements hold no password, parse as ClickHouse SQL, and the hash is ClickHouse's SHA256(password || salt)", async () => {
  const statements = readonlyUserStatements('faultline', PASSWORD, 'a1b2c3');
  assert.equal(statements.length, 4);
  for (const s of statements) {
    assert.ok(!s.includes(PASSWORD) && !s.includes('s3cret'), s);
    const [row] = await store.query<{ f: string }>('SELECT formatQuery({q:String}) AS f', { q: s });
    assert.match(row!.f, /^(CREATE|ALTER|GRANT|REVOKE)/, s);
  }
  assert.match(
    statements[0]!,
    new RegExp(
      `^CREATE USER IF NOT EXISTS ${READONLY_USER} IDENTIFIED WITH sha256_hash BY '[0-9A-F]{64}' SALT 'a1b2c3' SETTINGS readonly = 1`,
    ),
  );
  assert.equal(statements[2], `GRANT SELECT ON faultline.* TO ${READONLY_USER}`);
  // Grafana reads every table but the one holding the redaction key (docs/secrets.md §4).
  assert.equal(statements[3], `REVOKE SELECT ON faultline.installation FROM ${READONLY_USER}`);
  const hash = /BY '([0-9A-F]{64})'/.exec(statements[1]!)![1];
  const [ch] = await store.query<{ h: string }>('SELECT hex(SHA256(concat({p:String}, {s:String}))) AS h', { p: PASSWORD, s: 'a1b2c3' });
  assert.equal(hash, ch!.h);
  // A fresh random salt each time: the same password gives different statements.
  assert.notEqual(readonlyUserStatements('faultline', PASSWORD)[0], readonlyUserStatements('faultline', PASSWORD)[0]);
});

test('generated files name the setting, hold no password, and need no editing', () => {
  const files = buildArtifacts();
  assert.ok(![...files.keys()].some((k) => k.endsWith('.sql')), 'no SQL file to edit');
  const ds = files.get('provisioning/datasources/faultline.yaml')!;
  assert.match(ds, /password: \$CLICKHOUSE_READONLY_PASSWORD\n/);
  for (const [path, text] of files) assert.doesNotMatch(text, /change-me|faultline-local-only|\$CLICKHOUSE_PASSWORD\b/, path);
});

test('faultline dashboards grant: needs a server and a password, says so naming the setting, never prints the password', () => {
  const run = (env: Record<string, string>) => {
    const clean = { ...process.env };
    for (const k of ['CLICKHOUSE_URL', 'CLICKHOUSE_READONLY_PASSWORD', 'CLICKHOUSE_PASSWORD']) delete clean[k];
    return spawnSync(process.execPath, [bin, 'dashboards', 'grant'], { encoding: 'utf8', env: { ...clean, FAULTLINE_DATA: dir, ...env } });
  };
  const noServer = run({ CLICKHOUSE_READONLY_PASSWORD: PASSWORD });
  assert.notEqual(noServer.status, 0);
  assert.match(noServer.stderr, /CLICKHOUSE_URL/);
  const noPassword = run({ CLICKHOUSE_URL: 'http://127.0.0.1:9' });
  assert.notEqual(noPassword.status, 0);
  assert.match(noPassword.stderr, /CLICKHOUSE_READONLY_PASSWORD=\(hidden\)/);
  // A server that is not there: the error names the failure, not the password or its hash.
  const down = run({ CLICKHOUSE_URL: 'http://127.0.0.1:9', CLICKHOUSE_READONLY_PASSWORD: PASSWORD });
  assert.notEqual(down.status, 0);
  for (const out of [noServer, noPassword, down])
    assert.ok(!(out.stdout + out.stderr).includes('s3cret') && !/sha256_hash/.test(out.stdout + out.stderr), out.stderr);
});
