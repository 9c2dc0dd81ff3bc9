// The installed binary, as a user starts it (`node bin/faultline.js`): a process-level check of
// what test/cli/help.test.ts proves in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('the installed binary exits 2 on a bad env value, with one line', () => {
  const bin = new URL('../../bin/faultline.js', import.meta.url).pathname;
  const r = spawnSync(process.execPath, [bin, 'generate', '--count', '1'], { encoding: 'utf8', env: { ...process.env, FAULTLINE_LOG_LEVEL: 'chatty' } });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^faultline generate: invalid FAULTLINE_LOG_LEVEL="chatty": one of debug, info, warn, error\n$/);
});
