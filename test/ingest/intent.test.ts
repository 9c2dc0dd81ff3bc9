// The intent kept in committed-offset metadata: what is encoded reads back exactly; anything
// else (other tools' metadata, corrupt text) reads as no intent rather than a wrong one; and which
// owner replays a pending flush whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeComposition, decodeIntent, encodeComposition, encodeIntent, MAX_METADATA, splitCompositions } from '../../ingest/intent.ts';
import { planStarts } from '../../ingest/recovery.ts';
import '../support/seed.ts';

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
  for (const m of [
    null,
    undefined,
    '',
    'some-other-tool',
    'faultline check ',
    'faultline check 5-3',
    'faultline check 1-5,4-9',
    'faultline check 1-5;7-9',
    'faultline flush 1-5',
  ]) {
    assert.deepEqual(decodeIntent(m), [], String(m));
  }
});

test('the two kinds say what the next owner does: replay a flush whole, or check ranges', () => {
  assert.equal(encodeIntent([{ first: 3, last: 8 }]), 'faultline check 3-8');
  assert.equal(encodeComposition([{ topic: 'gw', partition: 1, first: 10, last: 14 }]), 'faultline flush gw 0.1:10+4');
});

test('metadata under the names before "flush"/"check" reads as no intent (hence: drain before upgrading)', () => {
  assert.deepEqual(decodeIntent('faultline/1 3-8'), []);
  assert.equal(decodeComposition('faultline/2 gw 0.1:10+4'), undefined);
});

test('an intent too large for the broker metadata limit is refused, not truncated', () => {
  const ranges = Array.from({ length: 400 }, (_, i) => ({ first: i * 1e9, last: i * 1e9 + 5 }));
  assert.throws(() => encodeIntent(ranges), /metadata limit/);
});

const refs = fc.array(
  fc.record({
    t: fc.constantFrom('gateway-logs', 'client-logs', 'a.b_c-1'),
    partition: fc.nat(200),
    gap: fc.nat(1_000_000),
    len: fc.nat(60_000),
  }),
  { minLength: 1, maxLength: 60 },
);

test('a flush composition round-trips through the metadata string, in flush order', () => {
  fc.assert(
    fc.property(refs, (rs) => {
      const at = new Map<string, number>();
      const comp = rs.map(({ t, partition, gap, len }) => {
        const k = `${t}/${partition}`;
        const first = (at.get(k) ?? 0) + gap;
        at.set(k, first + len + 1);
        return { topic: t, partition, first, last: first + len };
      });
      const text = encodeComposition(comp);
      if (text === undefined) return; // too long: splitCompositions cuts it first
      assert.ok(text.length <= MAX_METADATA);
      assert.deepEqual(decodeComposition(text), comp);
      assert.deepEqual(decodeIntent(text), [], 'a composition is not a per-partition intent');
    }),
  );
});

test('malformed compositions read as none', () => {
  for (const m of [
    null,
    '',
    'faultline flush ',
    'faultline flush gw 0.1:5',
    'faultline flush gw 1.1:5+3',
    'faultline flush gw 0.1:5+3,0.1:7+1',
    'faultline flush g w 0.1:5+3',
    'faultline check 1-5',
  ]) {
    assert.equal(decodeComposition(m), undefined, String(m));
  }
});

test('a flush too large for one intent is split into compositions that fit, each partition in one of them', () => {
  const topic = 'x'.repeat(200);
  const segs = Array.from({ length: 256 }, (_, i) => ({
    topic: `${topic}${i % 2}`,
    partition: i >> 1,
    first: 1e12 + i,
    last: 1e12 + i + 50_000,
  }));
  segs.push({ ...segs[0]!, first: 2e12, last: 2e12 + 5 }); // a second segment of partition 0 goes with its first
  const comps = splitCompositions(segs);
  assert.ok(comps.length > 1);
  for (const c of comps) assert.ok(encodeComposition(c) !== undefined);
  assert.equal(comps.flat().length, segs.length);
  const owner = new Map<string, number>();
  comps.forEach((c, i) => {
    for (const s of c) {
      const k = `${s.topic}/${s.partition}`;
      assert.equal(owner.get(k) ?? i, i, `${k} in one composition`);
      owner.set(k, i);
    }
  });
});

test('recovery: a composition is replayed whole only by an owner of all its partitions that all still name it', () => {
  const comp = encodeComposition([
    { topic: 'gw', partition: 0, first: 10, last: 19 },
    { topic: 'cl', partition: 1, first: 5, last: 7 },
  ])!;
  const committed = new Map([
    ['gw/0', { offset: 10, metadata: comp }],
    ['cl/1', { offset: 5, metadata: comp }],
    ['gw/1', { offset: 3, metadata: encodeIntent([{ first: 3, last: 8 }]) }],
    ['cl/0', { offset: 40, metadata: '' }],
  ]);
  const all = planStarts(
    new Map([
      ['gw', new Set([0, 1])],
      ['cl', new Set([0, 1])],
    ]),
    committed,
  );
  assert.deepEqual(all.get('gw/0'), { committed: 10, replay: [{ first: 10, last: 19 }], group: comp });
  assert.deepEqual(all.get('cl/1'), { committed: 5, replay: [{ first: 5, last: 7 }], group: comp });
  assert.deepEqual(all.get('gw/1'), { committed: 3, replay: [{ first: 3, last: 8 }], group: null });
  assert.deepEqual(all.get('cl/0'), { committed: 40, replay: [], group: null });
  // Split ownership: each owner checks its ranges against the store.
  const split = planStarts(new Map([['gw', new Set([0])]]), committed);
  assert.deepEqual(split.get('gw/0'), { committed: 10, replay: [{ first: 10, last: 19 }], group: null });
  // One partition of it already moved on (its own flush was committed): no whole replay.
  const moved = new Map(committed).set('cl/1', { offset: 8, metadata: '' });
  assert.equal(
    planStarts(
      new Map([
        ['gw', new Set([0])],
        ['cl', new Set([1])],
      ]),
      moved,
    ).get('gw/0')!.group,
    null,
  );
  assert.deepEqual(planStarts(new Map([['gw', new Set([7])]]), committed).get('gw/7'), { committed: null, replay: [] });
});
