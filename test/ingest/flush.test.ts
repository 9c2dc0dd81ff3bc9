// When a flush may take a partition: a whole replay waits for every partition of its
// composition, unless the generation is old enough for it to go the checked way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalize } from '../../transform/normalize.ts';
import { encodeComposition } from '../../ingest/intent.ts';
import { flushable } from '../../ingest/flush.ts';
import { PartitionBuffer } from '../../ingest/partition-buffer.ts';

const limits = { maxRecordBytes: 1 << 20, maxDepth: 64, rawMaxBytes: 4096 };
const msg = (offset: number) => ({
  offset: String(offset),
  value: Buffer.from(`{"status":500,"request_id":"r${offset}"}`),
  timestamp: '1763719200000',
});

test('a whole replay is flushable only once all its partitions have their ranges; a stale one at once; a fresh partition any time', () => {
  const group = encodeComposition([
    { topic: 't', partition: 0, first: 0, last: 4 },
    { topic: 't', partition: 1, first: 0, last: 2 },
  ])!;
  const buf = (p: number, last: number) =>
    new PartitionBuffer('t', p, 'gateway', normalize, limits, 1000, { committed: 0, replay: [{ first: 0, last }], group });
  const a = buf(0, 4);
  const b = buf(1, 2);
  const fresh = new PartitionBuffer('t', 2, 'gateway', normalize, limits, 1000, { committed: 0, replay: [] });
  fresh.append([msg(0)]);
  const parts = new Map([
    ['t/0', a],
    ['t/1', b],
    ['t/2', fresh],
  ]);
  a.append([0, 1, 2, 3, 4, 5].map(msg));
  b.append([msg(0), msg(1)]);
  assert.equal(a.hasTakeable, true);
  assert.equal(flushable(a, parts, false), false, 't/1 has not brought its range back yet');
  assert.equal(flushable(a, parts, true), true, 'stale: checked instead');
  assert.equal(flushable(fresh, parts, false), true);
  b.append([msg(2)]);
  assert.equal(flushable(a, parts, false), true);
  assert.equal(flushable(b, parts, false), true);
  parts.delete('t/1');
  assert.equal(flushable(a, parts, false), false, 'a partition not seen yet holds the group');
});
