// The decisions of a flush as pure functions (ingest/flush-plan.ts): which partitions it takes
// and how, and the intent and done commits it makes of what it took, with the invariants it
// refuses to break.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeFlush, groupOrder, planFlush, type PartitionView } from '../../ingest/flush-plan.ts';
import { decodeComposition, decodeIntent, encodeComposition, MAX_COMMIT_METADATA } from '../../ingest/intent.ts';

const view = (topic: string, partition: number, v: Partial<PartitionView> = {}): [string, PartitionView] => [
  `${topic}/${partition}`,
  { topic, partition, held: false, replayGroup: null, hasTakeable: true, records: 10, weight: 10, committed: 0, ...v },
];
const seg = (topic: string, partition: number, first: number, last: number) => ({ topic, partition, first, last });
const opts = { maxRecords: 25, rotate: 0, staleGroups: false };

test('new segments: whole partitions until the record bound, starting one partition further each flush', () => {
  const parts = new Map([view('t', 0), view('t', 1), view('t', 2, { hasTakeable: false }), view('t', 3)]);
  assert.deepEqual(planFlush(parts, opts).fresh, ['t/0', 't/1', 't/3'], 'the partition that reaches the bound is still taken whole');
  assert.deepEqual(planFlush(parts, { ...opts, maxRecords: 15 }).fresh, ['t/0', 't/1']);
  assert.deepEqual(planFlush(parts, { ...opts, maxRecords: 15, rotate: 1 }).fresh, ['t/1', 't/3']);
  assert.deepEqual(planFlush(parts, { ...opts, maxRecords: 15, rotate: 6 }).fresh, ['t/3', 't/0']);
});

test('replays: a composition whole once all its partitions have their ranges, checked when split or stale', () => {
  const group = encodeComposition([seg('t', 1, 0, 4), seg('t', 0, 0, 2)])!;
  const parts = new Map([
    view('t', 0, { held: true, replayGroup: group }),
    view('t', 1, { held: true, replayGroup: group, hasTakeable: false }),
    view('t', 2, { held: true, replayGroup: null }),
    view('t', 3),
  ]);
  assert.deepEqual(planFlush(parts, opts), { fresh: ['t/3'], checked: ['t/2'], groups: [] }, 't/1 has not brought its range back');
  parts.set('t/1', { ...parts.get('t/1')!, hasTakeable: true });
  assert.deepEqual(planFlush(parts, opts).groups, [{ group, members: ['t/1', 't/0'] }], 'once, in the composition order');
  assert.deepEqual(planFlush(parts, { ...opts, staleGroups: true }).checked, ['t/0', 't/1', 't/2']);
  assert.deepEqual(groupOrder(group, [seg('t', 0, 0, 2), seg('t', 1, 3, 4), seg('t', 1, 0, 2)]), [
    seg('t', 1, 0, 2),
    seg('t', 1, 3, 4),
    seg('t', 0, 0, 2),
  ]);
});

test('compose: the intent names each unit on its partitions at unchanged positions; done moves past what was stored', () => {
  const committed = new Map<string, number | null>([
    ['a/0', 10],
    ['a/1', null],
    ['b/0', 3],
    ['c/0', 7],
  ]);
  const steps = composeFlush(
    {
      fresh: [seg('a', 0, 10, 14), seg('a', 0, 15, 19), seg('a', 1, 0, 4)],
      checked: [[seg('b', 0, 3, 8)]],
      groups: [[seg('c', 0, 7, 9)]],
    },
    (k) => committed.get(k) ?? null,
  );
  assert.equal(steps.compositions.length, 1);
  const intent = new Map(steps.intent.flat().map((e) => [`${e.topic}/${e.partition}`, e]));
  assert.deepEqual([...intent.keys()], ['a/0', 'a/1', 'b/0'], 'a whole replay keeps the intent its previous owner wrote');
  assert.deepEqual([intent.get('a/0')!.offset, intent.get('a/1')!.offset, intent.get('b/0')!.offset], ['10', '0', '3']);
  assert.deepEqual(decodeComposition(intent.get('a/1')!.metadata), [seg('a', 0, 10, 14), seg('a', 0, 15, 19), seg('a', 1, 0, 4)]);
  assert.deepEqual(decodeIntent(intent.get('b/0')!.metadata), [{ first: 3, last: 8 }]);
  assert.deepEqual(
    steps.done.map((e) => [e.topic, e.partition, e.offset, e.metadata]),
    [
      ['a', 0, '20', ''],
      ['a', 1, '5', ''],
      ['b', 0, '9', ''],
      ['c', 0, '10', ''],
    ],
  );
});

test('compose refuses what would break the argument: two units naming a partition, an offset moving back', () => {
  assert.throws(
    () => composeFlush({ fresh: [seg('a', 0, 0, 4)], checked: [[seg('a', 0, 5, 6)]], groups: [] }, () => 0),
    /named by two units/,
  );
  assert.throws(
    () => composeFlush({ fresh: [], checked: [], groups: [[seg('a', 0, 0, 4)], [seg('a', 0, 5, 6)]] }, () => 0),
    /named by two units/,
  );
  assert.throws(() => composeFlush({ fresh: [seg('a', 0, 0, 4)], checked: [], groups: [] }, () => 9), /would move back from 9 to 5/);
});

test('compose: many partitions make compositions and intent requests that fit the broker (metadata per entry and per commit)', () => {
  // 1,000 partitions of two long-named topics at large offsets: one composition would name
  // them all in far more than 4,096 bytes, and its metadata repeated on each partition would
  // make one OffsetCommit of megabytes, which Kafka refuses whole above message.max.bytes.
  const topics = [`gw-${'g'.repeat(120)}`, `cl-${'c'.repeat(120)}`];
  const fresh = topics.flatMap((t) => Array.from({ length: 500 }, (_, p) => seg(t, p, 9_000_000_000 + p, 9_000_000_400 + p)));
  const steps = composeFlush({ fresh, checked: [[seg('x', 0, 3, 8)]], groups: [] }, () => null);
  assert.ok(steps.compositions.length >= 2, `${steps.compositions.length} compositions`);
  const named = new Map<string, number>();
  steps.compositions.forEach((comp, i) => {
    const text = encodeComposition(comp);
    assert.ok(text !== undefined && Buffer.byteLength(text) <= 4096);
    const partitions = new Set(comp.map((s) => `${s.topic}/${s.partition}`));
    assert.ok(
      Buffer.byteLength(text) * partitions.size <= MAX_COMMIT_METADATA,
      `composition ${i}: ${partitions.size} x ${text.length} bytes`,
    );
    for (const k of partitions) named.set(k, i);
  });
  assert.equal(named.size, 1000, 'every partition in exactly one composition');
  assert.ok(steps.intent.length >= 2, 'the intent goes in several requests');
  const inRequest = new Map<string, number>();
  steps.intent.forEach((request, r) => {
    assert.ok(request.reduce((n, e) => n + Buffer.byteLength(e.metadata), 0) <= MAX_COMMIT_METADATA, `request ${r} fits`);
    for (const e of request) {
      const k = `${e.topic}/${e.partition}`;
      assert.ok(!inRequest.has(k));
      inRequest.set(k, r);
    }
  });
  assert.equal(inRequest.size, 1001, 'every partition of the flush, and the checked one, has its intent once');
  for (const comp of steps.compositions) {
    assert.equal(
      new Set(comp.map((s) => inRequest.get(`${s.topic}/${s.partition}`))).size,
      1,
      'a composition is never split between two requests',
    );
  }
});
