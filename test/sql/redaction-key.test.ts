// The installation's redaction key (docs/secrets.md §4, sql/redaction-key.ts) in a real chDB
// store: created once by migrate, kept across runs, the same for every reader, given to an
// old store (migrated before 0009) at its next migrate, and never printed by the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureRedactionKey } from '../../sql/index.ts';
import { readRedactionKey } from '../../sql/redaction-key.ts';
import { testStore } from '../support/stores.ts';

test('migrate creates the redaction key once; a second ensure returns the same key', async () => {
  const { store, db, cleanup } = await testStore('rk');
  try {
    await store.migrate();
    assert.equal(await readRedactionKey(store, db), '');
    const k = await ensureRedactionKey(store, db);
    assert.match(k, /^[0-9a-f]{64}$/);
    assert.equal(await ensureRedactionKey(store, db), k);
    assert.equal(await readRedactionKey(store, db), k);
    // Two racing migrates that both inserted: every reader still takes the first key.
    await store.command(`INSERT INTO ${db}.installation (name, value, created_at) VALUES ('redaction_key', 'later', now64(3) + 10)`);
    assert.equal(await readRedactionKey(store, db), k);
  } finally {
    await cleanup();
  }
});

test('an old store without the installation table gets a key at its next migrate', async () => {
  const { store, db, cleanup } = await testStore('rko');
  try {
    await store.migrate();
    // As if migrated before 0009 existed.
    await store.command(`DROP TABLE ${db}.installation SYNC`);
    await store.command(`ALTER TABLE ${db}.schema_migrations DELETE WHERE name = '0009_installation' SETTINGS mutations_sync = 1`);
    assert.deepEqual(await store.migrate(), ['0009_installation']);
    assert.match(await ensureRedactionKey(store, db), /^[0-9a-f]{64}$/);
  } finally {
    await cleanup();
  }
});
