// The cost of docs/secrets.md (§6: no more than 10% slower on the mixed corpus of
// bench/transform.ts than before it): the normalizer of a base checkout and this one, in one
// process, rounds interleaved (A B A B …) so both see the same machine state; best CPU time
// of each. Then the worst-case records of test/transform/redact-linear.test.ts: µs per KiB.
//   git worktree add /tmp/sec-base cfc31cc && ln -s "$PWD/node_modules" /tmp/sec-base/
//   node --import tsx bench/redaction-ab.ts [/tmp/sec-base]
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NormalizeResult } from '../transform/index.ts';
import type { NormalizeContext } from '../transform/event.ts';
import { normalize as current } from '../transform/normalize.ts';
import { hostileLines, hostileRecords } from '../test/fixtures/secrets/hostile-records.ts';
import { corpusRecord } from './transform.ts';

type Normalize = (record: string | Uint8Array, ctx: NormalizeContext) => NormalizeResult;

const N = 120_000;
// Many short interleaved rounds, the best of each: on a shared machine a round that another
// process slowed is discarded, and every variant gets the same chances of a quiet round.
const ROUNDS = Number(process.env.AB_ROUNDS ?? 30);
const CHUNK = 40_000;

async function main(): Promise<void> {
  const baseDir = resolve(process.argv[2] ?? '/tmp/sec-base');
  const base = ((await import(pathToFileURL(`${baseDir}/transform/index.ts`).href)) as { normalize: Normalize }).normalize;
  const corpus = Array.from({ length: N }, (_, i) => corpusRecord(i));
  const bytes = corpus.map((c) => Buffer.from(c.record));
  const now = Date.now();
  const ctxOf = (key?: string): Record<'gateway' | 'client', NormalizeContext> => ({
    gateway: { source: 'gateway', transportTimeMs: now, redactionKey: key },
    client: { source: 'client', transportTimeMs: now, redactionKey: key },
  });
  const plain = ctxOf();
  const keyed = ctxOf('bench-installation-key-0123456789abcdef');
  const variants: [string, Normalize, Record<'gateway' | 'client', NormalizeContext>][] = [
    ['before (base)', base, plain],
    ['after, no key', current, plain],
    ['after, with key (fp)', current, keyed],
  ];
  for (const [, f, ctx] of variants) for (let i = 0; i < 30_000; i++) f(bytes[i % N]!, ctx[corpus[i % N]!.source]);
  const best = variants.map(() => Infinity);
  const sliceSum = variants.map(() => 0);
  // Each round times every variant on the same stretch of the corpus (all stretches together
  // cover it three times over), in a rotating order; per stretch the best of each is kept.
  const stretches = N / CHUNK;
  const bestOf = variants.map(() => Array.from({ length: stretches }, () => Infinity));
  // And per 2,000-record slice the ratio of each variant to the base timed just before or
  // after it: a slow phase of the machine hits both sides of a ratio alike. The median of
  // these ratios is the figure least moved by other processes.
  const SLICE = 2_000;
  const ratios = variants.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    const from = (r % stretches) * CHUNK;
    for (let at = from; at < from + CHUNK; at += SLICE) {
      const t = variants.map(() => 0);
      for (let k = 0; k < variants.length; k++) {
        const v = (r + k + at / SLICE) % variants.length;
        const [, f, ctx] = variants[v]!;
        const c0 = process.cpuUsage();
        for (let i = at; i < at + SLICE; i++) f(bytes[i]!, ctx[corpus[i]!.source]);
        const c = process.cpuUsage(c0);
        t[v] = (c.user + c.system) / 1e6;
      }
      t.forEach((sec, v) => {
        ratios[v]!.push(sec / t[0]!);
        sliceSum[v]! += sec;
      });
    }
    sliceSum.forEach((sec, v) => {
      const row = bestOf[v]!;
      row[r % stretches] = Math.min(row[r % stretches]!, sec);
      sliceSum[v] = 0;
    });
  }
  variants.forEach((_, v) => {
    best[v] = bestOf[v]!.reduce((a, b) => a + b, 0);
  });
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `${N} records of the mixed corpus (bench/transform.ts) as bytes, one process, ${ROUNDS} interleaved rounds over 40,000-record ` +
      `stretches`,
  );
  console.log(
    '  variant                best µs/record (per stretch, summed)   median ratio to before of 2,000-record slices timed side by side',
  );
  variants.forEach(([label], v) => {
    const sec = best[v]!;
    const m = median(ratios[v]!);
    console.log(
      `  ${label.padEnd(22)} ${((sec * 1e6) / N).toFixed(3)} µs  ${Math.round(N / sec)
        .toLocaleString('en-US')
        .padStart(9)}/s   ${
        v === 0
          ? ''
          : `${((sec / best[0]! - 1) * 100).toFixed(1).padStart(5)}% (best)   ` +
            `${((m - 1) * 100).toFixed(1).padStart(5)}% (median of ${ratios[v]!.length})`
      }`,
    );
  });
  console.log('worst-case records (1 MiB each), µs per KiB, best of 5:');
  for (const { name, record } of [...hostileRecords(), ...hostileLines()]) {
    const kib = Buffer.byteLength(record) / 1024;
    const line = [base, current].map((f) => {
      let t = Infinity;
      for (let r = 0; r < 5; r++) {
        const c0 = process.hrtime.bigint();
        f(record, { source: 'client', transportTimeMs: now, maxRecordBytes: 2 * 1024 * 1024 });
        t = Math.min(t, Number(process.hrtime.bigint() - c0) / 1e3);
      }
      return (t / kib).toFixed(2);
    });
    console.log(`  ${name.padEnd(34)} before ${line[0]!.padStart(8)}  after ${line[1]!.padStart(8)}`);
  }
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) void main();
