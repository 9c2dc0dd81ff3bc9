// The intent kept in committed-offset metadata: what is encoded reads back exactly; anything
// else (other tools' metadata, corrupt text) reads as no intent rather than a wrong one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeIntent, encodeIntent } from '../../ingest/intent.ts';

test('ranges round-trip through the metadata string', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(1_000_000), fc.nat(5000)), { minLength: 1, maxLength: 40 }), (spans) => {
      let at = 0;
      const ranges = spans.map(([gap, len]) => {
        const first = at + gap;
        at = first + len + 1;
        return { first, last: first + len };
      });
      assert.deepEqual(decodeIntent(encodeIntent(ranges)), ranges);
    }),
  );
});

test('foreign, empty or malformed metadata is no intent', () => {
  for (const m of [null, undefined, '', 'some-other-tool', 'faultline/1 ', 'faultline/1 5-3', 'faultline/1 1-5,4-9', 'faultline/1 1-5;7-9', 'faultline/2 1-5']) {
    assert.deepEqual(decodeIntent(m), [], String(m));
  }
});

test('an intent too large for the broker metadata limit is refused, not truncated', () => {
  const ranges = Array.from({ length: 400 }, (_, i) => ({ first: i * 1e9, last: i * 1e9 + 5 }));
  assert.throws(() => encodeIntent(ranges), /metadata limit/);
});
