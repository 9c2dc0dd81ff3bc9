// Spec-audit checks that do not fit one golden-fixture line (docs/event-model.md §1, §7, §8; docs/secrets.md):
// the default limits at their exact boundaries (1 MiB of UTF-8 bytes, 64 levels of objects and
// arrays together), the reject detail of a `[`-led text line, and secrets never reaching the
// stdout of `faultline parse`. The per-rule cases are in test/fixtures/normalize/spec-audit.jsonl.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { normalize } from '../../transform/normalize.ts';
import type { NormalizeContext } from '../../transform/event.ts';

const MIB = 1024 * 1024;
const ctx: NormalizeContext = { source: 'client', transportTimeMs: Date.parse('2026-11-21T12:00:00Z') };

/** `{"m":"éé…a…","status":200}` of exactly `bytes` UTF-8 bytes (é is two bytes). */
function recordOfBytes(bytes: number): string {
  const frame = '{"m":"","status":200}';
  const fill = bytes - Buffer.byteLength(frame);
  const s = `{"m":"${'é'.repeat(Math.floor(fill / 2))}${fill % 2 ? 'a' : ''}","status":200}`;
  assert.equal(Buffer.byteLength(s), bytes);
  return s;
}

/** Objects and arrays alternating, `levels` deep in total. */
function nested(levels: number): string {
  let s = '1';
  for (let i = 1; i < levels; i++) s = i % 2 ? `[${s}]` : `{"k":${s}}`;
  return `{"status":200,"k":${s}}`;
}

describe('spec audit: default limits at their boundaries (§7)', () => {
  it('accepts exactly 1 MiB of UTF-8 bytes and rejects one byte more, as text and as bytes', () => {
    const atLimit = recordOfBytes(MIB);
    const over = recordOfBytes(MIB + 1);
    for (const rec of [atLimit, Buffer.from(atLimit)]) assert.equal(normalize(rec, ctx).ok, true);
    for (const rec of [over, Buffer.from(over)]) {
      const r = normalize(rec, ctx);
      assert.equal(r.ok ? 'event' : r.reject.reason, 'too_large');
    }
  });
  it('allows 64 levels of objects and arrays together and rejects 65', () => {
    assert.equal(normalize(nested(64), ctx).ok, true);
    const r = normalize(nested(65), ctx);
    assert.equal(r.ok ? 'event' : r.reject.reason, 'too_deep');
  });
  it('leaves an embedded body deeper than the limit undecoded, the line still an event', () => {
    // Decision: the limit is the record's own nesting; a too-deep body= object is not decoded
    // (it stays text in `raw`) rather than turning a readable log line into a reject.
    for (const n of [64, 65]) {
      const r = normalize(`2026-11-21T10:00:00Z ERROR status=500 body=${nested(n)}`, ctx);
      assert.equal(r.ok && r.event.http_status, 500, `body of ${n} levels`);
    }
  });
});

describe('spec audit: JSON-vs-text (§1)', () => {
  it('rejects a `[`-led log line as JSON that does not parse, and says why', () => {
    const r = normalize('[2026-11-21 10:00:00] ERROR status=500 req_abc', ctx);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.reject.reason, 'invalid_json');
    assert.match(r.reject.detail, /^looks like JSON \(starts with '\['\) but does not parse/);
  });
  it('says the same for a broken object', () => {
    const r = normalize('{"status": 500,', ctx);
    assert.ok(!r.ok && r.reject.detail.startsWith("looks like JSON (starts with '{') but does not parse"));
  });
  it('treats a whole-line JSON number of any length as JSON', () => {
    const r = normalize('9'.repeat(600), ctx);
    assert.equal(r.ok ? 'event' : r.reject.reason, 'not_an_object');
  });
});

describe('spec audit: faultline parse (§6, §8)', () => {
  const lines = [
    '{"ts":"2026-11-21T10:00:00Z","status":401,"headers":{"Authorization":"Bearer SECRETBEARER01"},"message":"Bearer SECRETBEARER02 ' +
      'rejected"}',
    '',
    '2026-11-21T10:00:01Z ERROR password=SECRETPW03 session="SECRETSESS04" status=500',
    '{"password":"SECRETPW05", broken',
    'no stamp Bearer SECRETBEARER06 here',
    '{"error_response":{"code":25,"msg":"Invalid signature","args":{"arg":[{"key":"sign","value":"SECRETSIGN07"}]}}}',
    '{"status":200}',
  ];
  const res = spawnSync(process.execPath, ['bin/faultline.js', 'parse', '--source', 'gateway', '--default-time', '2026-11-21T12:00:00Z'], {
    input: `${lines.join('\n')}\n`,
    encoding: 'utf8',
  });
  it('exits 0 with one line per non-empty input line, in order', () => {
    assert.equal(res.status, 0, res.stderr);
    const out = res.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(out.length, 6);
    assert.deepEqual(
      out.map((o) => (o.rejected === true ? `reject:${String(o.reason)}` : String(o.outcome))),
      ['error', 'error', 'reject:invalid_json', 'reject:unrecognised_text', 'error', 'ok'],
    );
    assert.equal(out[0]?.event_time, '2026-11-21T10:00:00.000Z');
    assert.equal(out[5]?.event_time, '2026-11-21T12:00:00.000Z');
  });
  it('prints no secret anywhere', () => {
    for (const s of ['SECRETBEARER01', 'SECRETBEARER02', 'SECRETPW03', 'SECRETSESS04', 'SECRETPW05', 'SECRETBEARER06', 'SECRETSIGN07']) {
      assert.ok(!res.stdout.includes(s) && !res.stderr.includes(s), `${s} leaked`);
    }
  });
});
