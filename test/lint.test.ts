// test-tier: unit
// The checks that keep the tree clean, as part of `npm test` (docs/development.md, "Checks"):
// the typecheck (tsconfig.json: strict, exactOptionalPropertyTypes, no unused locals or
// parameters), biome's lint and format check (biome.jsonc), and knip's dead-code check, once
// over everything and once over the product alone, where a folder's index.ts may list only what
// other product folders use (knip.ts). Each is the tool's own command, run as `npm run
// typecheck` / `npm run lint` run it; a failure shows the tool's output. Seconds, not minutes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string): string => `${ROOT}node_modules/.bin/${name}`;

/** Run a tool in the repository root; its exit code and everything it printed. */
function run(cmd: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // NO_COLOR: the output lands in an assertion message, not on a terminal.
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => {
      output += b;
    });
    child.stderr.on('data', (b: Buffer) => {
      output += b;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const CHECKS: [string, string, string[]][] = [
  ['typecheck: tsc --noEmit -p .', bin('tsc'), ['--noEmit', '-p', '.']],
  ['lint and format: biome ci --error-on-warnings .', bin('biome'), ['ci', '--error-on-warnings', '--colors=off', '.']],
  ['dead files, dependencies and exports: knip', bin('knip'), ['--no-progress']],
  ['public barrels list only what the product uses: knip --production', bin('knip'), ['--no-progress', '--production']],
];

// Side by side: together they take about the time of the slowest (tsc).
describe('checks', { concurrency: CHECKS.length }, () => {
  for (const [name, cmd, args] of CHECKS) {
    test(name, { timeout: 180_000 }, async () => {
      const { code, output } = await run(cmd, args);
      assert.equal(code, 0, `${name} failed (exit ${code}):\n${output}`);
    });
  }
});
