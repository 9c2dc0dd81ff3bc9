// Same-process A/B of two normalizers on the old mixed corpus (bench/transform.ts corpusRecord,
// 120,000 records): this checkout's `normalize` against the one of another checkout of the
// repository (e.g. the commit before a change, extracted with `git archive <commit> | tar -x -C DIR`
// and its node_modules symlinked). Rounds alternate A and B, so both see the same machine load;
// the figure is the best round's CPU time of each, and B/A the ratio of µs per record.
//   node --import tsx bench/transform-ab.ts --base DIR [--rounds 8]
// Then the new mixed corpus (old mix plus envelopes, library layouts and OTLP, docs/real-inputs.md)
// with this checkout's normalizer alone.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { normalizeRecord } from '../transform/index.ts';
import { normalize } from '../transform/normalize.ts';
import type { NormalizeContext } from '../transform/event.ts';
import { corpusRecord } from './transform.ts';
import { realCorpusRecord } from './real-corpus.ts';

type Normalize = (r: string | Uint8Array, c: NormalizeContext) => { ok: boolean };

const { values } = parseArgs({ options: { base: { type: 'string' }, rounds: { type: 'string', default: '8' } } });
if (values.base === undefined) {
  console.error('usage: node --import tsx bench/transform-ab.ts --base DIR [--rounds N]');
  process.exit(2);
}
const base = (await import(pathToFileURL(resolve(values.base, 'transform/index.ts')).href)) as { normalize: Normalize };
const rounds = Number(values.rounds);
const N = 120_000;
const ctx: Record<'gateway' | 'client', NormalizeContext> = {
  gateway: { source: 'gateway', transportTimeMs: Date.now() },
  client: { source: 'client', transportTimeMs: Date.now() },
};

function cpuOf(fn: Normalize, corpus: readonly { source: 'gateway' | 'client'; record: string }[]): number {
  const c0 = process.cpuUsage();
  let ok = 0;
  for (const c of corpus) if (fn(c.record, ctx[c.source]).ok) ok++;
  const c = process.cpuUsage(c0);
  if (ok < 0) console.log(ok);
  return (c.user + c.system) / 1e6;
}

const old = Array.from({ length: N }, (_, i) => corpusRecord(i));
const fns: Record<'A (base)' | 'B (this)', Normalize> = { 'A (base)': base.normalize, 'B (this)': normalize };
// Warm both up.
for (const fn of Object.values(fns)) for (let i = 0; i < 2; i++) cpuOf(fn, old.slice(0, 40_000));
const best: Record<string, number> = { 'A (base)': Infinity, 'B (this)': Infinity };
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? (['A (base)', 'B (this)'] as const) : (['B (this)', 'A (base)'] as const);
  for (const k of order) best[k] = Math.min(best[k]!, cpuOf(fns[k], old));
}
const fmt = (sec: number): string =>
  `${Math.round(N / sec).toLocaleString('en-US')} records/s ` + `(${((sec * 1e6) / N).toFixed(2)} µs/record)`;
console.log(`old mixed corpus, ${N} records, best of ${rounds} alternating rounds, cpu time, one core`);
console.log(`  A (base ${values.base}): ${fmt(best['A (base)']!)}`);
console.log(`  B (this checkout):      ${fmt(best['B (this)']!)}`);
console.log(`  B/A time per record: ${(best['B (this)']! / best['A (base)']!).toFixed(3)} (must be <= 1.10)`);

const real = Array.from({ length: N }, (_, i) => realCorpusRecord(i));
let bestReal = Infinity;
const all: Normalize = (r, c) => ({ ok: normalizeRecord(r, c)[0]?.ok === true });
for (let r = 0; r < Math.max(3, rounds / 2); r++) bestReal = Math.min(bestReal, cpuOf(all, real));
console.log(
  `new mixed corpus (old mix + envelopes, library layouts, OTLP/JSON), ${N} records: ${fmt(bestReal)} (normalizeRecord; an OTLP message ` +
    `of 5 log records counts as one record)`,
);
