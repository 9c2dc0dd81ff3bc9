// The installed binary, as a user starts it (`node bin/faultline.js`, which runs dist/): a
// process-level check of what test/cli/help.test.ts proves in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('the installed binary exits 2 on a bad env value, with one line', () => {
  const bin = new URL('../../bin/faultline.js', import.meta.url).pathname;
  const r = spawnSync(process.execPath, [bin, 'generate', '--count', '1'], {
    encoding: 'utf8',
    env: { ...process.env, FAULTLINE_LOG_LEVEL: 'chatty' },
  });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^faultline generate: invalid FAULTLINE_LOG_LEVEL="chatty": one of debug, info, warn, error\n$/);
});

test('a checkout that was not built says so, naming the command, instead of a stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-unbuilt-'));
  try {
    mkdirSync(join(dir, 'bin'));
    copyFileSync(new URL('../../bin/faultline.js', import.meta.url), join(dir, 'bin', 'faultline.js'));
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'faultline.js'), '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr,
      `faultline: not built: ${join(dir, 'dist', 'cli', 'main.js')} is missing. Run \`npm run build\` in ${dir}/ (\`npm ci\` does it).\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
