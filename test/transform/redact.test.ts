import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalize } from '../../transform/normalize.ts';
import { isSecretKey, mayHoldSecret, redactText, redactValue, REDACTED } from '../../transform/redact.ts';

describe('isSecretKey', () => {
  it('matches the names of docs/secrets.md §1 ignoring case, -/_ and camelCase', () => {
    for (const k of [
      'sign',
      'SIGN',
      'session',
      'sessionKey',
      'session_key',
      'Session-Key',
      'access_token',
      'accessToken',
      'refresh-token',
      'app_secret',
      'AppSecret',
      'secret',
      'password',
      'pass_word',
      'Authorization',
      'cookie',
      'x-api-key',
      'X_API_KEY',
      'api_key',
      'apiKey',
      'headers.authorization',
    ]) {
      assert.ok(isSecretKey(k), k);
    }
  });
  it('leaves look-alikes alone', () => {
    for (const k of [
      'sign_type',
      'signature_method',
      'sessions',
      'token_type',
      'app_key',
      'request_id',
      'key',
      'cookies_enabled',
      'credentialsId',
      'access_token_url',
      'token_count',
    ]) {
      assert.ok(!isSecretKey(k), k);
    }
  });
});

describe('redactText', () => {
  it('redacts Bearer credentials of 8+ token characters', () => {
    assert.equal(redactText('auth Bearer abcDEF123._~+/-= ok'), `auth Bearer ${REDACTED} ok`);
    assert.equal(redactText('bearer\tabcdefg1'), `bearer\t${REDACTED}`);
    assert.equal(redactText('Bearer abc'), 'Bearer abc');
  });
  it('redacts logfmt, header, query and JSON-text values of secret keys', () => {
    assert.equal(redactText('a=1 password=hunter2 b=2'), `a=1 password=${REDACTED} b=2`);
    assert.equal(redactText('session="two words" b=2'), `session="${REDACTED}" b=2`);
    assert.equal(redactText('/v1/x?sign=abc&a=1'), `/v1/x?sign=${REDACTED}&a=1`);
    assert.equal(redactText('{"access_token": "t0k", "n": 1}'), `{"access_token": "${REDACTED}", "n": 1}`);
    assert.equal(redactText('{\\"secret\\":\\"x y\\"}'), `{\\"secret\\":\\"${REDACTED}\\"}`);
    assert.equal(redactText('Authorization: Basic dXNlcjpwYXNz'), `Authorization: ${REDACTED}`);
    assert.equal(redactText('Cookie: a=1; b=2'), `Cookie: ${REDACTED}`);
    assert.equal(redactText(`x {"session":{"id":"s","n":[1,{"k":"v"}]},"ok":1}`), `x {"session":"${REDACTED}","ok":1}`);
  });
  it('redacts pair lists and unterminated values in JSON text that did not parse', () => {
    assert.equal(redactText('[["Cookie","sid=1"],["a","b"]]'), `[["Cookie","${REDACTED}"],["a","b"]]`);
    assert.equal(redactText('{"key":"sign","value":"ABC"}'), `{"key":"sign","value":"${REDACTED}"}`);
    assert.equal(redactText('{"password":"abc def'), `{"password":"${REDACTED}"`);
    assert.equal(redactText('sign, then go'), 'sign, then go');
  });
  it('sees keys written with \\u escapes', () => {
    assert.ok(!redactText('{"\\u0073ign":"abc123"}').includes('abc123'));
  });
  it('returns text without secret hints unchanged (same string)', () => {
    const s = 'status=200 route=/v1/x msg="fine"';
    assert.equal(mayHoldSecret(s), false);
    assert.equal(redactText(s), s);
  });
});

