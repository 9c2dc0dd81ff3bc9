// Every command's --help is there and accurate: `faultline --help` lists each command, each
// `faultline <cmd> --help` exits 0 and documents every flag the command accepts (the flag
// list is read from the parser's own "known flags" error, so help and parser cannot drift);
// wrong flags and env values give one line naming them and what is allowed, exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inProcess } from './run-cli.ts';

const EXPECTED = ['run', 'parse', 'migrate', 'trace', 'sql', 'status', 'dashboards', 'alerts', 'generate', 'demo'];

async function commands(): Promise<string[]> {
  const r = await inProcess(['--help']);
  assert.equal(r.code, 0);
  return [...r.stdout.matchAll(/^ {2}([a-z]+) +(.+)$/gm)].map((m) => {
    assert.notEqual(m[2], '(not available)', `command ${m[1]} fails to load`);
    return m[1]!;
  });
}

test('faultline --help lists every command with a summary', async () => {
  const r = await inProcess(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: faultline <command>/);
  assert.deepEqual((await commands()).sort(), [...EXPECTED].sort());
  const bare = await inProcess([]);
  assert.equal(bare.code, 2, 'no command: usage and exit 2');
  assert.match(bare.stdout, /Usage: faultline/);
});

test('each command --help exits 0 and mentions every flag it accepts', async () => {
  for (const name of await commands()) {
    const h = await inProcess([name, '--help']);
    assert.equal(h.code, 0, `${name} --help`);
    assert.match(h.stdout, new RegExp(`Usage: faultline ${name}\\b`), `${name} help starts with its usage`);
    assert.equal((await inProcess([name, '-h'])).stdout, h.stdout, `${name} -h`);
    const bad = await inProcess([name, '--no-such-flag-xyz']);
    assert.equal(bad.code, 2, `${name}: unknown flag exits 2`);
    assert.equal(bad.stderr.trimEnd().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, new RegExp(`^faultline ${name}: .*--no-such-flag-xyz`), bad.stderr);
    const known = /known flags: ([^)]+)\)/.exec(bad.stderr)?.[1]?.split(', ') ?? [];
    assert.ok(known.length >= 1, `${name} lists its known flags: ${bad.stderr}`);
    for (const flag of known) {
      if (flag === '--help') continue;
      assert.ok(h.stdout.includes(flag), `faultline ${name} --help does not mention ${flag}`);
    }
  }
});

test('wrong flag values and env values: one line naming them and the allowed values, exit 2', async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['generate', '--source', 'both-ways'], {}, /--source=both-ways: allowed values are gateway, client, both/],
    [
      ['generate', '--to', 'kafka', '--count', '1'],
      { KAFKA_SASL_MECHANISM: 'md5' },
      /KAFKA_SASL_MECHANISM="md5": one of plain, scram-sha-256, scram-sha-512/,
    ],
    [['demo', '--count', '5'], {}, /--count=5: expected an integer from 1000/],
    [['demo', '--duration', 'forever'], {}, /--duration=forever: expected a duration/],
    [['demo'], { FAULTLINE_LOG_LEVEL: 'loud' }, /FAULTLINE_LOG_LEVEL="loud": one of debug, info, warn, error/],
    [['bogus'], {}, /unknown command 'bogus': allowed commands are run, parse/],
  ];
  for (const [argv, env, re] of cases) {
    const r = await inProcess(argv, env);
    assert.equal(r.code, 2, `${argv.join(' ')} ${JSON.stringify(env)}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  }
});
