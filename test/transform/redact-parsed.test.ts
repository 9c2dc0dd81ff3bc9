// The redaction of a just-parsed record guided by the pre-check's hits (secret-scan.ts
// secretHits/hitStrings, redact.ts redactParsed) must give exactly what the full deep copy
// (redactValue) gives, for any JSON text; and a record the pre-check passes must be one that
// redactValue leaves unchanged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mayHoldSecret, redactParsed, redactValue } from '../../transform/redact.ts';
import { hitStrings, secretHits } from '../../transform/secret-scan.ts';
import '../support/seed.ts';

const KEYS = [
  'sign',
  'Sign',
  's_i_g_n',
  'key',
  'name',
  'value',
  'v',
  'msg',
  'message',
  'a',
  'b',
  '__proto__',
  '1',
  'token_count',
  'headers.authorization',
  'Authorization',
  'x-api-key',
  'Bearer abcdefgh1jk',
  'q password=abc',
  'pass\\word',
  'args',
  'arg',
];
const STRINGS = [
  'sign',
  'Cookie',
  'X-Api-Key',
  'plain',
  'INVALID_API_KEY',
  'Bearer abcdefgh1jkl',
  'password=hunter2',
  'a\nsign=x',
  'x \\u0073ign=y',
  'pa\\ssword=zz',
  '{"sign":"x"}',
  'session expired',
  'design',
  '\u0130 PASS_WORD=x',
  'Be\\arer abcdefghij',
];

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...STRINGS),
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), tie('value')), { maxLength: 4 })
    .map((entries) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      return o;
    }),
}));

/** JSON text of `o`, with some `sign` keys or values written as `\u0073ign` (still the same JSON). */
const textArb = fc
  .tuple(
    value.filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
    fc.boolean(),
  )
  .map(([o, esc]) => {
    const t = JSON.stringify(o);
    return esc ? t.replaceAll('"sign"', '"\\u0073ign"') : t;
  });

describe('redaction guided by the pre-check hits', () => {
  it('gives what the full deep copy gives, for generated records', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        const full = JSON.stringify(redactValue(JSON.parse(text)));
        const hits = secretHits(text);
        assert.equal(hits !== undefined, mayHoldSecret(text));
        if (hits === undefined) {
          // The pre-check is a superset: a record it passes has nothing to redact.
          assert.equal(full, JSON.stringify(JSON.parse(text)), text);
          return;
        }
        const strings = hitStrings(text, hits, 0, text.length);
        assert.ok(strings !== undefined, text);
        assert.equal(JSON.stringify(redactParsed(JSON.parse(text), strings)), full, text);
      }),
      { numRuns: 4000, seed: 20261123 },
    );
  });

  it('hitStrings decodes the string tokens holding a hit', () => {
    const text = '{"a":"x \\"q\\" sign=1","sign":"v","b":"\\u0073ign"}';
    const hits = secretHits(text);
    assert.ok(hits);
    assert.deepEqual(hitStrings(text, hits, 0, text.length), ['x "q" sign=1', 'sign', 'sign']);
  });

  it('keeps keys that change, and __proto__, as the copy does', () => {
    const text = '{"Bearer abcdefgh1jk":1,"__proto__":{"password":"p"},"n":[["Cookie","c"],{"key":"sign","value":"s"}]}';
    const hits = secretHits(text);
    assert.ok(hits);
    const out = redactParsed(JSON.parse(text), hitStrings(text, hits, 0, text.length) ?? []) as Record<string, unknown>;
    assert.equal(JSON.stringify(out), JSON.stringify(redactValue(JSON.parse(text))));
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.ok(!JSON.stringify(out).includes('abcdefgh1jk'));
  });
});
