// A torn insert on the real engine. ClickHouse's non-replicated deduplication adds a block's id
// to the table's deduplication log before it renames the block's part into place
// (MergeTreeSink::finishDelayedChunk: `deduplication_log->addPart`, then `renameTempPartAndAdd`).
// chDB runs inside faultline, so a SIGKILL between the two keeps the id and loses the part
// (its temporary directory is removed at the next start). The test makes that state exactly:
// the first owner's flush stores its rows, the engine stops, the rejects part's directory is
// removed, the engine starts again. Then:
// - the next owner's whole replay under the same tokens is acknowledged and stores nothing of
//   the rejects (the engine's behaviour: the hazard is real), and writes the ledger over it;
// - the checked replay no longer trusts that ledger row: it reads the rows and restores them
//   (without running the views, which counted them when the replay pushed them there);
// - the whole replay as flush.ts runs it (write, then `Sink.repair`) restores them itself;
// - `faultline run --from file:` run again on the same file reads its segments back and repairs.
// test-tier: e2e (child processes: the engine is stopped and started between steps)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEEP_FOREVER } from '../support/keep-forever.ts';
import { records } from './helpers.ts';

const CHILD = fileURLToPath(new URL('./torn-insert-child.ts', import.meta.url));

interface Outcome {
  counts: { events: number; rejects: number; distinct: number };
  ledger: number;
  /** What the minute rollups count (sum of events_1m.events, rejects_1m.rejects). */
  rollups: { events: number; rejects: number };
  parts: { table: string; path: string }[];
  repaired: unknown;
  expected: { events: number; rejects: number };
}

function run(mode: string, dir: string): Outcome {
  const out = execFileSync(process.execPath, ['--import', 'tsx', CHILD, mode, dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Outcome;
}

/** The first owner's flush, then its rejects parts removed with the engine stopped: a torn rejects insert. */
function tornFlush(t: { after(fn: () => void): void }): { dir: string; first: Outcome } {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-torn-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = run('write', dir);
  assert.equal(first.counts.events, first.expected.events, 'the events insert was acknowledged');
  assert.equal(first.counts.rejects, first.expected.rejects, 'so was the rejects insert');
  assert.equal(first.ledger, 0, 'killed before the ledger insert');
  const rejectParts = first.parts.filter((p) => p.table === 'rejects');
  assert.ok(rejectParts.length > 0);
  for (const p of rejectParts) rmSync(p.path, { recursive: true, force: true });
  return { dir, first };
}

test('a torn insert swallows a replay under the same token; the checked replay reads the rows, not the ledger', async (t) => {
  const { dir, first } = tornFlush(t);
  const replay = run('replay', dir);
  assert.equal(replay.counts.events, first.expected.events);
  assert.equal(replay.counts.rejects, 0, 'the engine drops the replayed rejects: their ids are in its deduplication log');
  assert.deepEqual(replay.rollups, first.expected, 'but pushes them to the views, which count them');
  assert.equal(replay.ledger, 2, 'and the replay wrote the ledger over the missing rows');
  const checked = run('checked', dir);
  assert.deepEqual(checked.counts, { events: first.expected.events, rejects: first.expected.rejects, distinct: 400 });
  assert.equal(checked.ledger, 2);
  // The ledger row says an insert of every row was acknowledged, so the views have them: the
  // missing rows are added without running the views again.
  assert.deepEqual(checked.rollups, first.expected, 'every rollup counts each row once');
  assert.deepEqual(checked.repaired, [
    { events: 0, rejects: 20 },
    { events: 0, rejects: 20 },
  ]);
  const again = run('checked', dir);
  assert.deepEqual(again.counts, checked.counts, 'a second check finds nothing missing');
});

test('the whole replay repairs a torn insert of the flush it repeats: rows and ledger exact', async (t) => {
  const { dir, first } = tornFlush(t);
  const replay = run('replay-repair', dir);
  assert.deepEqual(replay.counts, { events: first.expected.events, rejects: first.expected.rejects, distinct: 400 });
  assert.equal(replay.ledger, 2);
  assert.deepEqual(replay.rollups, first.expected, 'the repair ran no view: every rollup counts each row once');
  assert.deepEqual(replay.repaired, { events: 0, rejects: first.expected.rejects, ledger: 0 });
  const again = run('replay-repair', dir);
  assert.deepEqual(again.counts, replay.counts, 'replayed again: nothing twice');
  assert.deepEqual(again.repaired, { events: 0, rejects: 0, ledger: 0 });
  assert.deepEqual(again.rollups, first.expected);
});

test('a file run again after a torn insert reads its segments back and repairs them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-torn-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const recs = records('gateway', 300, { tag: 'tf' });
  const file = join(dir, 'gw.ndjson');
  writeFileSync(file, recs.values.map((v) => `${v.toString()}\n`).join(''));
  const bin = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));
  const runFile = () =>
    execFileSync(process.execPath, [bin, 'run', '--from', `file:${file}`, '--source', 'gateway', '--progress-ms', '0'], {
      env: {
        ...process.env,
        ...KEEP_FOREVER,
        CLICKHOUSE_URL: '',
        FAULTLINE_DATA: dir,
        CLICKHOUSE_DATABASE: 'faultline',
        FAULTLINE_METRICS_PORT: '0',
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  runFile();
  const first = run('counts', dir);
  assert.deepEqual(first.counts, { events: recs.valid, rejects: recs.garbage, distinct: 300 });
  for (const p of first.parts.filter((x) => x.table === 'rejects')) rmSync(p.path, { recursive: true, force: true });
  assert.equal(run('counts', dir).counts.rejects, 0, 'the torn rejects part is gone');
  runFile();
  const again = run('counts', dir);
  assert.deepEqual(again.counts, first.counts, 'the rerun stored the torn rows again, and nothing twice');
  assert.deepEqual(again.rollups, first.rollups, 'without counting them twice in the rollups');
});
