// Offset commits bound to one generation (ingest/group-commit.ts): what a refused, failing or
// late commit does, waiting for the rejoin, and heartbeating while a batch handler waits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit, heartbeating, type CommitFn, type GroupCommitDeps } from '../../ingest/group-commit.ts';
import { IngestMetrics } from '../../ingest/metrics.ts';
import { silentLogger } from '../../ingest/log.ts';
import { AbortedError } from '../../lib/retry.ts';

type Payload = Parameters<CommitFn>[0];

function setup(fn: (payload: Payload) => Promise<void>, over: Partial<GroupCommitDeps> = {}) {
  const calls: Payload[] = [];
  const metrics = new IngestMetrics();
  let epoch = 1;
  const commitFn: CommitFn = async (payload) => {
    calls.push(payload);
    await fn(payload);
  };
  const gc = new GroupCommit({
    epoch: () => epoch,
    commitFn: () => commitFn,
    stopping: () => false,
    backoff: { initialMs: 1, maxMs: 5, permanentAttempts: 1 },
    metrics,
    log: silentLogger,
    sessionTimeoutMs: 1000,
    ...over,
  });
  return { gc, calls, metrics, setEpoch: (e: number) => (epoch = e) };
}

const entries = [
  { topic: 'a', partition: 0, offset: '5', metadata: 'm' },
  { topic: 'b', partition: 1, offset: '7', metadata: '' },
  { topic: 'a', partition: 2, offset: '9', metadata: 'm' },
];
const errors = async (m: IngestMetrics) => (await m.commitErrors.get()).values[0]?.value ?? 0;

test('a commit sends every entry once, grouped by topic, and reports success', async () => {
  const { gc, calls } = setup(async () => {});
  assert.equal(await gc.commit(1, entries, 'intent', new AbortController().signal), true);
  assert.deepEqual(calls, [
    {
      topics: [
        {
          topic: 'a',
          partitions: [
            { partition: 0, offset: '5', metadata: 'm' },
            { partition: 2, offset: '9', metadata: 'm' },
          ],
        },
        { topic: 'b', partitions: [{ partition: 1, offset: '7', metadata: '' }] },
      ],
    },
  ]);
  assert.equal(await gc.commit(1, [], 'nothing', new AbortController().signal), true);
  assert.equal(calls.length, 1, 'nothing to commit sends nothing');
});

test('a commit refused because the generation ended is not retried: false, the intent stays for the next owner', async () => {
  for (const type of ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']) {
    const { gc, calls, metrics } = setup(async () => {
      throw Object.assign(new Error('refused'), { type });
    });
    assert.equal(await gc.commit(1, entries, 'offsets', new AbortController().signal), false, type);
    assert.equal(calls.length, 1);
    assert.equal(await errors(metrics), 1);
  }
});

test('a failing commit is retried with backoff while the generation lasts; a new generation stops it', async () => {
  let fail = 3;
  const ok = setup(async () => {
    if (fail-- > 0) throw Object.assign(new Error('coordinator not available'), { type: 'COORDINATOR_NOT_AVAILABLE' });
  });
  assert.equal(await ok.gc.commit(1, entries, 'offsets', new AbortController().signal), true);
  assert.equal(ok.calls.length, 4);
  assert.equal(await errors(ok.metrics), 3);

  const late = setup(async () => {
    late.setEpoch(2); // the group rejoined while this attempt failed
    throw new Error('request timed out');
  });
  assert.equal(await late.gc.commit(1, entries, 'offsets', new AbortController().signal), false);
  assert.equal(late.calls.length, 1, 'no attempt is made in a generation that ended');
  const stale = setup(async () => {});
  stale.setEpoch(3);
  assert.equal(await stale.gc.commit(2, entries, 'offsets', new AbortController().signal), false);
  assert.equal(stale.calls.length, 0);
});

test('without a group commit yet, or after an abort, nothing is committed', async () => {
  const none = new GroupCommit({
    epoch: () => 1,
    commitFn: () => null,
    stopping: () => false,
    backoff: { initialMs: 1, maxMs: 1, permanentAttempts: 1 },
    metrics: new IngestMetrics(),
    log: silentLogger,
    sessionTimeoutMs: 1000,
  });
  assert.equal(await none.commit(1, entries, 'intent', new AbortController().signal), false);
  const ac = new AbortController();
  ac.abort();
  const { gc, calls } = setup(async () => {});
  await assert.rejects(gc.commit(1, entries, 'intent', ac.signal), AbortedError);
  assert.equal(calls.length, 0);
});

test('after a refused commit: the rejoin is awaited; none coming within the wait stops the process', async () => {
  const s = setup(async () => {}, { rejoinWaitMs: 150 });
  const waiting = s.gc.awaitGeneration(1, new AbortController().signal);
  setTimeout(() => s.setEpoch(2), 60);
  await waiting;
  const started = Date.now();
  await assert.rejects(s.gc.awaitGeneration(2, new AbortController().signal), /no rejoin followed/);
  assert.ok(Date.now() - started >= 140);
});

test('heartbeating: the session is kept alive while waiting, and the outcome passes through', { timeout: 10_000 }, async () => {
  // The wait ends on the third heartbeat (not after a wall-clock time, which a loaded machine
  // stretches): heartbeats go on while the promise is pending and stop once it has settled.
  let beats = 0;
  let finish: (v: string) => void = () => {};
  const payload = {
    heartbeat: async () => {
      if (++beats === 3) finish('done');
    },
  };
  const value = await heartbeating(new Promise<string>((r) => (finish = r)), payload, 5);
  assert.equal(value, 'done');
  assert.equal(beats, 3, 'heartbeats while waiting, none after the outcome');
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(beats, 3, 'no heartbeat once settled');
  beats = 0;
  assert.equal(await heartbeating(Promise.resolve(1), payload, 20), 1);
  assert.equal(beats, 0, 'no heartbeat for what is already settled');
  await assert.rejects(heartbeating(new Promise((_, j) => setTimeout(() => j(new Error('boom')), 50)), payload, 20), /boom/);
});
