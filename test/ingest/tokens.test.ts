// Insert-deduplication tokens (ingest/tokens.ts, docs/delivery.md "The protocol"): a token is a
// function of the insert's content only, so a repeated insert carries the same one and any other
// content a different one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkedToken, flushToken, ledgerToken, type TokenPart } from '../../ingest/tokens.ts';

const seg = (topic: string, partition: number, first: number, last: number, digest = `d${topic}${partition}${first}`): TokenPart => ({
  topic,
  partition,
  first,
  last,
  digest,
});
const a = seg('gateway-logs', 0, 0, 99);
const b = seg('gateway-logs', 1, 0, 49);
const TOKEN = /^[A-Za-z0-9._:-]+$/; // what insert_deduplication_token carries here

test('a flush token names its kind and table, and depends only on the ordered segments', () => {
  const t = flushToken([a, b], 'events');
  assert.match(t, /^flush:[0-9a-f]{40}:events$/);
  assert.equal(flushToken([{ ...a }, { ...b }], 'events'), t, 'same content, same token (a retry, a replay)');
  assert.notEqual(flushToken([b, a], 'events'), t, 'another order is another insert');
  assert.notEqual(flushToken([a, b], 'rejects'), t);
  assert.notEqual(flushToken([a, { ...b, digest: 'other bytes' }], 'events'), t, 'other records, other token');
  assert.notEqual(flushToken([a, { ...b, last: 48 }], 'events'), t, 'a range cut short is other content');
  assert.notEqual(flushToken([a], 'events'), t);
});

test('one formula for any number of segments, whatever the topic name holds', () => {
  for (const segs of [[a], [a, b], [seg('file:/var/log/gw 1.jsonl', 0, 1, 1000)]]) {
    const t = flushToken(segs, 'events');
    assert.match(t, /^flush:[0-9a-f]{40}:events$/);
    assert.match(t, TOKEN);
  }
});

test('the ledger rows of a flush carry its flush token for the ledger table', () => {
  assert.equal(ledgerToken([a, b]), flushToken([a, b], 'ledger'));
  assert.notEqual(ledgerToken([a, b]), ledgerToken([b, a]));
});

test('a checked token depends on the range and on exactly the offsets inserted', () => {
  const t = checkedToken(a, [3, 4, 9], 'events');
  assert.match(t, /^check:[0-9a-f]{16}:[0-9a-f]{40}:events$/);
  assert.equal(checkedToken({ ...a }, [3, 4, 9], 'events'), t, 'the same missing set again: dropped if it landed');
  assert.notEqual(checkedToken(a, [3, 4], 'events'), t, 'a smaller missing set is new content');
  assert.notEqual(checkedToken({ ...a, digest: 'x' }, [3, 4, 9], 'events'), t);
  assert.notEqual(checkedToken(a, [3, 4, 9], 'rejects'), t);
  assert.notEqual(checkedToken(a, [3, 4, 9], 'events'), flushToken([a], 'events'), 'never a flush token');
});
