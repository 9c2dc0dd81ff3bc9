// sql/shard-route.ts in-process: which shard owns a partition (the Distributed engine's rule:
// the sharding key modulo the total weight, over the shards' weight ranges in shard_num order,
// https://clickhouse.com/docs/engines/table-engines/special/distributed), the sharding key
// computed by the engine over the tables' column types, splitting a flush's payload by
// partition, and the per-shard tokens. The two-engine run is test/sql/two-shards.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../lib/errors.ts';
import { loadConfig } from '../../lib/config.ts';
import { openShardedDelivery, payloadPartitions, shardingKeys, shardOfKey, shardPartToken } from '../../sql/shard-route.ts';
import { EVENT_COLUMNS, eventLine } from '../../sql/rows.ts';
import { eventPayload, eventTsvLine } from '../../sql/row-format.ts';
import { makeEvent, testStore, type TestStore } from '../support/stores.ts';

let t: TestStore;
before(async () => {
  t = await testStore('route');
});
after(() => t.cleanup());

test('the owning shard follows the Distributed rule: key mod total weight over the weight ranges', () => {
  assert.equal(shardOfKey(0n, [1, 1]), 0);
  assert.equal(shardOfKey(1n, [1, 1]), 1);
  assert.equal(shardOfKey(2n, [1, 1]), 0);
  // weights 2 and 1: remainders 0, 1 -> shard 1; 2 -> shard 2
  assert.deepEqual(
    [0n, 1n, 2n, 3n, 4n, 5n].map((k) => shardOfKey(k, [2, 1])),
    [0, 0, 1, 0, 0, 1],
  );
  // a 64-bit key beyond 2^53 is exact
  assert.equal(shardOfKey(18446744073709551615n, [1, 1, 1]), Number(18446744073709551615n % 3n));
  assert.throws(() => shardOfKey(1n, [0]), /weights/);
});

test(
  "the sharding key is the engine's cityHash64(topic, partition) over String and Int32" + ', as the Distributed tables compute it',
  async () => {
    const keyOf = shardingKeys(t.store);
    await t.store.command(`CREATE TABLE ${t.db}.keys (topic String, partition Int32) ENGINE = Memory`);
    await t.store.command(`INSERT INTO ${t.db}.keys VALUES ('gw', 0), ('gw', 1), ('cl', 7), ('gw', 2147483647)`);
    const rows = await t.store.query<{ topic: string; partition: number; key: string }>(
      `SELECT topic, partition, toString(cityHash64(topic, partition)) AS key FROM ${t.db}.keys`,
    );
    for (const r of rows) assert.equal(await keyOf(r.topic, r.partition), BigInt(r.key), `${r.topic}/${r.partition}`);
    // The partition as text would hash differently: the argument's type is the column's, Int32
    const [s] = await t.store.query<{ a: string; b: string }>(
      "SELECT toString(cityHash64('gw', toInt32(1))) AS a, toString(cityHash64('gw', '1')) AS b",
    );
    assert.notEqual(s!.a, s!.b);
  },
);

test('a payload splits by the partition of each row, in TabSeparated and JSONCompactEachRow', () => {
  const evs = [0, 1, 0, 2].map((p, i) => makeEvent({ topic: 'gw-x', partition: p, offset: String(i), message: 'tab\there\nnewline' }));
  const tsv = eventPayload(evs.map((e, i) => eventTsvLine(e, e.topic, e.partition, i)).join(''), evs.length);
  const json = {
    format: 'JSONCompactEachRow',
    columns: EVENT_COLUMNS,
    body: evs.map((e, i) => eventLine(e, e.topic, e.partition, i)).join(''),
    rows: evs.length,
  } as const;
  for (const p of [tsv, json]) {
    const parts = payloadPartitions(p);
    assert.deepEqual(
      parts.map((r) => `${r.topic}/${r.partition}`),
      ['gw-x/0', 'gw-x/1', 'gw-x/0', 'gw-x/2'],
      p.format,
    );
  }
  assert.throws(() => payloadPartitions({ format: 'JSONEachRow', columns: ['a'], body: '{"a":1}\n', rows: 1 }), /topic and partition/);
});

test('a flush on one shard keeps its token; parts of a split flush get tokens of their partitions, stable across replays', () => {
  assert.equal(shardPartToken('fl2:abc:events', ['gw/1', 'gw/1'], false), 'fl2:abc:events');
  const a = shardPartToken('fl2:abc:events', ['gw/1', 'gw/3', 'gw/1'], true);
  assert.equal(a, shardPartToken('fl2:abc:events', ['gw/3', 'gw/1'], true), 'order and repeats do not matter');
  assert.notEqual(a, shardPartToken('fl2:abc:events', ['gw/1', 'gw/2'], true), 'another set of partitions, another token');
  assert.match(a, /^fl2:abc:events:s[0-9a-f]{16}$/);
});

test("CLICKHOUSE_SHARD_URLS: off when unset, refused without a cluster, and checked against the cluster's shard list", async () => {
  const base = { CLICKHOUSE_USER: 'default', CLICKHOUSE_PASSWORD: '', CLICKHOUSE_DATABASE: t.db, CLICKHOUSE_URL: 'http://127.0.0.1:1' };
  assert.equal(await openShardedDelivery({ ...base, CLICKHOUSE_SHARD_URLS: undefined, CLICKHOUSE_CLUSTER: undefined }, t.store), undefined);
  await assert.rejects(
    openShardedDelivery({ ...base, CLICKHOUSE_SHARD_URLS: 'http://a:8123,http://b:8123', CLICKHOUSE_CLUSTER: undefined }, t.store),
    (e: unknown) => e instanceof ConfigError && /needs CLICKHOUSE_CLUSTER/.test(e.message),
  );
  // chDB has no cluster of that name: 0 shards in system.clusters, so 2 URLs do not match it
  await assert.rejects(
    openShardedDelivery({ ...base, CLICKHOUSE_SHARD_URLS: 'http://a:8123,http://b:8123', CLICKHOUSE_CLUSTER: 'faultline' }, t.store),
    (e: unknown) => e instanceof ConfigError && /names 2 shard\(s\) but cluster faultline has 0/.test(e.message),
  );
  assert.throws(() => loadConfig({ CLICKHOUSE_SHARD_URLS: 'http://a:8123, shard-b' }), /CLICKHOUSE_SHARD_URLS/);
  assert.equal(
    loadConfig({ CLICKHOUSE_SHARD_URLS: 'http://a:8123, https://b:8443' }).CLICKHOUSE_SHARD_URLS,
    'http://a:8123, https://b:8443',
  );
});
