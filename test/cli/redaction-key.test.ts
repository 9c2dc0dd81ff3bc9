// The installation's redaction key (docs/secrets.md §4) is never printed: `faultline migrate`
// creates it and says nothing of it, `faultline status` does not show it, and a bad
// FAULTLINE_REDACTION_KEY is named in the error without its value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../lib/config.ts';
import { openStore } from '../../sql/index.ts';
import { readRedactionKey } from '../../sql/redaction-key.ts';
import { testDataDir, uniqueDatabase } from '../support/stores.ts';
import { inProcess } from './run-cli.ts';

test('migrate creates the key and prints it nowhere; status does not show it', { timeout: 120_000 }, async () => {
  const env = { FAULTLINE_DATA: testDataDir(), CLICKHOUSE_DATABASE: uniqueDatabase('fl_rk') };
  const m = await inProcess(['migrate'], env);
  assert.equal(m.code, 0, m.stderr);
  const config = { ...loadConfig({}), FAULTLINE_DATA: env.FAULTLINE_DATA, CLICKHOUSE_DATABASE: env.CLICKHOUSE_DATABASE };
  const store = await openStore(config, { fallbackToEndpoint: false });
  let key = '';
  try {
    key = await readRedactionKey(store, config.CLICKHOUSE_DATABASE);
  } finally {
    await store.close();
  }
  assert.match(key, /^[0-9a-f]{64}$/);
  const again = await inProcess(['migrate'], env);
  const status = await inProcess(['status'], env);
  for (const r of [m, again, status]) assert.ok(!(r.stdout + r.stderr).includes(key) && !(r.stdout + r.stderr).includes(key.slice(0, 16)));
  const drop = await openStore(config, { fallbackToEndpoint: false });
  await drop.command(`DROP DATABASE ${config.CLICKHOUSE_DATABASE} SYNC`).finally(() => drop.close());
});

test('a bad FAULTLINE_REDACTION_KEY is named, its value hidden', async () => {
  const r = await inProcess(['migrate', '--dry-run'], { FAULTLINE_REDACTION_KEY: 'short-s3cret' });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /FAULTLINE_REDACTION_KEY=\(hidden\)/);
  assert.ok(!r.stderr.includes('short-s3cret'));
});
