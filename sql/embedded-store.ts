// The embedded backend: chDB (the ClickHouse engine in-process). The engine is a process
// singleton with one data directory, so every EmbeddedStore of a process shares one Session
// (reference counted); stores differ only by database, which is how tests isolate themselves.
// Only the async API is used: `query()` would block the event loop (and kafkajs heartbeats).
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Session } from 'chdb';
import { StoreError } from '../lib/errors.ts';
import { checkDatabaseName, runMigrations } from './migrate.ts';
import { toStoreError } from './store-errors.ts';
import type { InsertOptions, PayloadTable, QueryParams, RowPayload, Store } from './store.ts';
import { insertSettings, SESSION_SETTINGS } from './rows.ts';
import { ProtocolError, statementKind } from './http-statement.ts';
import { withStatementSettings } from './statement-settings.ts';

/** chDB refuses a second process on the same directory with code 76; open.ts falls back then. */
export class DataDirLockedError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`chDB data directory ${path} is locked by another process`, { cause });
  }
}

interface Shared {
  dataDir: string;
  path: string;
  session: Session;
  refs: number;
  ready: Promise<void>;
  database: string;
}

let shared: Shared | undefined;

/** Arguments of a raw statement, as the local HTTP endpoint receives them. */
export interface RawQuery {
  sql: string;
  /** Query parameters already decoded from ClickHouse's escaped text form. */
  params?: Record<string, unknown>;
  /** Output format when the statement names none. */
  format?: string;
  /** Default database for unqualified table names. */
  database?: string;
  /**
   * Settings for this statement alone (a write's URL settings: `insert_deduplication_token` of an
   * `INSERT … SELECT`, …): written into its SETTINGS clause (statement-settings.ts).
   */
  settings?: Record<string, string>;
}

export interface RawInsert {
  table: string;
  columns?: string[];
  format: 'JSONEachRow' | 'JSONCompactEachRow' | 'CSV' | 'CSVWithNames' | 'TSV' | 'TabSeparated' | 'TSVWithNames' | 'TabSeparatedWithNames';
  body: Buffer;
  settings?: Record<string, string | number>;
}

/**
 * The pid of another live process holding the engine's data directory, read from the
 * `status` file ClickHouse writes there (`PID: 123`). Checked before opening, because a
 * refused open also prints the engine's own error text on stderr.
 */
