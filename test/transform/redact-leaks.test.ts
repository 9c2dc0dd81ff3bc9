// The leaks of issue 14, each as a record through normalize: none of them may reach any field
// of the event (`message`, `raw`, headers, upstream text) or a reject head (docs/secrets.md).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalize } from '../../transform/normalize.ts';

const ctx = { source: 'client' as const, transportTimeMs: 0 };
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.' +
  'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.' +
  'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
// Generated for this test only (openssl genpkey, then cut): the shape of a real PKCS#8 key.
const PEM_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDAC4AWkdwKYSd8\nKs14IReLcYgADhoXk56ZzXIsQ0Z3vQf7Tr1pW5';
const PEM = `-----BEGIN PRIVATE KEY-----\n${PEM_BODY}\n-----END PRIVATE KEY-----`;

function out(record: string): string {
  const r = normalize(record, ctx);
  assert.ok(r.ok, JSON.stringify(r));
  return JSON.stringify(r);
}

function event(record: string): Record<string, unknown> {
  const r = normalize(record, ctx);
  assert.ok(r.ok, JSON.stringify(r));
  return r.event as unknown as Record<string, unknown>;
}

describe('issue 14 leaks', () => {
  it('a JWT in an error message', () => {
    const rec = JSON.stringify({ ts: '2026-11-21T10:00:00Z', status: 401, message: `auth failed for token ${JWT}`, code: 'UNAUTHORIZED' });
    const o = out(rec);
    assert.ok(!o.includes('eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ'), o);
    assert.ok(!o.includes('SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'), o);
    // The text around it survives.
    assert.match(String(event(rec).message), /^auth failed for token \[REDACTED\]$/);
  });

  it('client_secret in a form body beside app_secret', () => {
    const body = 'grant_type=client_credentials&client_id=shop-42&client_secret=Zr8vQ2xLmN4pK7tW&app_secret=Hk3Jq9s';
    const rec = JSON.stringify({ ts: '2026-11-21T10:00:00Z', status: 400, request: { body }, message: `token request failed: ${body}` });
    const o = out(rec);
    assert.ok(!o.includes('Zr8vQ2xLmN4pK7tW'), o);
    assert.ok(!o.includes('Hk3Jq9s'), o);
    assert.equal(
      event(rec).message,
      'token request failed: grant_type=client_credentials&client_id=shop-42&client_secret=[REDACTED]&app_secret=[REDACTED]',
    );
    // The same body as a text line.
    const line = `2026-11-21T10:00:00Z ERROR token request failed body=${body} status=400`;
    const t = out(line);
    assert.ok(!t.includes('Zr8vQ2xLmN4pK7tW') && !t.includes('Hk3Jq9s'), t);
    assert.ok(t.includes('client_id=shop-42'), t);
  });

  it('Cookie and Set-Cookie values under cookie_header and set-cookie', () => {
    const rec = JSON.stringify({
      ts: '2026-11-21T10:00:00Z',
      status: 403,
      headers: {
        cookie_header: 'sessionid=q8w7e6r5t4y3; csrftoken=Ab12Cd34Ef56',
        'set-cookie': 'sessionid=z9x8c7v6b5n4; Path=/; HttpOnly',
        'x-request-id': 'req_7f3a',
      },
    });
    const o = out(rec);
    for (const s of ['q8w7e6r5t4y3', 'Ab12Cd34Ef56', 'z9x8c7v6b5n4']) assert.ok(!o.includes(s), o);
    assert.equal(event(rec).request_id, 'req_7f3a');
    // As header lines inside a logged request, escaped CR/LF between them.
    const msg =
      'GET /v1/x HTTP/1.1\\r\\nHost: api.example.com\\r\\nCookie: sessionid=q8w7e6r5t4y3; csrftoken=Ab12Cd34Ef56\\r\\nAccept: */*';
    const line = JSON.stringify({ ts: '2026-11-21T10:00:00Z', status: 403, message: msg });
    const m = String(event(line).message);
    assert.equal(m, 'GET /v1/x HTTP/1.1\\r\\nHost: api.example.com\\r\\nCookie: [REDACTED]\\r\\nAccept: */*');
  });

  it('the password of a DSN in message and raw', () => {
    const rec = JSON.stringify({
      ts: '2026-11-21T10:00:00Z',
      level: 'error',
      message: 'connect failed: postgres://app:Pg5ecretW0rd@db:5432/shop (timeout)',
    });
    const o = out(rec);
    assert.ok(!o.includes('Pg5ecretW0rd'), o);
    const ev = event(rec);
    assert.equal(ev.message, 'connect failed: postgres://app:[REDACTED]@db:5432/shop (timeout)');
    assert.ok(String(ev.raw).includes('postgres://app:[REDACTED]@db:5432/shop'));
    // A text line: the DSN in the line itself, and the empty-user form.
    const line =
      '2026-11-21T10:00:00Z ERROR cache down url=redis://:R3disPassw0rd@cache:6379/0 dsn="postgres://app:Pg5ecretW0rd@db:5432/shop"';
    const t = out(line);
    assert.ok(!t.includes('R3disPassw0rd') && !t.includes('Pg5ecretW0rd'), t);
    assert.ok(t.includes('redis://:[REDACTED]@cache:6379/0'), t);
  });

  it('a private key quoted in a vendor message, whole or cut short', () => {
    const rec = JSON.stringify({
      error_response: { code: 27, msg: 'Invalid key', sub_code: 'isv.invalid-signature', sub_msg: `cannot load key ${PEM} for app 2188` },
    });
    const o = out(rec);
    assert.ok(!o.includes('MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDAC4AWkdwKYSd8'), o);
    assert.ok(!o.includes('Ks14IReLcYgADhoXk56ZzXI'), o);
    const ev = event(rec);
    assert.equal(ev.upstream_sub_code, 'isv.invalid-signature');
    assert.equal(ev.upstream_message, 'cannot load key [REDACTED] for app 2188');
    const cut = JSON.stringify({
      ts: '2026-11-21T10:00:00Z',
      message: `bad key: -----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY.slice(0, 70)}`,
    });
    const c = out(cut);
    assert.ok(!c.includes(PEM_BODY.slice(0, 30)), c);
    assert.equal(event(cut).message, 'bad key: [REDACTED]');
  });

  it('a reject head keeps none of them', () => {
    const rec = `{"ts":"2026-11-21T10:00:00Z","message":"auth failed for token ${JWT} via postgres://app:Pg5ecretW0rd@db/shop", "broken`;
    const r = normalize(rec, ctx);
    assert.equal(r.ok, false);
    const o = JSON.stringify(r);
    assert.ok(!o.includes('SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c') && !o.includes('Pg5ecretW0rd'), o);
  });
});
