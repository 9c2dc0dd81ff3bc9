import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyMap, normKey, S, str, toInt } from '../../transform/keys.ts';

describe('key aliases', () => {
  it('normalizes case (ASCII only), - and _', () => {
    assert.equal(normKey('X-Request-Id'), 'xrequestid');
    assert.equal(normKey('request_id'), 'requestid');
    assert.equal(normKey('requestId'), 'requestid');
    assert.equal(normKey('http.status_code'), 'http.statuscode');
    assert.equal(normKey('\u212Aey'), '\u212Aey', 'the Kelvin sign is not folded to k');
  });
  it('files every alias of a field under one slot; the first key wins; null is absent', () => {
    const m = keyMap({
      RequestID: null,
      requestId: 'req_a',
      req_id: 'req_b',
      '@timestamp': 't',
      StatusCode: 404,
      alipay_trade_pay_response: { code: '10000' },
    });
    assert.equal(m.get(S.requestId), 'req_a');
    assert.equal(m.get(S.time), 't');
    assert.equal(m.get(S.status), 404);
    assert.deepEqual(m.get(S.alipayBody), { code: '10000' });
    assert.equal(m.has(S.channel), false);
  });
  it('builds child maps once', () => {
    const m = keyMap({ error: { code: 'X' }, headers: 'not an object' });
    assert.equal(m.child(S.error), m.child(S.error));
    assert.equal(m.child(S.error)?.get(S.code), 'X');
    assert.equal(m.child(S.headers), undefined);
  });
  it('reads scalars and integers leniently but safely', () => {
    assert.equal(str(7), '7');
    assert.equal(str(NaN), '');
    assert.equal(str({}), '');
    assert.equal(toInt('429', 100, 999), 429);
    assert.equal(toInt(' 12.6 ', 0, 99), 13);
    assert.equal(toInt('4e2', 100, 999), undefined);
    assert.equal(toInt(-1, 0, 10), undefined);
    assert.equal(toInt('12345678901234567890', 0, 2 ** 32), undefined);
  });
});
