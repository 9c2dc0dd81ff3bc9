// `npm ci` on a fresh clone leaves `npx faultline …` working: dist/ is not committed, the
// `prepare` script (which npm ci runs after installing) builds it (docs/development.md, Build).
// The clone is a copy of the checkout's files as git sees them (tracked, and new files not
// ignored), with the installed node_modules linked in: the install itself is npm's part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('a fresh clone builds through prepare and then runs npx faultline, worker included', () => {
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  assert.equal(files.status, 0, files.stderr);
  const listed = files.stdout.split('\0').filter(Boolean);
  assert.ok(!listed.some((f) => f.startsWith('dist/')), 'dist/ is not committed');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.prepare, pkg.scripts.build, 'prepare runs the build');

  const clone = mkdtempSync(join(tmpdir(), 'faultline-clone-'));
  try {
    for (const f of listed) {
      if (!existsSync(join(root, f))) continue; // deleted in the work tree, not yet committed
      mkdirSync(dirname(join(clone, f)), { recursive: true });
      cpSync(join(root, f), join(clone, f));
    }
    symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'));
    const env = { ...process.env, npm_config_update_notifier: 'false' };

    const prepare = spawnSync('npm', ['run', '-s', 'prepare'], { cwd: clone, env, encoding: 'utf8' });
    assert.equal(prepare.status, 0, prepare.stderr);
    assert.ok(existsSync(join(clone, 'dist', 'cli', 'main.js')));
    assert.ok(existsSync(join(clone, 'dist', 'ingest', 'normalize-worker.js')), 'the compiled normalize worker');
    assert.deepEqual(
      readdirSync(join(clone, 'dist', 'sql', 'migrations')),
      readdirSync(join(root, 'sql', 'migrations')).filter((f) => f.endsWith('.sql')),
    );

    const help = spawnSync('npx', ['--offline', 'faultline', '--help'], { cwd: clone, env, encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: faultline <command>/);
    const record = '{"status":429,"code":"QUOTA_EXCEEDED","request_id":"req_clone_1","timestamp":"2026-11-21T12:00:00Z"}\n';
    const parse = spawnSync('npx', ['--offline', 'faultline', 'parse', '--source', 'gateway'], {
      cwd: clone,
      env,
      input: record,
      encoding: 'utf8',
    });
    assert.equal(parse.status, 0, parse.stderr);
    assert.equal((JSON.parse(parse.stdout) as { code: string }).code, 'QUOTA_EXCEEDED');

    // The normalize worker of the clone's dist/, loaded as `faultline run` loads it.
    writeFileSync(
      join(clone, 'worker-check.mjs'),
      `
      const { NormalizeThread } = await import(${JSON.stringify(join(clone, 'dist', 'ingest', 'normalize-thread.js'))});
      const data = new TextEncoder().encode(${JSON.stringify(record.trim())});
      const t = new NormalizeThread();
      const rows = await t.run({ source: 'gateway', topic: 't', partition: 0,
        limits: { maxRecordBytes: 2048, maxDepth: 16, rawMaxBytes: 1024 },
        offsets: [0], ts: [Date.UTC(2026, 10, 21)], lens: new Int32Array([data.length]), data: data.buffer, wantOffsets: false });
      await t.close();
      console.log(rows.eventCount, rows.rejectCount);`,
    );
    const worker = spawnSync(process.execPath, ['worker-check.mjs'], { cwd: clone, encoding: 'utf8' });
    assert.equal(worker.status, 0, worker.stderr);
    assert.equal(worker.stdout.trim(), '1 0');
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
});