function lockHolder(path: string): number | undefined {
  try {
    const m = /^PID:\s*(\d+)/m.exec(readFileSync(join(path, 'status'), 'utf8'));
    const pid = m ? Number(m[1]) : undefined;
    if (pid === undefined || pid === process.pid) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function acquire(dataDir: string): Shared {
  const path = resolve(dataDir, 'clickhouse');
  if (shared?.path !== path && lockHolder(path) !== undefined) throw new DataDirLockedError(dataDir, undefined);
  if (shared && shared.path !== path) {
    throw new StoreError(
      `the embedded store is already open at ${shared.path} in this process; chDB allows one data directory per process ` +
        `(FAULTLINE_DATA=${dataDir})`,
      { retriable: false },
    );
  }
  if (!shared) {
    mkdirSync(path, { recursive: true });
    let session: Session;
    try {
      session = new Session(path);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      if (/Code: 76\b|Cannot lock file/.test(text) || lockHolder(path) !== undefined) throw new DataDirLockedError(dataDir, err);
      throw toStoreError(err, `opening chDB at ${path}`);
    }
    // Same output conventions as the server backend sends per request (rows.ts).
    const sets = Object.entries(SESSION_SETTINGS).map(([k, v]) => `SET ${k} = ${typeof v === 'string' ? `'${v}'` : v}`);
    const s: Shared = { dataDir: resolve(dataDir), path, session, refs: 0, database: 'default', ready: Promise.resolve() };
    s.ready = sets.reduce<Promise<void>>((p, q) => p.then(() => session.queryAsync(q).then(() => undefined)), Promise.resolve());
    shared = s;
  }
  shared.refs++;
  return shared;
}

export class EmbeddedStore implements Store {
  readonly kind = 'embedded' as const;
  private closed = false;

  private constructor(
    private readonly sh: Shared,
    readonly database: string,
    private readonly retentionDays: number,
  ) {}

  /** Open (or share) the process's chDB session under `dataDir`; throws DataDirLockedError when another process holds it. */
  static async open(dataDir: string, database: string, retentionDays: number): Promise<EmbeddedStore> {
    checkDatabaseName(database);
    const sh = acquire(dataDir);
    try {
      await sh.ready;
    } catch (err) {
      throw toStoreError(err, 'configuring the chDB session');
    }
    return new EmbeddedStore(sh, database, retentionDays);
  }

  /** FAULTLINE_DATA, resolved (the engine's files live in its `clickhouse/` folder). */
  get dataDir(): string {
    return this.sh.dataDir;
  }

  private live(): Session {
    if (this.closed) throw new StoreError('the store is closed', { retriable: false });
    return this.sh.session;
  }

  migrate(): Promise<string[]> {
    return runMigrations(this, this.database, this.retentionDays);
  }

  async insertPayload(table: PayloadTable, payload: RowPayload, opts?: InsertOptions): Promise<void> {
    if (payload.rows === 0) return;
    await this.insertRaw({
      table: `${this.database}.${table}`,
      format: payload.format,
      columns: [...payload.columns],
      body: typeof payload.body === 'string' ? Buffer.from(payload.body, 'utf8') : payload.body,
      settings: insertSettings(opts),
    });
  }

  async query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]> {
    const text = await this.run(sql, params, 'JSONEachRow');
    const out: T[] = [];
    for (const line of text.split('\n')) if (line) out.push(JSON.parse(line) as T);
    return out;
  }

  async command(sql: string, params?: QueryParams): Promise<void> {
    await this.run(sql, params, 'TabSeparated');
  }

  private async run(sql: string, params: QueryParams | undefined, format: string): Promise<string> {
    const s = this.live();
    try {
      await this.use(this.database);
      const r =
        params && Object.keys(params).length > 0 ? await s.queryBindAsync(sql, params, { format }) : await s.queryAsync(sql, { format });
      return r.text();
    } catch (err) {
      throw toStoreError(err, 'query');
    }
  }

  /**
   * Make `db` the session's default database for unqualified names. Our own SQL always
   * qualifies names, so switching never changes what a concurrent query of ours reads.
   */
  private async use(db: string): Promise<void> {
    if (db === this.sh.database) return;
    checkDatabaseName(db);
    const exists = await this.sh.session.queryAsync(`SELECT 1 FROM system.databases WHERE name = '${db}'`, { format: 'TabSeparated' });
    if (exists.text().trim() !== '1') return; // not migrated yet: stay where we are
    await this.sh.session.queryAsync(`USE ${db}`);
    this.sh.database = db;
  }

  /** Run one statement and return the engine's bytes (the local HTTP endpoint's path). */
  async execRaw(q: RawQuery): Promise<Buffer> {
    const s = this.live();
    try {
      await this.use(q.database ?? this.database);
      const format = q.format ?? 'TabSeparated';
      const changed = await this.changedSettings(q.settings);
      // Settings in the statement, never SET on the session the run's statements share (statement-settings.ts).
      const sql = changed ? withStatementSettings(q.sql, statementKind(q.sql), changed) : q.sql;
      const r =
        q.params && Object.keys(q.params).length > 0
          ? await s.queryBindAsync(sql, q.params, { format })
          : await s.queryAsync(sql, { format });
      return Buffer.from(r.bytes());
    } catch (err) {
      if (err instanceof ProtocolError) throw err;
      throw toStoreError(err, 'query');
    }
  }

  /**
   * The settings whose values differ from the session's, or undefined when none do: the usual
   * case (a client repeating the session settings with every request) costs one lookup and
   * leaves the statement as it is. Endpoint requests never change the session, so its values
   * are the store's own.
   */
  private async changedSettings(settings: Record<string, string> | undefined): Promise<Record<string, string> | undefined> {
    const names = Object.keys(settings ?? {}).filter((n) => /^[a-z_][a-z0-9_]*$/.test(n));
    if (!settings || names.length === 0) return undefined;
    const now = await this.sh.session.queryBindAsync(
      'SELECT name, value FROM system.settings WHERE name IN {names:Array(String)}',
      { names },
      { format: 'JSONEachRow' },
    );
    const current = new Map<string, string>();
    for (const line of now.text().split('\n')) {
      if (!line) continue;
      const { name, value } = JSON.parse(line) as { name: string; value: string };
      current.set(name, value);
    }
    const changed = names.filter((n) => current.get(n) !== settings[n]);
    return changed.length > 0 ? Object.fromEntries(changed.map((n) => [n, settings[n]!])) : undefined;
  }

  /** Insert a payload in a text format without parsing it in JS (zero-copy into the engine). */
  async insertRaw(ins: RawInsert): Promise<number> {
    const s = this.live();
    try {
      const r = await s.insert({
        table: ins.table,
        values: ins.body,
        format: ins.format,
        ...(ins.columns ? { columns: ins.columns } : {}),
        ...(ins.settings ? { settings: ins.settings } : {}),
      });
      return r.rowsWritten;
    } catch (err) {
      throw toStoreError(err, `insert into ${ins.table}`);
    }
  }

  unretried(): EmbeddedStore {
    return this;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sh.refs--;
    if (this.sh.refs === 0 && shared === this.sh) {
      shared = undefined;
      this.sh.session.close();
    }
  }
}
