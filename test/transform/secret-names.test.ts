// Secrets by name (docs/secrets.md §1): keys read as components, the exceptions that name a
// property of a secret, and the places a name/value pair hides in a record.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalize } from '../../transform/normalize.ts';
import { redactText, redactValue, REDACTED } from '../../transform/redact.ts';
import { API_KEY, keyComponents, NOT_SECRET, SECRET, secretClass } from '../../transform/secret-names.ts';

describe('key components (§1)', () => {
  it('splits at - _ . spaces and camelCase, an acronym staying one component', () => {
    assert.deepEqual(keyComponents('AWSSecretAccessKey'), ['aws', 'secret', 'access', 'key']);
    assert.deepEqual(keyComponents('XAPIKey'), ['xapi', 'key']);
    assert.deepEqual(keyComponents('s_i_g_n'), ['sign']);
    assert.deepEqual(keyComponents('http.request.header.x-api-key'), ['http', 'request', 'header', 'x', 'api', 'key']);
    assert.deepEqual(keyComponents('client secret'), ['client', 'secret']);
  });
});

describe('secret key names (§1)', () => {
  const cases: [string, number][] = [
    // A component among the words of §1.
    ['password', SECRET],
    ['db_passwd', SECRET],
    ['PWD', SECRET],
    ['gpg-passphrase', SECRET],
    ['client_secret', SECRET],
    ['AWSSecretAccessKey', SECRET],
    ['auth_token', SECRET],
    ['x-auth-token', SECRET],
    ['oauth_token', SECRET],
    ['credentials', SECRET],
    ['cookie_header', SECRET],
    ['Set-Cookie', SECRET],
    ['oauth_signature', SECRET],
    ['X-Auth-Key', SECRET],
    ['user_auth', SECRET],
    ['bearer', SECRET],
    // Joined, equals or contains.
    ['sign', SECRET],
    ['Sign', SECRET],
    ['session', SECRET],
    ['sessionKey', SECRET],
    ['JSESSIONID', SECRET],
    ['PHPSESSID', SECRET],
    ['session_id', SECRET],
    ['csrftoken', SECRET],
    ['x-csrftoken', SECRET],
    ['Authorization', SECRET],
    ['Proxy-Authorization', SECRET],
    ['app_private_key', SECRET],
    ['refresh_token', SECRET],
    ['stripeToken', SECRET],
    // Api-key names: fingerprinted (§4).
    ['api_key', API_KEY],
    ['apiKey', API_KEY],
    ['X-Api-Key', API_KEY],
    ['XAPIKey', API_KEY],
    ['stripe_api_key', API_KEY],
    ['access_token', API_KEY],
    ['accessToken', API_KEY],
    ['http.request.header.x-api-key', API_KEY],
    // Properties of or references to a secret, and look-alikes.
    ['sign_type', NOT_SECRET],
    ['token_type', NOT_SECRET],
    ['signature_method', NOT_SECRET],
    ['oauth_signature_method', NOT_SECRET],
    ['credentialsId', NOT_SECRET],
    ['access_token_url', NOT_SECRET],
    ['secret_name', NOT_SECRET],
    ['token_expires', NOT_SECRET],
    ['session_ttl', NOT_SECRET],
    ['cookie_count', NOT_SECRET],
    ['app_key', NOT_SECRET],
    ['sessions', NOT_SECRET],
    ['tokens', NOT_SECRET],
    ['design', NOT_SECRET],
    ['author', NOT_SECRET],
    ['authentication', NOT_SECRET],
    ['request_id', NOT_SECRET],
    ['key', NOT_SECRET],
  ];
  for (const [k, want] of cases) it(`${k} -> ${['not secret', 'secret', 'api key'][want]}`, () => assert.equal(secretClass(k), want));
});

describe('names wherever pairs hide (§1)', () => {
  const ctx = { source: 'client' as const, transportTimeMs: 0 };
  const leaks = (rec: string, secret: string): void => {
    const out = JSON.stringify(normalize(rec, ctx));
    assert.ok(!out.includes(secret), `${secret} in ${out}`);
  };
  it('query strings and form bodies', () => {
    assert.equal(
      redactText('/oauth/token?grant_type=refresh_token&refresh_token=r3fr3sh&client_id=shop'),
      `/oauth/token?grant_type=refresh_token&refresh_token=${REDACTED}&client_id=shop`,
    );
    assert.equal(redactText('username=ops&passwd=Hunt3r2&remember=1'), `username=ops&passwd=${REDACTED}&remember=1`);
    leaks(JSON.stringify({ ts: '2026-11-21T10:00:00Z', url: 'https://h/cb?code=abc&client_secret=Cl13ntS3cr3t&state=x' }), 'Cl13ntS3cr3t');
  });
  it('Taobao args, HAR header lists, [name, value] pairs, logfmt and nested objects', () => {
    const v = redactValue({
      args: {
        arg: [
          { key: 'session', value: 'S3ss10n' },
          { key: 'app_key', value: '12345678' },
          { key: 'sign_method', value: 'md5' },
        ],
      },
      har: {
        headers: [
          { name: 'Cookie', value: 'sid=1' },
          { name: 'Accept', value: '*/*' },
        ],
      },
      pairs: [
        ['X-Auth-Token', 'tok1'],
        ['Host', 'h'],
      ],
      deep: { a: [{ b: { client_secret: { v: 1 } } }] },
    });
    assert.deepEqual(v, {
      args: {
        arg: [
          { key: 'session', value: REDACTED },
          { key: 'app_key', value: '12345678' },
          { key: 'sign_method', value: 'md5' },
        ],
      },
      har: {
        headers: [
          { name: 'Cookie', value: REDACTED },
          { name: 'Accept', value: '*/*' },
        ],
      },
      pairs: [
        ['X-Auth-Token', REDACTED],
        ['Host', 'h'],
      ],
      deep: { a: [{ b: { client_secret: REDACTED } }] },
    });
    leaks('2026-11-21T10:00:00Z ERROR login failed db_password=Pa55w0rdX user=ops', 'Pa55w0rdX');
    leaks(
      '2026-11-21T10:00:00Z WARN shop-worker upstream failed req_1 vendor=taobao ' +
        'body={"error_response":{"code":7,"args":{"arg":[{"key":"sign","value":"668FB4A049F71A1C"}]}}}',
      '668FB4A049F71A1C',
    );
  });
  it('a UUID under a secret key is a token', () => {
    leaks(
      JSON.stringify({ ts: '2026-11-21T10:00:00Z', api_token: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' }),
      '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    );
  });
});