describe('mayHoldSecret', () => {
  it('flags a stem only inside a run that normalizes to a secret key', () => {
    for (const s of [
      '{"api_key":1}',
      'X-Api-Key: k',
      '{"accessToken":"t"}',
      'headers.authorization=x',
      '{"key":"Sign","value":"v"}',
      'pass_word=x',
      '__sign__=x',
      'Session-Key: s',
    ]) {
      assert.equal(mayHoldSecret(s), true, s);
    }
    for (const s of [
      '{"error":{"code":"INVALID_API_KEY"}}',
      '{"signature_method":"md5","token_count":3}',
      'cookies=2 design=x',
      'msg="sessions expired"',
      'a2sign=x',
    ]) {
      assert.equal(mayHoldSecret(s), false, s);
      assert.equal(redactText(s), s);
    }
    // Upper case, and text whose lower-casing changes its length (U+0130) or folds a non-ASCII letter.
    assert.equal(mayHoldSecret('X-API-KEY: k'), true);
    assert.equal(mayHoldSecret('\u0130 PASS_WORD=x'), true);
    assert.equal(mayHoldSecret('\u0130 INVALID_API_KEY'), false);
    assert.equal(mayHoldSecret('\u212Asign=x'), true);
    // `session` alone is a secret key name where it stands as a key, not in prose (docs/secrets.md §1).
    assert.equal(mayHoldSecret('msg="session=abc"'), true);
    assert.equal(mayHoldSecret('msg="session expired"'), false);
  });
  it('sees secret keys with - or _ between any two letters (normKey ignores them anywhere)', () => {
    assert.equal(mayHoldSecret('{"s_i_g_n":"v"}'), true);
    assert.equal(mayHoldSecret('p-a-s-s-w-o-r-d=x'), true);
    assert.equal(redactText('s_i_g_n=abc12345 ok'), `s_i_g_n=${REDACTED} ok`);
    // Nothing else in these records hints at a secret: the key alone must send them to redaction.
    const ctx = { source: 'client' as const, transportTimeMs: 0 };
    for (const rec of [
      '{"ts":"2026-11-21T10:00:00Z","s_i_g_n":"TOPVALUE12345"}',
      '2026-11-21T10:00:00Z ERROR a_p_i_k_e_y=TOPVALUE12345 status=500',
    ]) {
      assert.ok(!JSON.stringify(normalize(rec, ctx)).includes('TOPVALUE12345'), rec);
    }
  });
  it('counts Bearer and \\u escapes anywhere, and escaped letters before a key', () => {
    assert.equal(mayHoldSecret('xBearer abcdefgh12'), true);
    assert.equal(mayHoldSecret('{"k":"\\u0041"}'), true);
    // `\nsign=` is a newline then `sign=` once the JSON string is decoded.
    const rec = '{"message":"boom\\nsign=SECRETVALUE1"}';
    assert.equal(mayHoldSecret(rec), true);
    assert.ok(!JSON.stringify(redactValue(JSON.parse(rec))).includes('SECRETVALUE1'));
  });
});

describe('redactValue', () => {
  it('redacts secret keys at any depth, whatever their value type', () => {
    const v = redactValue({ a: { password: { nested: 1 } }, list: [{ Sign: 5 }], ok: 'x' });
    assert.deepEqual(JSON.parse(JSON.stringify(v)), { a: { password: REDACTED }, list: [{ Sign: REDACTED }], ok: 'x' });
  });
  it('redacts Taobao args, header pairs and name/value objects', () => {
    const v = redactValue({
      args: {
        arg: [
          { key: 'sign', value: 'S' },
          { key: 'app_key', value: '1' },
        ],
      },
      h: [
        ['Authorization', 'x'],
        ['Accept', '*/*'],
      ],
      n: [{ name: 'X-Api-Key', value: 'k' }],
    });
    assert.deepEqual(JSON.parse(JSON.stringify(v)), {
      args: {
        arg: [
          { key: 'sign', value: REDACTED },
          { key: 'app_key', value: '1' },
        ],
      },
      h: [
        ['Authorization', REDACTED],
        ['Accept', '*/*'],
      ],
      n: [{ name: 'X-Api-Key', value: REDACTED }],
    });
  });
  it('redacts text inside strings and keys; keeps __proto__ as data', () => {
    const parsed = JSON.parse('{"__proto__":{"x":1},"m":"Bearer abcdefgh1jk","Bearer abcdefgh1jk":1}') as unknown;
    const v = redactValue(parsed) as Record<string, unknown>;
    assert.equal(JSON.stringify(v).includes('abcdefgh1jk'), false);
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(v, '__proto__')?.value, { x: 1 });
    assert.match(JSON.stringify(v), /"__proto__":\{"x":1\}/);
  });
});
