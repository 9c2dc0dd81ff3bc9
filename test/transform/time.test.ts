import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { acceptsCanonicalIso, formatIsoMillis, isCanonicalIso, parseTime } from '../../transform/time.ts';
import '../support/seed.ts';

const iso = (v: unknown): string | undefined => {
  const t = parseTime(v);
  return t === undefined ? undefined : formatIsoMillis(t);
};

describe('parseTime', () => {
  it('reads ISO-8601 with and without offsets (none = UTC)', () => {
    assert.equal(iso('2026-11-21T10:00:01Z'), '2026-11-21T10:00:01.000Z');
    assert.equal(iso('2026-11-21T10:00:01.2Z'), '2026-11-21T10:00:01.200Z');
    assert.equal(iso('2026-11-21T10:00:01.23'), '2026-11-21T10:00:01.230Z');
    assert.equal(iso('2026-11-21T10:00'), '2026-11-21T10:00:00.000Z');
    assert.equal(iso('2026-11-21T12:30:01+02:30'), '2026-11-21T10:00:01.000Z');
    assert.equal(iso('2026-11-21T05:00:01-05'), '2026-11-21T10:00:01.000Z');
    assert.equal(iso('2026-11-21t10:00:01z'), '2026-11-21T10:00:01.000Z');
    assert.equal(iso('2026-11-21'), '2026-11-21T00:00:00.000Z');
  });
  it('reads the space form, UTC unless an offset follows', () => {
    assert.equal(iso('2026-11-21 10:00:01'), '2026-11-21T10:00:01.000Z');
    assert.equal(iso('2026-11-21 10:00:01.999'), '2026-11-21T10:00:01.999Z');
    assert.equal(iso('2026-11-21 18:00:01 +08:00'), '2026-11-21T10:00:01.000Z');
  });
  it('truncates digits beyond the millisecond', () => {
    assert.equal(iso('2026-11-21T10:00:01.999999Z'), '2026-11-21T10:00:01.999Z');
    assert.equal(iso(1763719201.9999), '2025-11-21T10:00:01.999Z');
    assert.equal(iso('1763719201999999'), '2025-11-21T10:00:01.999Z');
  });
  it('tells epoch seconds, milliseconds and microseconds apart at 1e11 and 1e14', () => {
    assert.equal(iso(9_999_999_999), '2286-11-20T17:46:39.000Z');
    assert.equal(iso(99_999_999_999), undefined, 'seconds: year 5138 is beyond DateTime64');
    assert.equal(iso(100_000_000_000), '1973-03-03T09:46:40.000Z');
    assert.equal(iso(99_999_999_999_999), undefined, 'milliseconds: year 5138');
    // "milliseconds (1e11 to 1e14)": 1e14 itself is milliseconds (year 5138), one more is µs.
    assert.equal(iso(100_000_000_000_000), undefined, 'milliseconds: 1e14 inclusive');
    assert.equal(iso(100_000_000_000_001), '1973-03-03T09:46:40.000Z');
    assert.equal(iso('0'), '1970-01-01T00:00:00.000Z');
  });
  it('rejects what cannot be a time', () => {
    for (const v of [
      '',
      'now',
      '2026-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-11-21T24:00:00Z',
      '2026-11-21T10:61:00Z',
      -1,
      NaN,
      Infinity,
      1e300,
      '1e5',
      {},
      null,
      true,
      '2026-11-21T10:00:00+25:00',
      '2026-11-21T10:00:00.Z',
    ]) {
      assert.equal(parseTime(v), undefined, String(v));
    }
    assert.equal(iso('2024-02-29T00:00:00Z'), '2024-02-29T00:00:00.000Z');
    assert.equal(parseTime('2300-01-01T00:00:00Z'), undefined, 'beyond DateTime64 range');
  });
  it('reads nginx and RFC 1123 times with explicit offsets', () => {
    assert.equal(iso('21/Nov/2026:18:00:01 +0800'), '2026-11-21T10:00:01.000Z');
    assert.equal(iso('Sat, 21 Nov 2026 10:00:01 GMT'), '2026-11-21T10:00:01.000Z');
  });
  it('agrees with Date for every instant in range (fast path and general path)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(2299, 11, 31) }), (ms) => {
        const s = new Date(ms).toISOString();
        assert.equal(parseTime(s), ms);
        assert.equal(parseTime(s.replace('Z', '+00:00')), ms);
        assert.equal(formatIsoMillis(ms), s);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('formatIsoMillis', () => {
  it('always writes three fraction digits in UTC', () => {
    assert.equal(formatIsoMillis(0), '1970-01-01T00:00:00.000Z');
    assert.equal(formatIsoMillis(1763719201005), '2025-11-21T10:00:01.005Z');
    assert.equal(formatIsoMillis(1763719201050.9), '2025-11-21T10:00:01.050Z');
    // the cached date prefix follows day changes in both directions
    assert.equal(formatIsoMillis(Date.UTC(2026, 0, 1, 23, 59, 59, 999)), '2026-01-01T23:59:59.999Z');
    assert.equal(formatIsoMillis(Date.UTC(2026, 0, 2)), '2026-01-02T00:00:00.000Z');
    assert.equal(formatIsoMillis(Date.UTC(2025, 11, 31, 1, 2, 3, 4)), '2025-12-31T01:02:03.004Z');
  });
});

describe('isCanonicalIso', () => {
  it('holds exactly for accepted times already written as formatIsoMillis writes them', () => {
    for (let ms = 0; ms < 10_414_791_999_999; ms += 7_777_777_777) {
      const s = formatIsoMillis(ms);
      assert.ok(isCanonicalIso(s), s);
      assert.equal(formatIsoMillis(parseTime(s) as number), s);
    }
    for (const s of [
      '2026-11-21T10:00:60.000Z',
      '2026-11-21T10:00:01.234z',
      '2026-11-21 10:00:01.234Z',
      '2026-11-21T10:00:01.23Z',
      '2026-11-21T10:00:01.2345Z',
      1763719201,
    ]) {
      assert.equal(isCanonicalIso(s), false, String(s));
    }
  });
});

describe('acceptsCanonicalIso', () => {
  it('agrees with parseTime on every canonical-shaped value, whatever date was accepted before', () => {
    const d2 = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
    const year = fc.oneof(
      fc.constantFrom('1969', '1970', '2026', '2299', '2300', '2024', '2100', '-026', '0000'),
      fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
    );
    const value = fc
      .tuple(year, d2, d2, d2, d2, d2, fc.integer({ min: 0, max: 999 }))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${String(ms).padStart(3, '0')}Z`)
      .filter((v) => isCanonicalIso(v));
    const near = fc
      .tuple(fc.constantFrom('2026-11-21', '2024-02-29', '2299-12-31', '1970-01-01', '2023-02-29'), d2, d2, d2)
      .map(([day, h, mi, s]) => `${day}T${h}:${mi}:${s}.123Z`)
      .filter((v) => isCanonicalIso(v));
    fc.assert(
      fc.property(fc.array(fc.oneof(value, near), { minLength: 1, maxLength: 8 }), (vs) => {
        for (const v of vs) assert.equal(acceptsCanonicalIso(v), parseTime(v) !== undefined, v);
      }),
      { numRuns: 3000 },
    );
  });
});
