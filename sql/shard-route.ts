// Exactly once across shards (docs/delivery.md "On a cluster"): every row of a Kafka partition is
// inserted into the `_local` table of the shard that owns the partition, directly, under the
// flush's own deduplication tokens. Whoever consumes the partition computes the same shard, so
// a replayed flush reaches the shard whose deduplication log (ReplicatedMergeTree: in Keeper,
// shared by the shard's replicas) holds the first attempt's tokens, and is dropped there.
//
// Why not insert through the `Distributed` table: whether insert_deduplication_token reaches the
// shard intact through it is undocumented (ClickHouse issue #76405, open), and a background
// Distributed insert re-batches rows on the initiator (distributed_background_insert_batch), so
// the blocks a shard deduplicates are no longer ours. Going direct needs no answer to either.
//
// The owning shard is the one the `Distributed` tables choose for the same row (sql/cluster.ts
// shards by `cityHash64(topic, partition)`): per ClickHouse's Distributed engine docs, the
// remainder of the sharding key divided by the total weight, mapped onto the shards' weight
// ranges in shard_num order. The hash is computed by ClickHouse itself (one query per partition,
// cached), so it is the engine's cityHash64 over (String, Int32), not a re-implementation.
import { createHash } from 'node:crypto';
import type { Config } from '../lib/config.ts';
import { ConfigError } from '../lib/errors.ts';
import { deliveryTarget, type DeliveryTarget, type LedgerRow, type StoredRange } from './ledger.ts';
import { ServerStore } from './server-store.ts';
import type { RowPayload, Store } from './store.ts';

export interface Shard {
  /** This shard's store (any replica of it, or a load balancer in front of its replicas). */
  target: DeliveryTarget;
  /** Its weight in the cluster (`system.clusters.shard_weight`, 1 by default). */
  weight: number;
}

/** Which shard owns (topic, partition): pure, given the sharding key's value. */
export function shardOfKey(key: bigint, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) throw new Error('shard weights must add up to more than 0');
  let r = Number(key % BigInt(total));
  for (const [i, w] of weights.entries()) {
    if (r < w) return i;
    r -= w;
  }
  throw new Error('unreachable: remainder beyond the total weight');
}

/** The sharding key of the Distributed tables for one partition, computed by the engine (cached). */
export function shardingKeys(hashing: Pick<Store, 'query'>): (topic: string, partition: number) => Promise<bigint> {
  const cache = new Map<string, Promise<bigint>>();
  return (topic, partition) => {
    const k = `${topic}\u0000${partition}`;
    let p = cache.get(k);
    if (!p) {
      // The same types as the tables' columns (topic String, partition Int32): the hash depends on them.
      p = hashing
        .query<{ key: string }>('SELECT toString(cityHash64({topic:String}, {partition:Int32})) AS key', { topic, partition })
        .then((rows) => BigInt(rows[0]!.key));
      p.catch(() => cache.delete(k));
      cache.set(k, p);
    }
    return p;
  };
}

/** The column values `topic` and `partition` of every row of a payload, in row order. */
export function payloadPartitions(payload: RowPayload): { topic: string; partition: number; line: string }[] {
  const ti = payload.columns.indexOf('topic');
  const pi = payload.columns.indexOf('partition');
  if (ti < 0 || pi < 0) throw new Error(`a sharded insert needs the topic and partition columns (got ${payload.columns.join(', ')})`);
  const text = typeof payload.body === 'string' ? payload.body : payload.body.toString('utf8');
  const out: { topic: string; partition: number; line: string }[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (payload.format === 'TabSeparated') {
      // Escaped format: a raw tab only separates fields; Kafka topic names need no escaping ([a-zA-Z0-9._-]).
      const f = line.split('\t');
      out.push({ topic: f[ti]!, partition: Number(f[pi]), line });
    } else if (payload.format === 'JSONCompactEachRow') {
      const v = JSON.parse(line) as unknown[];
      out.push({ topic: String(v[ti]), partition: Number(v[pi]), line });
    } else {
      const v = JSON.parse(line) as Record<string, unknown>;
      out.push({ topic: String(v.topic), partition: Number(v.partition), line });
    }
  }
  return out;
}

/**
 * The token of one shard's part of a flush. A flush held by one shard keeps its token as it is;
 * a flush split over shards gives each part the flush's token plus a digest of the partitions
 * in it. Both are functions of the rows, so a replay sends each shard the same part under the
 * same token. Never one token for different parts: if a replay ever reached a shard with other
 * partitions than the first attempt (a shard count changed between them), the bare token would
 * make that shard drop rows it never stored (loss); this way they are stored (duplicates that
 * `faultline status` shows), the lesser fault.
 */
export function shardPartToken(token: string, partitions: Iterable<string>, split: boolean): string {
  if (!split) return token;
  const digest = createHash('sha1')
    .update([...new Set(partitions)].sort().join('\n'))
    .digest('hex')
    .slice(0, 16);
  return `${token}:s${digest}`;
}

/**
 * A delivery target over shards: rows, ledger rows and the checked replay's lookups go to the
 * shard owning each row's partition. A flush spanning several shards becomes one insert per
 * shard (`shardPartToken`): the split is a function of the rows (their partitions), so a
 * replay of the flush sends every shard the same rows in the same order under the same token,
 * and each shard drops what it already holds.
 */
