#!/usr/bin/env node
// `npm test`: brings up what the tests need, then runs every test/**/*.test.ts with node:test.
//   npm test                      all suites
//   npm test -- test/transform    only the files under the given paths
// The Kafka test broker (librdkafka's mock cluster) needs the librdkafka headers: installed
// here with apt-get when missing and we are root, otherwise we say exactly what to install.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const MOCK_HEADER = '/usr/include/librdkafka/rdkafka_mock.h';

function ensureLibrdkafka() {
  if (existsSync(MOCK_HEADER)) return;
  if (process.getuid?.() !== 0) {
    console.error('librdkafka-dev is missing (needed by the Kafka test broker). Install it: sudo apt-get install -y librdkafka-dev gcc');
    process.exit(1);
  }
  console.error('installing librdkafka-dev with apt-get (needed by the Kafka test broker)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'librdkafka-dev', 'gcc']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed; install librdkafka-dev and gcc by hand`);
      process.exit(1);
    }
  }
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

const args = process.argv.slice(2);
const roots = args.length > 0 ? args.map((a) => join(root, a)) : [join(root, 'test')];
const files = roots.flatMap((p) => (statSync(p).isDirectory() ? findTests(p, []) : [p]));
if (files.length === 0) {
  console.error(`no test files under ${args.join(' ') || 'test/'}`);
  process.exit(1);
}
ensureLibrdkafka();
console.error(`running ${files.length} test files: ${files.map((f) => relative(root, f)).join(' ')}`);
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  { stdio: 'inherit', cwd: root, env: { ...process.env, FAULTLINE_LOG_LEVEL: process.env.FAULTLINE_LOG_LEVEL ?? 'warn' } },
);
process.exit(r.status ?? 1);
