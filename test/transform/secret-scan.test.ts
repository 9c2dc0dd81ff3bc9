// Secrets spelled through an escaping layer: a quoted logfmt value turns `\s` into `s` (so
// `pa\ssword=` reads `password=`), JSON and logfmt turn `\n` into a newline (so `boom\nsign=`
// holds the key `sign`). The pre-check must flag such text and redactText must redact it in
// `raw` and in reject heads, not only in the decoded fields.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { normalize } from '../../transform/normalize.ts';
import { mayHoldSecret, redactText, REDACTED } from '../../transform/redact.ts';
import { escapedRunSecret } from '../../transform/secret-scan.ts';
import '../support/seed.ts';

const ctx = { source: 'client' as const, transportTimeMs: 0 };
const TS = '2026-11-21T10:00:00Z ERROR';

describe('escaped secret keys', () => {
  it('reads a run under every reading of its escapes', () => {
    assert.equal(escapedRunSecret('pa\\ssword', false), 'password');
    assert.equal(escapedRunSecret('boom\\nsign', false), 'sign');
    assert.equal(escapedRunSecret('\\\\sign', false), 'sign');
    assert.equal(escapedRunSecret('pa\\ssword\\nx', false), 'password');
    assert.match(escapedRunSecret('headers.\\nauthorization', true), /authorization$/);
    assert.equal(escapedRunSecret('boom\\nsignal', false), '');
    assert.equal(escapedRunSecret('a\\nstatus', false), '');
    // Past the escape limit a run counts as secret rather than trying every reading.
    assert.notEqual(escapedRunSecret('a\\b\\c\\d\\e\\f\\g\\h\\i\\j\\k', false), '');
    // So does a very long one: a hostile megabyte-long run costs one check, not one per reading.
    const long = `${'a'.repeat(1_000_000)}\\nsign`;
    const t0 = process.hrtime.bigint();
    assert.equal(mayHoldSecret(`{"m":"${long}=x"}`), true);
    assert.ok(Number(process.hrtime.bigint() - t0) < 1e9);
  });

  it('the pre-check flags keys and Bearer written with escapes, and only those', () => {
    for (const s of [
      'msg="pa\\ssword=x"',
      'msg="s\\ign=x"',
      'msg="Be\\arer abcdefghij"',
      'x\\-api-key=k',
      '"boom\\tpassword: x"',
      '\\\\sign=x',
      '{"m":"a\\nsign=x"}',
    ]) {
      assert.equal(mayHoldSecret(s), true, s);
    }
    for (const s of ['{"m":"a\\nsignal"}', 'a\\nstatus=1', '{"m":"x\\"y\\" design"}']) assert.equal(mayHoldSecret(s), false, s);
  });

  it('redactText redacts values behind escaped keys and escaped Bearer', () => {
    assert.equal(redactText('boom\\nsign=SECRET1 x'), `boom\\nsign=${REDACTED} x`);
    assert.equal(redactText('pa\\ssword=SECRET2'), `pa\\ssword=${REDACTED}`);
    assert.equal(redactText('x Bearer\\tabcdefgh1j'), `x Bearer\\t${REDACTED}`);
    assert.equal(redactText('Be\\arer abcdefgh1j'), `Be\\arer ${REDACTED}`);
    // A newline escape ends the token, as it ends the decoded one.
    assert.equal(redactText('Bearer abcdefg1\\nfoo'), `Bearer ${REDACTED}\\nfoo`);
    assert.equal(redactText('a\\nstatus=1'), 'a\\nstatus=1');
  });

  it('no field, raw or reject head keeps a secret behind an escaped key', () => {
    const cases = [
      `${TS} msg="pa\\ssword=ZQXsecret1" status=500`,
      `${TS} msg="s\\ign=ZQXsecret2" status=500`,
      `${TS} msg="Be\\arer ZQXsecret3abc" status=500`,
      `${TS} msg="boom\\nsign=ZQXsecret4" status=500`,
      `${TS} msg="boom\\tpassword: ZQXsecret5" status=500`,
      '{"ts":"2026-11-21T10:00:00Z","message":"boom\\nsign=ZQXsecret6"',
      '{"ts":"2026-11-21T10:00:00Z","response":"{\\"m\\":\\"a\\\\nsign=ZQXsecret7\\"}"}',
      `${TS} body={"m":"a\\nsession=ZQXsecret8"}`,
    ];
    for (const rec of cases) {
      const out = JSON.stringify(normalize(rec, ctx));
      assert.ok(!out.includes('ZQXsecret'), `${rec}\n-> ${out}`);
    }
  });

  it('generated: keys spelled with escapes inside quoted logfmt and JSON strings never leak', () => {
    const KEYS = ['sign', 'session', 'password', 'access_token', 'x-api-key', 'cookie', 'authorization', 'app_secret'];
    const arb = fc.record({
      key: fc.constantFrom(...KEYS),
      // Where a backslash goes in the key (logfmt keeps the next character), or none.
      at: fc.array(fc.nat(12), { maxLength: 2 }),
      before: fc.constantFrom('', 'boom\\n', 'x\\t', 'a ', '\\\\'),
      sep: fc.constantFrom('=', ': ', '='),
      secret: fc
        .string({ unit: fc.constantFrom(...'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'), minLength: 10, maxLength: 16 })
        .map((s) => `ZQX${s}`),
      json: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, ({ key, at, before, sep, secret, json }) => {
        let k = key;
        for (const a of [...at].sort((x, y) => y - x)) {
          const i = 1 + (a % (k.length - 1));
          // `\n`, `\t`, `\r` would split the key for every reader: not a key then.
          if ('ntr'.includes(k[i] ?? '')) continue;
          k = `${k.slice(0, i)}\\${k.slice(i)}`;
        }
        const inner = `${before}${k}${sep}${secret}`;
        const rec =
          json && !/\\[^nt\\]/.test(inner) ? `{"ts":"2026-11-21T10:00:00Z","message":"${inner}"}` : `${TS} msg="${inner}" status=500`;
        const out = JSON.stringify(normalize(rec, ctx));
        assert.ok(!out.includes(secret), `${rec}\n-> ${out}`);
      }),
      { numRuns: 3000, seed: 20261123 },
    );
  });
});
