// Envelopes at their limits (docs/real-inputs.md §1): at most 3 levels unwrapped, a 10-deep one is
// still an event with its inner layers kept in raw, never a crash; a broken inner JSON line
// is a reject that names its envelope; a syslog tag that names a secret is not split off.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventSchema, normalize, type NormalizeContext } from '../../transform/index.ts';

const ctx: NormalizeContext = { source: 'gateway', transportTimeMs: Date.parse('2026-11-22T00:00:00Z') };
const GW = '{"ts":"2026-11-21T10:00:00Z","status":429,"error":{"code":"QUOTA_EXCEEDED","request_id":"req_n"}}';

function docker(line: string, n: number): string {
  let r = line;
  for (let i = 0; i < n; i++) r = JSON.stringify({ log: r + '\n', stream: 'stdout', time: `2026-11-21T10:00:0${i}Z` });
  return r;
}

describe('envelope limits', () => {
  it('unwraps 3 levels; a 10-deep envelope stays an event read at the 4th level, linear in time', () => {
    const three = normalize(docker(GW, 3), ctx);
    assert.ok(three.ok);
    assert.deepEqual([three.event.code, three.event.format], ['QUOTA_EXCEEDED', 'docker/docker/docker/json']);
    const rec = docker(GW, 10);
    const t0 = performance.now();
    const ten = normalize(rec, ctx);
    assert.ok(performance.now() - t0 < 500);
    assert.ok(ten.ok, JSON.stringify(ten));
    EventSchema.parse(ten.event);
    assert.equal(ten.event.format, 'docker/docker/docker/json');
    // The 4th level is a Docker object read as itself: its own time, no error of the gateway line seen.
    assert.equal(ten.event.event_time, '2026-11-21T10:00:06.000Z');
    assert.ok(ten.event.raw.length > 0);
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
