// The one retry loop (lib/retry.ts): what each verdict does, the backoff bounds, aborts, and
// that every failed attempt is reported (the callers log and count them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AbortedError, backoffDelay, retry, type FailedAttempt, type Verdict } from '../../lib/retry.ts';

const policy = { initialMs: 1, maxMs: 4, permanentAttempts: 2 };

function failing(verdicts: Verdict[]) {
  const seen: FailedAttempt[] = [];
  let calls = 0;
  const fn = async () => {
    const v = verdicts[calls++];
    if (v === undefined) return 'ok';
    throw Object.assign(new Error(`fail ${calls}`), { verdict: v });
  };
  const o = { policy, classify: (e: unknown) => (e as { verdict: Verdict }).verdict, onFailure: (a: FailedAttempt) => void seen.push(a) };
  return { fn, o, seen, calls: () => calls };
}

test('retriable failures are retried until success, each one reported with its wait', async () => {
  const f = failing(['retry', 'retry', 'retry', 'retry']);
  assert.equal(await retry('op', f.fn, f.o), 'ok');
  assert.equal(f.calls(), 5);
  assert.deepEqual(
    f.seen.map((a) => [a.what, a.attempt, a.verdict, a.giveUp]),
    [1, 2, 3, 4].map((n) => ['op', n, 'retry', false]),
  );
  assert.ok(f.seen.every((a) => a.delayMs >= 1 && a.delayMs <= 4));
});

test('a permanent error is given up after permanentAttempts, a stop at once, and maxAttempts bounds everything', async () => {
  const p = failing(['permanent', 'retry', 'permanent', 'retry']);
  await assert.rejects(retry('op', p.fn, p.o), /fail 3/);
  assert.deepEqual(
    p.seen.map((a) => a.giveUp),
    [false, false, true],
  );
  const s = failing(['retry', 'stop', 'retry']);
  await assert.rejects(retry('op', s.fn, s.o), /fail 2/);
  assert.deepEqual(
    s.seen.map((a) => [a.verdict, a.delayMs > 0, a.giveUp]),
    [
      ['retry', true, false],
      ['stop', false, true],
    ],
  );
  const m = failing(['retry', 'retry', 'retry', 'retry']);
  await assert.rejects(retry('op', m.fn, { ...m.o, policy: { ...policy, maxAttempts: 3 } }), /fail 3/);
  assert.equal(m.calls(), 3);
});

test('an abort ends the waiting and the loop with AbortedError; an AbortedError from the call is not retried', async () => {
  const ac = new AbortController();
  const slow = { ...policy, initialMs: 10_000, maxMs: 10_000 };
  setTimeout(() => ac.abort(), 30);
  const started = Date.now();
  await assert.rejects(
    retry(
      'op',
      async () => {
        throw new Error('down');
      },
      { policy: slow, classify: () => 'retry', signal: ac.signal },
    ),
    AbortedError,
  );
  assert.ok(Date.now() - started < 2000, 'the backoff wait is cut short');
  let calls = 0;
  await assert.rejects(
    retry(
      'op',
      async () => {
        calls++;
        throw new AbortedError('inner');
      },
      { policy, classify: () => 'retry' },
    ),
    AbortedError,
  );
  assert.equal(calls, 1);
});

test('backoff: capped exponential with full jitter, never a busy loop', () => {
  const p = { initialMs: 100, maxMs: 5000 };
  assert.deepEqual(
    [0, 1, 2, 5, 6, 40].map((n) => backoffDelay(n, p, () => 1)),
    [100, 200, 400, 3200, 5000, 5000],
  );
  assert.equal(
    backoffDelay(3, p, () => 0),
    10,
  );
  assert.equal(
    backoffDelay(3, { initialMs: 2, maxMs: 5 }, () => 0),
    2,
  );
  assert.equal(
    backoffDelay(3, p, () => 0.5),
    400,
  );
});
