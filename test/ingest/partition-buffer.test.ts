// Cutting segments: a range recorded in an intent is cut again exactly — same first, last and
// content digest, hence the same dedup token — however the redelivered messages are batched;
// records already buffered are skipped; unfinished replay ranges are never handed out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizeRecord as normalize } from '../../transform/index.ts';
import { PartitionBuffer, type RawMessage } from '../../ingest/partition-buffer.ts';
import type { SealedSegment, Segment } from '../../ingest/segment.ts';
import { flushToken } from '../../ingest/tokens.ts';
import { EVENT_COLUMNS } from '../../sql/rows.ts';
import '../support/seed.ts';
import { otlpJsonBatch } from '../support/otlp-batch.ts';

const limits = { maxRecordBytes: 1 << 20, maxDepth: 64, rawMaxBytes: 4096 };
const msg = (offset: number, text = `{"status":500,"request_id":"req_${offset}"}`): RawMessage => ({
  offset: String(offset),
  value: Buffer.from(text),
  timestamp: '1763719200000',
});
const buffer = (start: { committed: number | null; replay: { first: number; last: number }[]; group?: string | null }, max = 1000) =>
  new PartitionBuffer('t', 0, 'gateway', normalize, limits, max, start);
const tokens = (segs: SealedSegment[]) => segs.map((s) => flushToken([s], 'events'));
/** The offsets of a segment's event rows, read back from its serialised payload. */
const eventOffsets = (s: Segment) =>
  s.events.body
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(l.split('\t')[EVENT_COLUMNS.indexOf('offset')]));

test('records below the next offset are skipped (a re-fetch), gaps are kept', async () => {
  const b = buffer({ committed: 10, replay: [] });
  assert.equal(b.append([msg(8), msg(9), msg(10), msg(11)]), 2);
  assert.equal(b.append([msg(11), msg(12), msg(15)]), 2);
  const seg = await b.take()[0]!.complete;
  assert.deepEqual([seg!.first, seg!.last, seg!.records, seg!.events.rows, eventOffsets(seg!)], [10, 15, 4, 4, [10, 11, 12, 15]]);
  assert.deepEqual(b.take(), []);
});

test('an unfinished replay range is held back, even past the size bound, and cut at its last offset', () => {
  const b = buffer(
    {
      committed: 0,
      replay: [
        { first: 0, last: 9 },
        { first: 10, last: 12 },
      ],
    },
    3,
  );
  b.append([msg(0), msg(1), msg(2), msg(3), msg(4)]);
  assert.equal(b.hasTakeable, false);
  assert.deepEqual(b.take(), []);
  b.append([msg(5), msg(6), msg(7), msg(8), msg(9), msg(10), msg(11), msg(12), msg(13), msg(14)]);
  assert.equal(b.held, true);
  const segs = b.take();
  assert.deepEqual(
    segs.map((s) => [s.first, s.last, s.replayed]),
    [
      [0, 9, true],
      [10, 12, true],
    ],
  );
  // Held until the replay is committed: the partition's metadata names one flush at a time.
  assert.deepEqual(b.take(), []);
  assert.equal(b.hasTakeable, false);
  b.release();
  assert.deepEqual(
    b.take().map((s) => [s.first, s.last, s.replayed]),
    [[13, 14, false]],
  );
});

test(
  'a replayed segment keeps the keys (offset, record_index) of its rows (to insert only what is missing)' + '; a fresh one does not',
  async () => {
    const b = buffer({ committed: 0, replay: [{ first: 0, last: 3 }], group: null });
    const otlp = otlpJsonBatch([
      { body: '{"status":500}', timeMs: 1763719200000 },
      { body: '{"status":200}', timeMs: 1763719200000 },
      { body: '{"broken":', timeMs: 0 },
    ]);
    b.append([msg(0), msg(1, 'garbage garbage'), msg(2, otlp), msg(3), msg(4)]);
    const seg = await b.take()[0]!.complete;
    assert.deepEqual([seg.eventKeys, seg.rejectKeys, seg.replayGroup], [['0', '2', '2.1', '3'], ['1', '2.2'], null]);
    b.release();
    assert.equal((await b.take()[0]!.complete).eventKeys, undefined);
  },
);

