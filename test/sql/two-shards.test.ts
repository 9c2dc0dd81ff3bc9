// Exactly once across shards (docs/delivery.md "On a cluster", sql/shard-route.ts), on two real
// engines: two chDB stores, each in its own process behind its own HTTP endpoint
// (test/support/shard-host.ts), stand for the two shards of a cluster. A consumer writes a flush
// over 8 partitions owned by both shards and dies after one shard stored its part; the next
// owner (other clients, other router: another process in production) replays the flush whole,
// then checks ranges the checked way after a second cut flush. Nothing doubles on either shard;
// reading through both gives every record once. The control: the same replay sent to the wrong
// shards stores everything again, which is why a partition must always go to the same shard.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { StoreError } from '../../lib/errors.ts';
import { normalize } from '../../transform/normalize.ts';
import { Sink } from '../../ingest/sink.ts';
import { silentLogger } from '../../ingest/log.ts';
import type { Segment } from '../../ingest/segment.ts';
import { PartitionBuffer } from '../../ingest/partition-buffer.ts';
import { complete } from '../../ingest/segment.ts';
import { deliveryTarget, reconcile, type DeliveryTarget } from '../../sql/ledger.ts';
import { shardedTarget, shardingKeys, shardOfKey } from '../../sql/shard-route.ts';
import { ServerStore } from '../../sql/server-store.ts';
import { records } from '../ingest/helpers.ts';
import { KEEP_FOREVER } from '../support/keep-forever.ts';

const HOST = fileURLToPath(new URL('../support/shard-host.ts', import.meta.url));
const DB = 'faultline';
const TOPIC = 'gw-shards';
const PARTS = 8;
const FAST = { initialMs: 20, maxMs: 100, permanentAttempts: 1 };
const limits = { maxRecordBytes: 1 << 20, maxDepth: 64, rawMaxBytes: 4096 };

interface ShardProc {
  proc: ChildProcess;
  url: string;
  dir: string;
}
let shards: ShardProc[] = [];
const clients: ServerStore[] = [];

async function startShard(): Promise<ShardProc> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-shard-'));
  const proc = spawn(process.execPath, ['--import', 'tsx', HOST, dir, DB], {
    env: { ...process.env, ...KEEP_FOREVER },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`shard host exited ${code}`)));
  });
  return { proc, url: (JSON.parse(line) as { url: string }).url, dir };
}

before(async () => {
  shards = await Promise.all([startShard(), startShard()]);
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const s of shards) {
    s.proc.stdin!.end();
    await new Promise((r) => s.proc.once('exit', r));
    rmSync(s.dir, { recursive: true, force: true });
  }
});

/** A client of shard i, as a new consumer process would open it. */
function client(i: number): ServerStore {
  const c = new ServerStore({ url: shards[i]!.url, database: DB, retentionDays: 0, retry: { retries: 0 } });
  clients.push(c);
  return c;
}

/** One consumer's view of the cluster: its own clients and router. `wrap` lets a test cut a shard's writes. */
function consumer(order: [number, number] = [0, 1], wrap: (i: number, t: DeliveryTarget) => DeliveryTarget = (_, t) => t) {
  const stores = order.map((i) => client(i));
  const target = shardedTarget(
    stores.map((s, k) => ({ target: wrap(order[k]!, deliveryTarget(s)), weight: 1 })),
    shardingKeys(stores[0]!),
  );
  return new Sink({ target, log: silentLogger, backoff: FAST, consumer: `c${clients.length}` });
}

/** Segments of offsets [from, from+n) of every partition; record i of `values` is offset i >> 3 of partition i % 8. */
async function segments(values: readonly Buffer[], from: number, n: number, checked = false): Promise<Segment[]> {
  const out: Segment[] = [];
  for (let p = 0; p < PARTS; p++) {
    // `checked`: read again as a replay range checked against the store (an intent the new owner cannot replay whole).
    const start = checked
      ? { committed: from, replay: [{ first: from, last: from + n - 1 }], group: null }
      : { committed: from, replay: [] };
    const buf = new PartitionBuffer(TOPIC, p, 'gateway', normalize, limits, 100_000, start);
    buf.append(
      Array.from({ length: n }, (_, k) => ({
        offset: String(from + k),
        value: values[(from + k) * PARTS + p]!,
        timestamp: String(Date.UTC(2026, 10, 21)),
      })),
    );
    out.push(...(await complete(buf.take())));
  }
  return out;
}

