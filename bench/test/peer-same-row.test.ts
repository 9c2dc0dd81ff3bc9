// The same-row peer (bench/peer-same-row-sql.ts) is only a fair peer if its view fills
// faultline's tables as faultline does: on generated gateway records, through the real engine
// (chDB, the test process's store) and faultline's own migrations, every dashboard column must
// agree, and `raw` may differ only where faultline redacted a secret (docs/secrets.md), which SQL
// cannot do.
// test-tier: unit (the process's chDB store, no broker)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testStore } from '../../test/support/stores.ts';
import { offlineAgreement } from '../peer-agreement.ts';

test('the same-row peer agrees with faultline on every dashboard column and differs on raw only where faultline redacted', async () => {
  const t = await testStore('peer');
  const peerDb = `${t.db}_peer`;
  try {
    const a = await offlineAgreement({
      records: 6000,
      seed: 7,
      partitions: 8,
      db: t.db,
      peerDb,
      sql: {
        run: (q) => t.store.command(q),
        rows: (q) => t.store.query<Record<string, unknown>>(q),
        // Inline data, as clickhouse-local reads it after FORMAT (the Store interface inserts into events and rejects only).
        insert: (table, body, format, columns) =>
          t.store.command(`INSERT INTO ${table}${columns ? ` (${columns.join(', ')})` : ''} FORMAT ${format}\n${body}`),
      },
    });
    assert.equal(a.records, 6000);
    assert.equal(a.missing_in_peer, 0);
    assert.equal(a.extra_in_peer, 0);
    assert.equal(a.dashboard_rows, a.records, `dashboard columns differ: ${JSON.stringify(a.differ)}`);
    // Secrets are in the generator's mix (Bearer headers, Taobao session/sign args): some raw differs.
    assert.ok(a.redacted > 0, 'the corpus holds records with secrets');
    assert.deepEqual(Object.keys(a.differ), ['raw']);
    assert.equal(a.differ.raw, a.redacted);
    assert.equal(a.all_rows, a.records - a.redacted);
  } finally {
    await t.store.command(`DROP DATABASE IF EXISTS ${peerDb} SYNC`);
    await t.cleanup();
  }
});
