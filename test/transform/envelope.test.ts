// Envelopes at their limits (docs/real-inputs.md §1): at most 3 levels unwrapped, a 10-deep one is
// a too_deep reject (never an `ok` event hiding the error inside), in linear time, never a crash; a broken inner JSON line
// is a reject that names its envelope; a syslog tag that names a secret is not split off.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalize } from '../../transform/normalize.ts';
import { EventSchema, type NormalizeContext } from '../../transform/event.ts';

const ctx: NormalizeContext = { source: 'gateway', transportTimeMs: Date.parse('2026-11-22T00:00:00Z') };
const GW = '{"ts":"2026-11-21T10:00:00Z","status":429,"error":{"code":"QUOTA_EXCEEDED","request_id":"req_n"}}';

function docker(line: string, n: number): string {
  let r = line;
  for (let i = 0; i < n; i++) r = JSON.stringify({ log: `${r}\n`, stream: 'stdout', time: `2026-11-21T10:00:0${i}Z` });
  return r;
}

describe('envelope limits', () => {
  it('unwraps 3 levels; a 4- or 10-deep envelope is a too_deep reject, linear in time', () => {
    const three = normalize(docker(GW, 3), ctx);
    assert.ok(three.ok);
    assert.deepEqual([three.event.code, three.event.format], ['QUOTA_EXCEEDED', 'docker/docker/docker/json']);
    const rec = docker(GW, 10);
    const t0 = performance.now();
    const ten = normalize(rec, ctx);
    assert.ok(performance.now() - t0 < 500);
    // Read as a record, the 4th level (a Docker object: `time`, `stream`) would be an ok event hiding the QUOTA_EXCEEDED inside.
    assert.ok(!ten.ok, JSON.stringify(ten));
    assert.equal(ten.reject.reason, 'too_deep');
    assert.match(ten.reject.detail, /envelopes nested deeper than 3 \(docker\/docker\/docker\/…\)/);
    const four = normalize(docker(GW, 4), ctx);
    assert.ok(!four.ok && four.reject.reason === 'too_deep', JSON.stringify(four));
    // A 4th level that is no envelope (prose in a Filebeat message) stays the event it was.
    const prose = normalize(docker(JSON.stringify({ message: 'Daily channel quota exhausted', status: 429 }), 3), ctx);
    assert.ok(prose.ok, JSON.stringify(prose));
    EventSchema.parse(prose.event);
    // Its head is the innermost record (redacted), not ten levels of escaping.
    assert.ok(ten.reject.head.startsWith('{"ts":"2026-11-21T10:00:00Z","status":429'), ten.reject.head);
  });

  it('a CRI line whose content looks like JSON and does not parse is a reject naming the envelope', () => {
    const r = normalize('2026-11-21T10:00:00.000000000Z stdout P {"status":500,"error":{"code":', ctx);
    assert.ok(!r.ok);
    assert.equal(r.reject.reason, 'invalid_json');
    assert.match(r.reject.detail, /^cri: /);
  });

  it('a syslog tag naming a secret is not split from its value', () => {
    const r = normalize('2026-11-21T10:00:00Z shop-api password: ZQXhunter2hunter29', { ...ctx, source: 'client' });
    assert.ok(!JSON.stringify(r).includes('ZQXhunter2hunter29'), JSON.stringify(r));
  });

  it('a Docker envelope whose line is a syslog line unwraps on (JSON around text around JSON)', () => {
    const r = normalize(JSON.stringify({ log: `<134>1 2026-11-21T10:00:00.5Z gw gateway 1 - - ${GW}\n`, stream: 'stdout' }), ctx);
    assert.ok(r.ok);
    assert.deepEqual([r.event.code, r.event.request_id, r.event.format], ['QUOTA_EXCEEDED', 'req_n', 'docker/syslog/json']);
  });
});
