// knip: unused files, dependencies and exports. `npm run lint` runs it twice (test/lint.test.ts too):
//   knip               everything, tests and bench included: no file, dependency or export is dead;
//   knip --production  the product alone (the `!` patterns and package.json `bin`): a folder's
//                      index.ts lists only what other product folders use, nothing only tests use.
// Entries are what node starts by path: the binary, test files, bench and scripts, and the files
// that code starts as a child process or worker thread by URL (knip cannot follow those).
import type { KnipConfig } from 'knip';

const production = process.argv.includes('--production');

const config: KnipConfig = {
  entry: [
    // bin/faultline.js runs dist/cli/main.js, what `npm run build` compiles from cli/main.ts.
    'cli/main.ts!',
    'ingest/normalize-worker.ts!',
    'test/**/*.test.ts',
    'test/ingest/fixtures/*.ts',
    'test/support/hold-store.ts',
    'test/ingest/model/explore-boot.mjs',
    'test/fixtures/**/*.{ts,mjs}',
    'test/dashboards/types-check.ts',
    'bench/**/*.{ts,mjs}',
    'scripts/**/*.{ts,js,mjs}',
  ],
  project: ['{bin,cli,lib,ingest,transform,sql,dashboards}/**/*.{ts,js,mjs}!', '{test,bench,support,scripts}/**/*.{ts,js,mjs}'],
  // Tools the tests and scripts start when present (the C compiler for the mock broker, the JVM and
  // Maven for the real one, Go for the Compose check, apt-get to install them): not npm packages.
  ignoreBinaries: ['gcc', 'go', 'apt-get', 'java', 'mvn'],
  // In production mode an internal module's export that only its unit test uses is fine (tests
  // mirror the modules, test/transform/keys.test.ts -> transform/keys.ts); a barrel's is not.
  ...(production ? { ignoreIssues: { '**/!(index).ts': ['exports', 'types'] } } : {}),
};

export default config;
