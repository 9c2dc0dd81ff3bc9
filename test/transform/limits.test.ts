import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeUtf8, jsonDepthExceeds, overBytes, truncateUtf8, utf8Length } from '../../transform/limits.ts';
import '../support/seed.ts';

describe('limits', () => {
  it('utf8Length and overBytes agree with Buffer.byteLength', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.nat(800), (s, max) => {
        assert.equal(utf8Length(s), Buffer.byteLength(s));
        assert.equal(overBytes(s, max), Buffer.byteLength(s) > max);
      }),
      { numRuns: 2000 },
    );
  });
  it('truncateUtf8 cuts on a character boundary, never past the limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), fc.nat(300), (s, max) => {
        const t = truncateUtf8(s, max);
        assert.ok(Buffer.byteLength(t) <= max);
        assert.ok(s.startsWith(t));
        assert.ok(!/[\ud800-\udbff]$/.test(t) || /[\ud800-\udbff]$/.test(s.slice(0, t.length)));
      }),
      { numRuns: 2000 },
    );
    assert.equal(truncateUtf8('a😀b', 4), 'a');
    assert.equal(truncateUtf8('a😀b', 5), 'a😀');
  });
  it('jsonDepthExceeds counts objects and arrays together, skipping strings', () => {
    assert.equal(jsonDepthExceeds('[[[]]]', 3), false);
    assert.equal(jsonDepthExceeds('[[[[]]]]', 3), true);
    assert.equal(jsonDepthExceeds('{"a":[{"b":1}]}', 3), false);
    assert.equal(jsonDepthExceeds('{"a":[{"b":[1]}]}', 3), true);
    assert.equal(jsonDepthExceeds('{"a":"[[[[[[\\"[[["}', 1), false);
    assert.equal(jsonDepthExceeds('[{}, {}, {}, {}, {}]', 2), false);
  });
  it('decodeUtf8 is strict', () => {
    assert.equal(decodeUtf8(Buffer.from('淘宝')), '淘宝');
    assert.equal(decodeUtf8(Uint8Array.from([0x61, 0xff])), undefined);
    assert.equal(decodeUtf8(Uint8Array.from([0xed, 0xa0, 0x80])), undefined, 'encoded surrogate');
  });
});