interface ShardCounts {
  events: number;
  rejects: number;
  distinct: number;
  rollup: number;
  partitions: number[];
}
async function shardCounts(i: number): Promise<ShardCounts> {
  const s = client(i);
  const [r] = await s.query<{ events: number; rejects: number; distinct: number; rollup: number }>(`
    SELECT (SELECT count() FROM ${DB}.events) AS events, (SELECT count() FROM ${DB}.rejects) AS rejects,
      (SELECT uniqExact(topic, partition, offset) FROM (SELECT topic, partition, offset FROM ${DB}.events
        UNION ALL SELECT topic, partition, offset FROM ${DB}.rejects)) AS distinct,
      (SELECT toUInt64(sum(events)) FROM ${DB}.events_1m) AS rollup`);
  const parts = await s.query<{ p: number }>(
    `SELECT DISTINCT partition AS p FROM (SELECT partition FROM ${DB}.events UNION ALL SELECT partition FROM ${DB}.rejects) ORDER BY p`,
  );
  for (const rec of await reconcile(s)) assert.equal(rec.diff, 0, `shard ${i + 1}: ${rec.topic}/${rec.partition} reconciles`);
  return {
    events: Number(r!.events),
    rejects: Number(r!.rejects),
    distinct: Number(r!.distinct),
    rollup: Number(r!.rollup),
    partitions: parts.map((x) => Number(x.p)),
  };
}

test('a flush cut between shards, replayed by another consumer whole and then checked: nothing doubles on either shard', {
  timeout: 90_000,
}, async () => {
  const gw = records('gateway', PARTS * 120, { tag: 'sh' });
  const keyOf = shardingKeys(client(0));
  const owner = await Promise.all(Array.from({ length: PARTS }, async (_, p) => shardOfKey(await keyOf(TOPIC, p), [1, 1])));
  assert.ok(owner.includes(0) && owner.includes(1), `both shards own partitions of the topic: ${owner.join(',')}`);

  // Consumer A: its first flush (offsets 0–59 of the 8 partitions) stores shard 1's events, then
  // dies before shard 2's (the sink writes shards in order; a non-retriable error ends it at once).
  const first = await segments(gw.values, 0, 60);
  const dying = consumer([0, 1], (i, t) =>
    i === 1
      ? {
          ...t,
          insertRows: async () => {
            throw new StoreError('killed (injected)', { retriable: false });
          },
        }
      : t,
  );
  await assert.rejects(dying.write(first), /killed/);
  const cut = await Promise.all([shardCounts(0), shardCounts(1)]);
  assert.ok(cut[0].events > 0 && cut[1].events === 0, `cut between the shards: ${JSON.stringify(cut)}`);

  // Consumer B owns the partitions now and replays the flush whole (same segments, same tokens).
  await consumer().write(first);
  // A second flush (offsets 60–119) cut after both shards stored its events, before any rejects…
  const second = await segments(gw.values, 60, 60);
  const eventsOnly = consumer([0, 1], (_, t) => ({
    ...t,
    insertRows: (table, p, tok) =>
      table === 'events' ? t.insertRows(table, p, tok) : Promise.reject(new StoreError('killed (injected)', { retriable: false })),
  }));
  await assert.rejects(eventsOnly.write(second), /killed/);
  // …whose partitions are then split between owners: each range is checked on its own shard.
  let inserted = { events: 0, rejects: 0 };
  for (const [k, seg] of (await segments(gw.values, 60, 60, true)).entries()) {
    const r = await consumer().writeMissing(seg);
    inserted = { events: inserted.events + r.events, rejects: inserted.rejects + r.rejects };
    if (k === 0)
      assert.deepEqual(await consumer().writeMissing(seg), { events: 0, rejects: 0 }, 'a range checked again finds its ledger row');
  }
  assert.equal(inserted.events, 0, 'the events of the cut flush were not inserted again');
  assert.equal(
    inserted.rejects,
    second.reduce((n, seg) => n + seg.rejects.rows, 0),
    'only the missing rejects were inserted',
  );
  // Replayed once more whole by yet another consumer: dropped on both shards.
  await consumer().write(first);

  const [a, b] = await Promise.all([shardCounts(0), shardCounts(1)]);
  const expectA = owner.filter((o) => o === 0).length * 120;
  assert.equal(a.events + a.rejects, expectA, `shard 1 holds its partitions' records once: ${JSON.stringify(a)}`);
  assert.equal(b.events + b.rejects, PARTS * 120 - expectA, `shard 2 holds its partitions' records once: ${JSON.stringify(b)}`);
  for (const [i, s] of [a, b].entries()) {
    assert.equal(s.distinct, s.events + s.rejects, `shard ${i + 1}: no offset twice`);
    assert.equal(s.rollup, s.events, `shard ${i + 1}: rollups count each event once`);
    assert.deepEqual(
      s.partitions,
      owner.flatMap((o, p) => (o === i ? [p] : [])),
      `shard ${i + 1} holds exactly the partitions it owns`,
    );
  }
  // Read through both shards (what the Distributed tables do): every record once.
  assert.deepEqual({ events: a.events + b.events, rejects: a.rejects + b.rejects }, { events: gw.valid, rejects: gw.garbage });

  // Control: the same replay with the shard order swapped (a router that disagrees with the
  // Distributed tables, or a changed shard count) is new to every shard and stores it all again.
  await consumer([1, 0]).write(first);
  const [a2, b2] = await Promise.all([shardCounts(0), shardCounts(1)]);
  assert.equal(a2.events + a2.rejects + b2.events + b2.rejects, PARTS * 120 + PARTS * 60, 'the misrouted replay doubled the first flush');
});