test('a replay range of which nothing comes back releases the partition with nothing to replay', () => {
  const b = buffer({ committed: 0, replay: [{ first: 0, last: 9 }], group: 'g' });
  b.append([msg(12), msg(13)]);
  assert.equal(b.hasTakeable, true);
  assert.deepEqual(b.take(), []);
  b.release();
  assert.deepEqual(
    b.take().map((s) => [s.first, s.last, s.replayed]),
    [[12, 13, false]],
  );
});

test('a replay range whose end never comes back (retention, compaction) is closed by the next offset after it', () => {
  const b = buffer({ committed: 0, replay: [{ first: 0, last: 9 }] });
  b.append([msg(0), msg(1), msg(20), msg(21)]);
  assert.deepEqual(
    b.take().map((s) => [s.first, s.last]),
    [[0, 1]],
  );
  b.release();
  assert.deepEqual(
    b.take().map((s) => [s.first, s.last]),
    [[20, 21]],
  );
});

test('property: after a crash at any point, replaying the committed intent reproduces every token that may have been stored', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 5, max: 120 }),
      fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 30 }),
      fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 0, max: 29 }),
      (count, fetchSizes, flushAfter, maxSeg, crashAt) => {
        const log = Array.from({ length: count }, (_, i) => msg(i * 2, i % 7 === 3 ? 'garbage garbage' : undefined));
        // The first owner: fetches in arbitrary batches, flushes at arbitrary moments.
        const a = buffer({ committed: null, replay: [] }, maxSeg);
        let committed: number | null = null;
        let pos = 0;
        const flushes: SealedSegment[][] = [];
        for (let i = 0; pos < log.length; i++) {
          const n = fetchSizes[i % fetchSizes.length]!;
          a.append(log.slice(pos, pos + n));
          pos += n;
          if (flushAfter[i % flushAfter.length] || pos >= log.length) {
            const segs = a.take();
            if (segs.length) flushes.push(segs);
          }
        }
        // Crash inside flush k: its intent (committed position + its ranges) is what the next owner reads.
        const k = Math.min(crashAt, flushes.length - 1);
        for (let i = 0; i < k; i++) committed = flushes[i]!.at(-1)!.last + 1;
        const crashed = flushes[k]!;
        const b = buffer({ committed, replay: crashed.map((s) => ({ first: s.first, last: s.last })) }, 1000);
        const from = log.findIndex((m) => Number(m.offset) >= (committed ?? 0));
        for (let i = from; i < log.length; i += 4) b.append(log.slice(i, i + 4));
        const replayed = b.take().slice(0, crashed.length);
        assert.deepEqual(tokens(replayed), tokens(crashed));
        assert.ok(replayed.every((s) => s.replayed));
      },
    ),
    { numRuns: 200 },
  );
});

test('records count by size towards the segment bound (once per started 512 bytes): big OTLP batches cut sooner', async () => {
  const big = (o: number) => msg(o, JSON.stringify({ status: 500, request_id: `req_${o}`, pad: 'x'.repeat(1100) })); // ~1,150 B: weight 3
  const b = buffer({ committed: 0, replay: [] }, 10);
  b.append([0, 1, 2, 3, 4].map(big));
  assert.deepEqual([b.records, b.weight], [5, 15]);
  const segs = b.take();
  assert.deepEqual(
    segs.map((s) => [s.first, s.last, s.records, s.weight]),
    [
      [0, 3, 4, 12],
      [4, 4, 1, 3],
    ],
  );
  // Small records weigh 1 each: the bound is the record count, as before.
  const small = buffer({ committed: 0, replay: [] }, 3);
  small.append([0, 1, 2, 3].map((o) => msg(o)));
  assert.deepEqual(
    small.take().map((s) => [s.first, s.last, s.weight]),
    [
      [0, 2, 3],
      [3, 3, 1],
    ],
  );
});
