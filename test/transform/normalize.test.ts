// normalize(): context handling, bytes vs text, raw and head limits, and hostile inputs that
// must stay linear-time (each case below was quadratic or worse in some regex or scan).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalize } from '../../transform/normalize.ts';
import { EventSchema, type NormalizeContext } from '../../transform/event.ts';

const ctx: NormalizeContext = { source: 'gateway', transportTimeMs: Date.UTC(2026, 0, 1) };

describe('normalize', () => {
  it('gives the same result for a record as text and as UTF-8 bytes', () => {
    for (const rec of [
      '{"ts":"2026-11-21T10:00:00Z","status":502,"error":{"code":"CHANNEL_UPSTREAM_ERROR","upstream":"淘宝 said no"}}',
      '2026-11-21T10:00:00Z ERROR x code=QUOTA_EXCEEDED msg="配额"',
      '{"broken":',
    ]) {
      assert.deepEqual(normalize(Buffer.from(rec), ctx), normalize(rec, ctx));
    }
  });
  it('does not modify the parsed input or keep state between records', () => {
    const rec = '{"ts":"2026-11-21T10:00:00Z","password":"p4ssw0rd!","status":500}';
    const a = normalize(rec, ctx);
    const b = normalize(rec, ctx);
    assert.deepEqual(a, b);
    assert.ok(a.ok && !a.event.raw.includes('p4ssw0rd!'));
  });
  it('truncates raw to rawMaxBytes after redaction, on a character boundary', () => {
    const rec = JSON.stringify({ ts: '2026-11-21T10:00:00Z', m: '淘'.repeat(3000), sign: 'SIGNATUREVALUE' });
    const r = normalize(rec, ctx);
    assert.ok(r.ok);
    assert.ok(Buffer.byteLength(r.event.raw) <= 4096);
    assert.ok(!r.event.raw.includes('\ufffd'));
    const small = normalize(rec, { ...ctx, rawMaxBytes: 10 });
    assert.ok(small.ok && small.event.raw === '{"ts":"202');
  });
  it('caps long message fields and keeps events valid', () => {
    const r = normalize(JSON.stringify({ ts: 1, status: 500, message: 'x'.repeat(100_000) }), ctx);
    assert.ok(r.ok);
    EventSchema.parse(r.event);
    assert.equal(r.event.message.length, 4096);
  });
  it('keeps reject heads at 512 bytes or less', () => {
    const r = normalize(`{"m":"${'淘'.repeat(1000)}`, ctx);
    assert.ok(!r.ok);
    assert.equal(r.reject.reason, 'invalid_json');
    assert.ok(Buffer.byteLength(r.reject.head) <= 512 && r.reject.head.startsWith('{"m":"淘'));
  });
  it('rejects too-large byte records before decoding them', () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x61);
    big[5] = 0xff; // invalid UTF-8 too: size is checked first
    const r = normalize(big, ctx);
    assert.ok(!r.ok && r.reject.reason === 'too_large');
    assert.match(r.reject.detail, /2097152 bytes, over the limit of 1048576/);
  });
  it('uses the transport time only when the record has no readable time', () => {
    const withTime = normalize('{"ts":"2026-11-21T10:00:00Z"}', ctx);
    const without = normalize('{"x":1}', ctx);
    assert.ok(withTime.ok && without.ok);
    assert.equal(withTime.event.event_time, '2026-11-21T10:00:00.000Z');
    assert.equal(without.event.event_time, '2026-01-01T00:00:00.000Z');
  });
  it('stays linear on hostile input', () => {
    const cases: Record<string, string> = {
      'long key run after a secret hint': `sign ${'a'.repeat(300_000)} status=500`,
      'many unclosed braces': `x=1 ${'{ '.repeat(150_000)}`,
      'many key={ values': `x=1 ${'a={ '.repeat(100_000)}`,
      'many secret={ values': `x=1 ${'session={ '.repeat(60_000)}`,
      'many open quotes': `x=1 ${'a=" '.repeat(100_000)}`,
      'trailing punctuation run': `x=1 req_${','.repeat(500_000)}x`,
      'separator run after a stem': `pass${'_'.repeat(500_000)}x`,
      'deep nesting just under the limit, many times': `{"a":${'[{"b":'.repeat(31)}1${'}]'.repeat(31)},"c":"${'x'.repeat(500_000)}"}`,
    };
    for (const [name, rec] of Object.entries(cases)) {
      const t0 = performance.now();
      const r = normalize(rec, ctx);
      const ms = performance.now() - t0;
      assert.ok(ms < 2000, `${name}: ${ms.toFixed(0)} ms`);
      if (r.ok) EventSchema.parse(r.event);
    }
  });
});
