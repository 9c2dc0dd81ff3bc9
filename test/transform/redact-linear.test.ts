// Redaction stays linear in the size of the record on any input (docs/secrets.md §6): every
// hostile pattern (test/fixtures/secrets/hostile-records.ts: each shape's trigger repeated,
// long key runs, keys without values, unterminated blocks) is timed at 256 KiB and at 1 MiB.
// Linear time gives a ratio near 4 (quadratic: 16); the test allows 12, as garbage collection
// and a shared machine make runs of a few milliseconds uneven (measured: 3 to 8), and compares
// sizes within one run, never an absolute time. Best of 5 per size, in CPU time of this
// process (in wall time, other processes' time slices on a loaded machine gave ratios of 13 to
// 70). It runs in a process of its own, where no other file's heap lengthens the garbage
// collector's pauses:
// test-process: alone
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalize } from '../../transform/normalize.ts';
import { redactText } from '../../transform/redact.ts';
import { hostileLines, hostileRecords } from '../fixtures/secrets/hostile-records.ts';
import { QUICK } from '../support/seed.ts';

const KIB = 1024;

/** Nanoseconds of CPU this process has used (user + system). */
function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

function best(f: () => void): number {
  let t = Infinity;
  for (let r = 0; r < (QUICK ? 2 : 5); r++) {
    const t0 = cpuNs();
    f();
    t = Math.min(t, cpuNs() - t0);
  }
  return t;
}

describe('redaction is linear on hostile records (§6)', () => {
  const small = [...hostileRecords(256 * KIB), ...hostileLines(256 * KIB)];
  const large = [...hostileRecords(1024 * KIB - 200), ...hostileLines(1024 * KIB - 200)];
  for (let i = 0; i < small.length; i++) {
    const s = small[i]!;
    const l = large[i]!;
    it(s.name, () => {
      const ctx = {
        source: 'client' as const,
        transportTimeMs: 0,
        maxRecordBytes: 2 * 1024 * KIB,
        redactionKey: 'k',
        pii: 'mask' as const,
      };
      // Warm the code paths on the small record first. Test files run side by side: a ratio
      // spoiled by another file's work is measured again (up to three times); quadratic time
      // fails every attempt.
      normalize(s.record, ctx);
      let ratio = Infinity;
      let ts = 0;
      let tl = 0;
      for (let attempt = 0; attempt < 3 && ratio >= 12; attempt++) {
        ts = best(() => normalize(s.record, ctx));
        tl = best(() => normalize(l.record, ctx));
        ratio = Math.min(ratio, tl / ts);
      }
      assert.ok(
        ratio < 12,
        `${s.name}: 1 MiB took ${(tl / 1e6).toFixed(1)} ms, 256 KiB ${(ts / 1e6).toFixed(1)} ms: ratio ${ratio.toFixed(1)}`,
      );
      // redactText alone, on the message text itself.
      const ms = JSON.parse(s.record.startsWith('{') ? s.record : '{"message":""}').message as string;
      const ml = JSON.parse(l.record.startsWith('{') ? l.record : '{"message":""}').message as string;
      if (ms !== '') {
        let r = Infinity;
        let rs = 0;
        let rl = 0;
        for (let attempt = 0; attempt < 3 && r >= 12; attempt++) {
          rs = best(() => redactText(ms));
          rl = best(() => redactText(ml));
          r = Math.min(r, rl / rs);
        }
        assert.ok(r < 12, `${s.name}: redactText 1 MiB ${(rl / 1e6).toFixed(1)} ms vs 256 KiB ${(rs / 1e6).toFixed(1)} ms`);
      }
    });
  }
});
