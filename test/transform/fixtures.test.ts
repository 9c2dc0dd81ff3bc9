// Golden fixtures (test/fixtures/normalize/*.jsonl): one record per line with the expected
// event fields (or reject), checked field by field. Rows may lower the limits of the
// context, give the record as bytes (`record_b64`) and list `must_not_contain` secrets.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { normalize } from '../../transform/normalize.ts';
import { EventSchema, RejectSchema, type NormalizeContext } from '../../transform/event.ts';

interface Fixture {
  name: string;
  source: 'gateway' | 'client';
  record?: unknown;
  record_b64?: string;
  transport_time: string | null;
  max_record_bytes?: number;
  max_depth?: number;
  expected: Record<string, unknown>;
}

const dir = new URL('../fixtures/normalize/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();
const META = new Set(['rejected', 'reason', 'head', 'must_not_contain', 'raw_contains']);

function input(fx: Fixture): string | Uint8Array {
  if (fx.record_b64 !== undefined) return Buffer.from(fx.record_b64, 'base64');
  return typeof fx.record === 'string' ? fx.record : JSON.stringify(fx.record);
}

describe('golden fixtures', () => {
  it('cover every file of the suite', () => {
    assert.deepEqual(files, [
      'alipay.jsonl',
      'envelopes.jsonl',
      'gateway-business.jsonl',
      'gateway-protocol.jsonl',
      'http-status.jsonl',
      'libraries.jsonl',
      'rejects.jsonl',
      'result-code.jsonl',
      'secrets.jsonl',
      'spec-audit.jsonl',
      'taobao.jsonl',
      'text-lines.jsonl',
      'time.jsonl',
    ]);
  });
  for (const file of files) {
    const rows = readFileSync(new URL(file, dir), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    describe(file, () => {
      for (const line of rows) {
        const fx = JSON.parse(line) as Fixture;
        it(fx.name, () => {
          const ctx: NormalizeContext = { source: fx.source };
          if (fx.transport_time !== null) ctx.transportTimeMs = Date.parse(fx.transport_time);
          if (fx.max_record_bytes !== undefined) ctx.maxRecordBytes = fx.max_record_bytes;
          if (fx.max_depth !== undefined) ctx.maxDepth = fx.max_depth;
          const r = normalize(input(fx), ctx);
          const out = JSON.stringify(r);
          for (const secret of (fx.expected.must_not_contain as string[] | undefined) ?? []) {
            assert.ok(!out.includes(secret), `${fx.name}: secret ${secret} leaked: ${out}`);
          }
          if (fx.expected.rejected === true) {
            assert.equal(r.ok, false, `${fx.name}: expected a reject, got ${out}`);
            if (r.ok) return;
            RejectSchema.parse(r.reject);
            assert.equal(r.reject.reason, fx.expected.reason, `${fx.name}: reason`);
            if (fx.expected.head !== undefined) assert.equal(r.reject.head, fx.expected.head, `${fx.name}: head`);
            assert.ok(Buffer.byteLength(r.reject.head) <= 512);
            return;
          }
          assert.equal(r.ok, true, `${fx.name}: expected an event, got ${out}`);
          if (!r.ok) return;
          EventSchema.parse(r.event);
          assert.equal(r.event.source, fx.source);
          const ev = r.event as unknown as Record<string, unknown>;
          for (const [k, want] of Object.entries(fx.expected)) {
            if (META.has(k)) continue;
            assert.ok(k in ev, `${fx.name}: unknown event field ${k}`);
            assert.deepEqual(ev[k], want, `${fx.name}: field ${k} is ${JSON.stringify(ev[k])}, expected ${JSON.stringify(want)}`);
          }
          for (const s of (fx.expected.raw_contains as string[] | undefined) ?? []) {
            assert.ok(r.event.raw.includes(s), `${fx.name}: raw lacks ${s}: ${r.event.raw}`);
          }
        });
      }
    });
  }
});