export function shardedTarget(shards: readonly Shard[], keyOf: (topic: string, partition: number) => Promise<bigint>): DeliveryTarget {
  if (shards.length === 0) throw new Error('no shards');
  const weights = shards.map((s) => s.weight);
  const owner = async (topic: string, partition: number) => shards[shardOfKey(await keyOf(topic, partition), weights)]!.target;

  /** Group items by owning shard, keeping their order. */
  async function byShard<T>(items: readonly T[], part: (x: T) => { topic: string; partition: number }): Promise<Map<DeliveryTarget, T[]>> {
    const out = new Map<DeliveryTarget, T[]>();
    for (const x of items) {
      const { topic, partition } = part(x);
      const t = await owner(topic, partition);
      const list = out.get(t);
      if (list) list.push(x);
      else out.set(t, [x]);
    }
    return out;
  }

  /** `payload` cut by owning shard, in shard order: each shard's rows as a payload (the whole body when one shard owns them all). */
  async function perShard(
    payload: RowPayload,
  ): Promise<{ target: DeliveryTarget; part: RowPayload; partitions: string[]; split: boolean }[]> {
    const rows = payloadPartitions(payload);
    const groups = await byShard(rows, (r) => r);
    const out = [];
    for (const s of shards) {
      const mine = groups.get(s.target);
      if (!mine) continue;
      const split = mine.length !== rows.length;
      const body = split ? mine.map((r) => `${r.line}\n`).join('') : payload.body;
      out.push({
        target: s.target,
        part: { ...payload, body, rows: mine.length },
        partitions: mine.map((r) => `${r.topic}/${r.partition}`),
        split,
      });
    }
    return out;
  }

  return {
    async insertRows(table, payload, token) {
      // In shard order, one after the other: the sink retries the whole call, and a shard that
      // already stored its part drops it again by the token.
      for (const s of await perShard(payload)) await s.target.insertRows(table, s.part, shardPartToken(token, s.partitions, s.split));
    },
    async insertRepair(table, payload) {
      for (const s of await perShard(payload)) await s.target.insertRepair(table, s.part);
    },
    async insertLedger(rows: readonly LedgerRow[], token: string) {
      const groups = await byShard(rows, (r) => r);
      for (const s of shards) {
        const mine = groups.get(s.target);
        if (mine)
          await s.target.insertLedger(
            mine,
            shardPartToken(
              token,
              mine.map((r) => `${r.topic}/${r.partition}`),
              mine.length !== rows.length,
            ),
          );
      }
    },
    async hasLedgerRange(range: StoredRange) {
      return (await owner(range.topic, range.partition)).hasLedgerRange(range);
    },
    async storedRows(range: StoredRange) {
      return (await owner(range.topic, range.partition)).storedRows(range);
    },
  };
}

/**
 * Shard weights of `cluster`, in shard_num order, from `system.clusters` of any node: the same
 * list the Distributed tables route by. The shard URLs a user configures must match it in number.
 */
async function clusterShardWeights(store: Pick<Store, 'query'>, cluster: string): Promise<number[]> {
  const rows = await store.query<{ shard_num: number; weight: number }>(
    'SELECT shard_num, any(shard_weight) AS weight FROM system.clusters WHERE cluster = {cluster:String} GROUP BY shard_num ORDER BY ' +
      'shard_num',
    { cluster },
  );
  return rows.map((r) => Number(r.weight));
}

export interface ShardedDelivery {
  target: DeliveryTarget;
  /** Shard count, for the log line. */
  shards: number;
  close(): Promise<void>;
}

/**
 * The sink's target for `faultline run` on a cluster with CLICKHOUSE_SHARD_URLS: one server
 * client per shard (the same user, password and database), checked against the cluster's own
 * shard list so that the routing is the Distributed tables' routing. Undefined without the setting.
 */
export async function openShardedDelivery(
  config: Pick<
    Config,
    'CLICKHOUSE_SHARD_URLS' | 'CLICKHOUSE_CLUSTER' | 'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'CLICKHOUSE_DATABASE'
  >,
  store: Pick<Store, 'query'>,
): Promise<ShardedDelivery | undefined> {
  if (!config.CLICKHOUSE_SHARD_URLS) return undefined;
  if (!config.CLICKHOUSE_CLUSTER || !config.CLICKHOUSE_URL) {
    throw new ConfigError(
      'CLICKHOUSE_SHARD_URLS needs CLICKHOUSE_CLUSTER and CLICKHOUSE_URL:' +
        " the shards' _local tables exist only after `faultline migrate --cluster`",
    );
  }
  const urls = config.CLICKHOUSE_SHARD_URLS.split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const weights = await clusterShardWeights(store, config.CLICKHOUSE_CLUSTER);
  if (weights.length !== urls.length) {
    throw new ConfigError(
      `CLICKHOUSE_SHARD_URLS names ${urls.length} shard(s) but cluster ${config.CLICKHOUSE_CLUSTER} has ${weights.length} in ` +
        `system.clusters: one URL per shard, in shard_num order`,
    );
  }
  const stores = urls.map(
    (url) =>
      new ServerStore({
        url,
        username: config.CLICKHOUSE_USER,
        password: config.CLICKHOUSE_PASSWORD,
        database: config.CLICKHOUSE_DATABASE,
        retentionDays: 0,
      }),
  );
  const target = shardedTarget(
    stores.map((s, i) => ({ target: deliveryTarget(s, { local: true }), weight: weights[i]! })),
    shardingKeys(store),
  );
  return { target, shards: urls.length, close: async () => void (await Promise.all(stores.map((s) => s.close()))) };
}
