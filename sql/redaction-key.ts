// The installation's redaction key (docs/secrets.md §4), kept in `${db}.installation`
// (sql/migrations/0009_installation.sql): created once by `faultline migrate` (and by the
// migrations `faultline run` applies), 32 random bytes as hex. Never logged or printed: callers
// hand it to normalize() and nothing else.
import { randomBytes } from 'node:crypto';
import { checkDatabaseName } from './migrate.ts';
import type { Store } from './store.ts';

const NAME = 'redaction_key';

/** The stored key, or '' when there is none yet. */
export async function readRedactionKey(store: Pick<Store, 'query'>, db: string): Promise<string> {
  checkDatabaseName(db);
  // Two racing migrates may both insert a key: the oldest row wins, for every process, forever.
  const rows = await store.query<{ value: string }>(
    `SELECT value FROM ${db}.installation WHERE name = {name:String} ORDER BY created_at ASC, value ASC LIMIT 1`,
    { name: NAME },
  );
  return rows[0]?.value ?? '';
}

/** The stored key, created when missing (an old store gets one at its next migrate). */
export async function ensureRedactionKey(store: Pick<Store, 'query' | 'command'>, db: string): Promise<string> {
  const have = await readRedactionKey(store, db);
  if (have !== '') return have;
  await store.command(`INSERT INTO ${db}.installation (name, value) VALUES ({name:String}, {value:String})`, {
    name: NAME,
    value: randomBytes(32).toString('hex'),
  });
  return readRedactionKey(store, db);
}
