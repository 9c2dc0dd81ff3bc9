// Store fault injection for the ingest tests: wraps a real (chDB) store and, on demand, fails
// every call as an unavailable ClickHouse would (`down`), or performs an insert and then
// throws as if the acknowledgement was lost on the way back (`loseAcks`) — the case only the
// dedup tokens can make safe.
import { StoreError } from '../../lib/errors.ts';
import type { InsertOptions, QueryParams, RowPayload, Store } from '../../sql/store.ts';

export class FaultyStore implements Store {
  down = false;
  /** The next N inserts are applied, then reported as failed. */
  loseAcks = 0;
  failures = 0;
  inserts = 0;

  constructor(private readonly inner: Store) {}

  get kind() {
    return this.inner.kind;
  }

  get database() {
    return this.inner.database;
  }

  private check(what: string): void {
    if (this.down) {
      this.failures++;
      throw new StoreError(`${what} failed: connect ECONNREFUSED (injected)`, { retriable: true });
    }
  }

  private async insert(what: string, fn: () => Promise<void>): Promise<void> {
    this.check(what);
    await fn();
    this.inserts++;
    if (this.loseAcks > 0) {
      this.loseAcks--;
      this.failures++;
      throw new StoreError(`${what}: socket hang up after the insert (injected lost acknowledgement)`, { retriable: true });
    }
  }

  migrate(): Promise<string[]> {
    return this.inner.migrate();
  }
  insertPayload(table: 'events' | 'rejects', payload: RowPayload, opts?: InsertOptions): Promise<void> {
    return this.insert(`insert ${table}`, () => this.inner.insertPayload(table, payload, opts));
  }
  async query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]> {
    this.check('query');
    return this.inner.query<T>(sql, params);
  }
  async command(sql: string, params?: QueryParams): Promise<void> {
    if (/^\s*INSERT/i.test(sql)) return this.insert('command insert', () => this.inner.command(sql, params));
    this.check('command');
    return this.inner.command(sql, params);
  }
  unretried(): FaultyStore {
    return this;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
