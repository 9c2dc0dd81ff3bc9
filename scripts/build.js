#!/usr/bin/env node
// `npm run build` (and `npm ci`, through `prepare`): compiles the product folders to dist/ with
// tsc (tsconfig.build.json; `.ts` import specifiers rewritten to `.js`, the JSON data files the
// code imports emitted beside it), then copies the files the code reads at run time that tsc does
// not emit: the SQL migrations (sql/migrate.ts reads `./migrations/` next to itself). Incremental:
// a build with nothing changed takes about a second. bin/faultline.js and the normalize worker
// run dist/; nothing transpiles or bundles at run time.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(tsc)) {
  console.error(
    'npm run build needs the TypeScript compiler (a devDependency): run `npm ci` (not --omit=dev)' +
      ' to build, then `npm prune --omit=dev` if you want it gone',
  );
  process.exit(1);
}
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error('npm run build: tsc failed (see above); dist/ is not current');
  process.exit(r.status ?? 1);
}
// Copied whole each time, so that a renamed or removed migration cannot linger in dist/.
const from = join(root, 'sql', 'migrations');
const to = join(dist, 'sql', 'migrations');
rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from)) if (name.endsWith('.sql')) copyFileSync(join(from, name), join(to, name));
