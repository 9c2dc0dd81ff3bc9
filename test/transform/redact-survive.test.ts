// What must survive (docs/secrets.md §3): records that look as if they might hold a secret but
// do not come out byte-identical (test/fixtures/secrets/survive.jsonl, made by
// generate-survive.mjs beside it), with or without an installation key; and the text around a
// redacted value stays as it was.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { normalize } from '../../transform/normalize.ts';
import { redactOptions, redactText } from '../../transform/redact.ts';

interface Row {
  name: string;
  record: string;
  fields: Record<string, unknown>;
  source: string;
}

const rows = readFileSync(new URL('../fixtures/secrets/survive.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Row);

describe('what survives redaction (§3)', () => {
  for (const r of rows) {
    it(r.name, () => {
      for (const redactionKey of [undefined, 'test-installation-key']) {
        const res = normalize(r.record, { source: 'client', transportTimeMs: Date.parse('2026-11-21T10:00:00Z'), redactionKey });
        assert.ok(res.ok, JSON.stringify(res));
        assert.equal(res.event.raw, r.record);
        assert.equal(res.event.app_id, '', 'no fingerprint, so no key:<fp> app');
        const ev = res.event as unknown as Record<string, unknown>;
        for (const [k, v] of Object.entries(r.fields)) assert.deepEqual(ev[k], v, `${r.name}: ${k}`);
        assert.ok(!JSON.stringify(res).includes('[REDACTED'), JSON.stringify(res));
      }
    });
  }

  it('keeps the text around a redacted value', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const cases: [string, string][] = [
      [`auth failed for token ${jwt} at /v1/x`, 'auth failed for token [REDACTED] at /v1/x'],
      ['/v1/x?a=1&access_token=abc123xyz&b=2', '/v1/x?a=1&access_token=[REDACTED]&b=2'],
      ['a=1&client_secret=Zr8vQ2xL&client_id=shop-42', 'a=1&client_secret=[REDACTED]&client_id=shop-42'],
      ['dsn postgres://app:Pg5ecret@db:5432/shop refused', 'dsn postgres://app:[REDACTED]@db:5432/shop refused'],
      ['level=error password=hunter22 status=500 msg="login failed"', 'level=error password=[REDACTED] status=500 msg="login failed"'],
      [
        'Host: a.example.com\r\nCookie: sid=abc123; csrftoken=x9\r\nAccept: */*',
        'Host: a.example.com\r\nCookie: [REDACTED]\r\nAccept: */*',
      ],
      ['{"sign_type":"RSA2","sign":"Zk3Jx9q","app_key":"12345678"}', '{"sign_type":"RSA2","sign":"[REDACTED]","app_key":"12345678"}'],
    ];
    for (const [input, want] of cases) assert.equal(redactText(input), want);
  });

  it('gives one credential one fingerprint wherever it appears, and the record its app (§4)', () => {
    const o = redactOptions('test-installation-key', 'keep');
    const tok = 'ghp_' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7c';
    const a = redactText(`Authorization: Bearer ${tok}`, o);
    const b = redactText(`/v1/x?access_token=${tok}&a=1`, o);
    const c = redactText(`pushed with ${tok}`, o);
    const fp = /\[REDACTED:([0-9a-f]{10})\]/.exec(a)?.[1];
    assert.ok(fp, a);
    assert.ok(b.includes(`[REDACTED:${fp}]`) && c.includes(`[REDACTED:${fp}]`), `${b} ${c}`);
    // Another key gives another fingerprint; passwords stay plain.
    assert.ok(!redactText(`pushed with ${tok}`, redactOptions('another-key', 'keep')).includes(fp));
    assert.equal(redactText('password=hunter22', o), 'password=[REDACTED]');
    const res = normalize(JSON.stringify({ ts: '2026-11-21T10:00:00Z', status: 429, headers: { 'x-api-key': tok } }), {
      source: 'client',
      transportTimeMs: 0,
      redactionKey: 'test-installation-key',
    });
    assert.ok(res.ok);
    assert.equal(res.event.app_id, `key:${fp}`);
    const named = normalize(JSON.stringify({ ts: '2026-11-21T10:00:00Z', status: 429, app_id: 'app_42', headers: { 'x-api-key': tok } }), {
      source: 'client',
      transportTimeMs: 0,
      redactionKey: 'test-installation-key',
    });
    assert.ok(named.ok);
    assert.equal(named.event.app_id, 'app_42');
  });
});
