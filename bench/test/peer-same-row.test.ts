// The same-row peer (bench/peer-same-row-sql.ts) is only a fair peer if its view fills
// faultline's tables as faultline does: on generated gateway records, through the real engine
// (chDB) and faultline's own migrations, every dashboard column must agree, and `raw` may differ
// only where faultline redacted a secret (docs/secrets.md), which SQL cannot do.
// test-tier: unit (one chDB session in-process, no broker)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offlineAgreement } from '../peer-agreement.ts';

test('the same-row peer agrees with faultline on every dashboard column and differs on raw only where faultline redacted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peer-same-row-'));
  try {
    const a = await offlineAgreement({ records: 6000, seed: 7, partitions: 8, data: join(dir, 'store') });
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
    rmSync(dir, { recursive: true, force: true });
  }
});
