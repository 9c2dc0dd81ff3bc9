// The manual stays true: the README's two quick-start commands are what package.json runs;
// docs/configuration.md lists every setting of lib/config.ts with its default and description;
// docs/cli.md names every flag of every command; the files and pages the README points to exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ZodType } from 'zod';
import { SETTINGS } from '../lib/config.ts';
import { inProcess } from './cli/run-cli.ts';

const root = new URL('..', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const configuration = readFileSync(join(root, 'docs/configuration.md'), 'utf8');
const cliReference = readFileSync(join(root, 'docs/cli.md'), 'utf8');

function between(start: string, end: string): string {
  const i = readme.indexOf(start);
  const j = readme.indexOf(end, i + 1);
  assert.ok(i >= 0 && j > i, `README sections ${start} … ${end}`);
  return readme.slice(i, j);
}

test('quick start: exactly two commands, and package.json runs them', () => {
  const quick = between('## Quick start', '\n## ');
  const block = /```sh\n([\s\S]*?)```/
    .exec(quick)![1]!
    .trim()
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim());
  assert.deepEqual(block, ['npm ci && npm start', 'npm ci && npm test']);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts.start!, /faultline\.js demo$/);
  assert.equal(pkg.scripts.test, 'node scripts/test.js');
  assert.match(readFileSync(join(root, '.ci/run'), 'utf8'), /^npm test$/m, '.ci/run runs the README test command');
});

test('the configuration table lists every setting with its default and description', () => {
  const table = configuration;
  for (const [name, s] of Object.entries(SETTINGS)) {
    const r = (s.schema as ZodType).safeParse(undefined);
    const def = r.success && r.data !== undefined ? (String(r.data) === '' ? '(empty)' : `\`${String(r.data)}\``) : '(unset)';
    const row = `| \`${name}\` | ${def} | ${s.doc} |`;
    assert.ok(table.includes(row), `docs/configuration.md row missing or stale; expected:\n${row}`);
  }
  const rows = table.split('\n').filter((l) => /^\| `[A-Z_]+` \|/.test(l));
  assert.equal(rows.length, Object.keys(SETTINGS).length, 'no rows for settings that do not exist');
});

test('the CLI reference names every command and every flag its parser accepts', async () => {
  const cli = cliReference;
  const help = await inProcess(['--help']);
  const names = [...help.stdout.matchAll(/^ {2}([a-z]+) +/gm)].map((m) => m[1]!);
  assert.ok(names.length >= 10);
  for (const name of names) {
    assert.ok(cli.includes(`\`faultline ${name}`), `docs/cli.md lacks faultline ${name}`);
    const bad = await inProcess([name, '--no-such-flag-xyz']);
    const known = /known flags: ([^)]+)\)/.exec(bad.stderr)?.[1]?.split(', ') ?? [];
    for (const flag of known) if (flag !== '--help') assert.ok(cli.includes(flag), `docs/cli.md lacks ${name} ${flag}`);
  }
});

test('files and pages the README points to exist, and it stays short', () => {
  assert.ok(
    Buffer.byteLength(readme) <= 10_240,
    `README.md is ${Buffer.byteLength(readme)} bytes: keep it under 10 KB, move reference text to docs/`,
  );
  const links = [...readme.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]!);
  assert.ok(links.length >= 8);
  for (const l of links) assert.ok(existsSync(join(root, l)), `README links ${l}, which exists`);
  for (const f of [
    'compose.yaml',
    'Dockerfile',
    '.ci/run',
    'ingest/README.md',
    'dashboards/README.md',
    'data/errors.catalog.json',
    'transform/event.ts',
    'lib/config.ts',
    'dashboards/generated',
    'sql/migrations',
  ]) {
    assert.ok(readme.includes(f), `README mentions ${f}`);
    assert.ok(existsSync(join(root, f)), `${f} exists`);
  }
});
