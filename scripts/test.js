#!/usr/bin/env node
// `npm test`: brings up what the tests need, then runs test/**/*.test.ts (and bench/'s own
// tests of its helpers, bench/test/) with node:test.
//   npm test                      every test (what CI runs)
//   npm run test:unit             the unit tier: pure and in-process tests, no broker, no child process
//   npm run test:e2e              the e2e tier: broker- and process-level tests
//   npm test -- test/transform    only the files under the given paths (any tier)
//   npm test -- --list            which files each tier holds, without running them
// A file belongs to the e2e tier when it starts a Kafka broker or any other process: when it,
// or a test/ or support/ module it imports (the broker harness, test/ingest/run-child.ts, …), calls
// spawn or spawnSync. A file can say `// test-tier: e2e` or `// test-tier: unit` to decide
// for itself. Every other file is a unit test: pure or in-process (chDB included).
// Unit files run several to a process (see `groups` below); a file that must run alone says
// `// test-process: alone`, and FAULTLINE_TEST_ISOLATE=1 runs every file in its own process.
// The Kafka test broker (librdkafka's mock cluster) needs the librdkafka headers and gcc:
// installed here with apt-get when missing and we are root, otherwise we print the exact command.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const MOCK_HEADER = '/usr/include/librdkafka/rdkafka_mock.h';
const TIERS = ['all', 'unit', 'e2e'];
/** Where test helpers live (a test's imports are followed there, not into product code). */
const KITS = ['test', 'support', 'bench'];
const SPAWNS = /\bspawn(Sync)?\(/;
const DECLARED = /\/\/ test-tier: (unit|e2e)\b/;
/** Files that cannot share a process: timing tests say so; root-level beforeEach/afterEach would run around every file's tests. */
const ALONE = /\/\/ test-process: alone\b|^(beforeEach|afterEach)\(/m;
const LOCAL_IMPORT = /^import [^;]*?from '(\.{1,2}\/[^']+\.ts)';|^import '(\.{1,2}\/[^']+\.ts)';/gm;

const hasCommand = (cmd, flag = '-version') => spawnSync(cmd, [flag], { stdio: 'ignore' }).error === undefined;

/**
 * Install Debian `packages` (what `what` needs) with apt-get when we are root, saying so;
 * otherwise print the exact command (and `hint`) and stop.
 */
function ensurePackages(what, packages, hint = '') {
  const cmd = `apt-get install -y ${packages.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(`${what} and missing. Install them: sudo ${cmd}${hint}`);
    process.exit(1);
  }
  console.error(`installing ${packages.join(', ')} with apt-get (${what}): ${cmd}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...packages],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed; install them by hand: sudo ${cmd}`);
      process.exit(1);
    }
  }
}

/** The Kafka test broker (librdkafka's mock cluster) is compiled with gcc against librdkafka's headers. */
function ensureLibrdkafka() {
  if (existsSync(MOCK_HEADER) && hasCommand('gcc', '--version')) return;
  ensurePackages('librdkafka-dev and gcc are needed by the Kafka test broker', ['librdkafka-dev', 'gcc']);
}

/**
 * The real Kafka brokers of the test bed (support/kafka-dist.ts) run on Java 17 and are fetched
 * with Maven, unless FAULTLINE_TEST_BROKERS=mock leaves them out.
 */
function ensureJavaMaven() {
  const kinds = (process.env.FAULTLINE_TEST_BROKERS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (kinds.length > 0 && kinds.every((k) => k === 'mock')) return;
  if (hasCommand('java') && hasCommand('mvn')) return;
  ensurePackages(
    'Java 17 and Maven are needed by the real Kafka brokers of the tests',
    ['openjdk-17-jdk-headless', 'maven'],
    ' (or run only the mock: FAULTLINE_TEST_BROKERS=mock)',
  );
}

function findTests(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules' && name !== 'fixtures') findTests(p, out);
    } else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Does `file`, or a module under test/ it imports (transitively), start a process? */
function startsProcesses(file, seen = new Set()) {
  if (seen.has(file) || !KITS.some((dir) => file.startsWith(join(root, dir, '/')))) return false;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  if (SPAWNS.test(text)) return true;
  for (const m of text.matchAll(LOCAL_IMPORT)) {
    if (startsProcesses(join(dirname(file), m[1] ?? m[2]), seen)) return true;
  }
  return false;
}

function tierOf(file) {
  const declared = DECLARED.exec(readFileSync(file, 'utf8'));
  if (declared) return declared[1];
  return startsProcesses(file) ? 'e2e' : 'unit';
}

let tier = 'all';
let list = false;
const args = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--tier' || a.startsWith('--tier=')) {
    tier = a === '--tier' ? argv[++i] : a.slice('--tier='.length);
    if (!TIERS.includes(tier)) {
      console.error(`invalid --tier=${JSON.stringify(tier)}: one of ${TIERS.join(', ')}`);
      process.exit(2);
    }
  } else if (a === '--list') list = true;
  else args.push(a);
}
const roots = args.length > 0 ? args.map((a) => join(root, a)) : [join(root, 'test'), join(root, 'bench')];
for (const p of roots) {
  if (!existsSync(p)) {
    console.error(`no such test file or folder: ${relative(root, p) || p}`);
    process.exit(2);
  }
}
const files = roots
  .flatMap((p) => (statSync(p).isDirectory() ? findTests(p, []) : [p]))
  .filter((f) => tier === 'all' || tierOf(f) === tier);
if (files.length === 0) {
  console.error(`no ${tier === 'all' ? '' : `${tier}-tier `}test files under ${args.join(' ') || 'test/'}`);
  process.exit(1);
}
if (list) {
  for (const f of files) console.log(`${tierOf(f)}\t${relative(root, f)}`);
  process.exit(0);
}
if (files.some((f) => tierOf(f) === 'e2e')) {
  ensureLibrdkafka();
  ensureJavaMaven();
}
// Tests run the TypeScript sources through tsx, but what they spawn (bin/faultline.js) and the
// normalize worker run dist/, compiled by `npm run build`: build first (incremental, ~1 s when
// nothing changed) so that no test runs stale JavaScript.
if (spawnSync(process.execPath, [join(root, 'scripts', 'build.js')], { stdio: 'inherit' }).status !== 0) {
  console.error('the build failed: dist/ would be stale, not running the tests');
  process.exit(1);
}
// Unit files take their own chDB databases and no ports: run them on every core. Files of the
// e2e tier time consumer-group sessions and kills, so they run one at a time.
const concurrency = tier === 'unit' ? availableParallelism() : 1;
const unitOnly = files.every((f) => tierOf(f) === 'unit');
// Scratch space for the group modules and, in a unit-only run, the tests' chDB data directories
// (FAULTLINE_TEST_TMPDIR, test/support/stores.ts): on tmpfs when there is one, as chDB's fsyncs
// of each test database's files on disk made the unit tier wait; removed when the run ends.
const scratch = makeScratch(unitOnly);
process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));

/**
 * The node:test entries: each e2e file and each `alone` file on its own, the other unit files
 * dealt in path order into two groups per core (two per run when one core runs at a time), one
 * process each. Loading tsx and chDB's 566 MB library cost ~1.5 s of CPU per process, a third of
 * the unit tier when every file had its own. A group is a module importing its files: node:test
 * runs their tests one after another and reports each with its file and line, as before.
 */
function entries() {
  const shared =
    process.env.FAULTLINE_TEST_ISOLATE === '1' ? [] : files.filter((f) => tierOf(f) === 'unit' && !ALONE.test(readFileSync(f, 'utf8')));
  const alone = files.filter((f) => !shared.includes(f));
  if (shared.length < 2) return { groups: [], alone: files };
  const groups = Array.from({ length: Math.min(shared.length, 2 * Math.max(concurrency, 1)) }, () => []);
  shared.forEach((f, i) => {
    groups[i % groups.length].push(f);
  });
  return { groups, alone };
}

function makeScratch(onTmpfs) {
  if (onTmpfs && existsSync('/dev/shm')) {
    try {
      return mkdtempSync('/dev/shm/faultline-test-');
    } catch {
      // not writable: the disk it is
    }
  }
  return mkdtempSync(join(tmpdir(), 'faultline-test-'));
}

const { groups, alone } = entries();
const groupFiles = groups.map((g, i) => {
  const path = join(scratch, `unit-group-${i + 1}.mjs`);
  writeFileSync(
    path,
    `// ${g.map((f) => relative(root, f)).join(' ')}\n${g.map((f) => `import ${JSON.stringify(pathToFileURL(f).href)};\n`).join('')}`,
  );
  return path;
});
console.error(
  `running ${files.length} ${tier === 'all' ? '' : `${tier}-tier `}test files in ${groups.length + alone.length} processes, ` +
    `${concurrency} at a time:`,
);
groups.forEach((g, i) => {
  console.error(`  unit-group-${i + 1}: ${g.map((f) => relative(root, f)).join(' ')}`);
});
if (alone.length > 0) console.error(`  each alone: ${alone.map((f) => relative(root, f)).join(' ')}`);
const r = spawnSync(
  process.execPath,
  // A test that names no timeout fails after 5 minutes instead of holding CI; once every test
  // has finished, a handle a test left open cannot keep its file from ending (and, with that
  // forced exit, the preload keeps the results a process reports from being cut short).
  [
    '--import',
    pathToFileURL(join(root, 'scripts/test-blocking-stdout.mjs')).href,
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-timeout=300000',
    '--test-force-exit',
    `--test-concurrency=${concurrency}`,
    ...groupFiles,
    ...alone,
  ],
  {
    stdio: 'inherit',
    cwd: root,
    env: {
      ...process.env,
      FAULTLINE_LOG_LEVEL: process.env.FAULTLINE_LOG_LEVEL ?? 'warn',
      // The unit tier runs the deepest generated tests at a fifth of their depth (test/support/seed.ts).
      ...(tier === 'unit' ? { FAULTLINE_TEST_QUICK: '1' } : {}),
      ...(unitOnly ? { FAULTLINE_TEST_TMPDIR: scratch } : {}),
    },
  },
);
process.exit(r.status ?? 1);
