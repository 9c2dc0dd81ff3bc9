// Seeded randomness for the tests, so that a failure can be replayed: fast-check's generated
// inputs (fc.configureGlobal) and the tests' own random choices (kill points, delays) all come
// from one seed. The default is fixed, so every run explores the same cases; set
// FAULTLINE_TEST_SEED=<n> to replay a failure, or FAULTLINE_TEST_SEED=random to explore new
// ones. A test file that fails prints the seed it ran with.
import fc from 'fast-check';

const DEFAULT_SEED = 20261206;

function seedFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_SEED;
  if (raw === 'random') return Math.floor(Math.random() * 0x7fffffff);
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`invalid FAULTLINE_TEST_SEED=${JSON.stringify(raw)}: a whole number, or "random"`);
  return n;
}

export const TEST_SEED = seedFromEnv(process.env.FAULTLINE_TEST_SEED);

fc.configureGlobal({ seed: TEST_SEED });

process.once('exit', (code) => {
  if (code !== 0 || (process.exitCode ?? 0) !== 0) {
    process.stderr.write(`test seed ${TEST_SEED}: replay with FAULTLINE_TEST_SEED=${TEST_SEED}\n`);
  }
});

/**
 * The unit tier (`npm run test:unit`, FAULTLINE_TEST_QUICK=1) runs the deepest generated tests
 * at a fifth of their depth, so it stays a tier to run after every change; `npm test` and the
 * e2e tier run them whole. Only the number of generated cases changes, never what is asserted.
 */
export const QUICK = process.env.FAULTLINE_TEST_QUICK === '1';

/** `n` generated cases, or a fifth of them in the quick unit tier. */
export function depth(n: number): number {
  return QUICK ? Math.max(1, Math.ceil(n / 5)) : n;
}

/** A seeded PRNG (mulberry32): numbers in [0, 1), the same seed giving the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A deterministic generator of numbers in [0, 1) from the test seed and a label. */
export function seededRandom(label: string): () => number {
  let h = TEST_SEED >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x9e3779b1) >>> 0;
  return mulberry32(h);
}
