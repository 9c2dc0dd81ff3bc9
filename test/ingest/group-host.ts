// Several `faultline run` processes in one consumer group against ONE store, as in production
// against a ClickHouse server. No server binary runs here, so this process hosts a chDB store
// and serves it writable over ClickHouse's HTTP interface (sql/local-endpoint.ts); every child
// reaches it through @clickhouse/client (the server backend, CLICKHOUSE_URL), exactly as it
// would reach a server. The engine stays in this process: killing a child never kills the
// writer of an insert, as with a real server.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStore, type ServedStore, type Store } from '../../sql/index.ts';
import { testStore, type TestStore } from '../support/stores.ts';
import { startRun, type RunChild } from './run-child.ts';

export interface GroupHost {
  ts: TestStore;
  store: Store;
  db: string;
  served: ServedStore;
  /** Start one group member: `faultline run` against the served store, on its own data directory. */
  member(env: Record<string, string>, args?: string[]): RunChild;
  /** Kill every member still running (SIGKILL), stop serving, drop the database. */
  close(): Promise<void>;
}

export async function hostGroupStore(prefix: string): Promise<GroupHost> {
  const ts = await testStore(prefix);
  const token = randomBytes(12).toString('hex');
  const served = await serveStore(ts.store, { readonly: false, token, advertise: false });
  const children: RunChild[] = [];
  const dirs: string[] = [];
  return {
    ts,
    store: ts.store,
    db: ts.db,
    served,
    member(env, args = []) {
      const dir = mkdtempSync(join(tmpdir(), 'faultline-member-'));
      dirs.push(dir);
      const child = startRun(
        {
          CLICKHOUSE_URL: served.url,
          CLICKHOUSE_USER: 'faultline',
          CLICKHOUSE_PASSWORD: token,
          CLICKHOUSE_DATABASE: ts.db,
          FAULTLINE_DATA: dir,
          FAULTLINE_METRICS_PORT: '0',
          ...env,
        },
        args,
      );
      children.push(child);
      return child;
    },
    async close() {
      for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.kill('SIGKILL');
      await Promise.all(children.map((c) => c.exited));
      await served.close();
      await ts.cleanup();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}
