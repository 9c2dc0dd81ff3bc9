// The server backend: @clickhouse/client over ClickHouse's HTTP interface. Transient faults
// (5xx without a ClickHouse code, connection reset/refused, timeouts, overload codes) are
// retried through lib/retry.ts (exponential backoff, full jitter; classified by
// store-errors.ts), unless the caller owns the retries (`unretried()`); bad data and bad SQL are not. Inserts are
// made idempotent across retries by an insert-deduplication token (the caller's, or one per
// call), so a retried insert whose first attempt did land is dropped by ClickHouse.
import { randomUUID } from 'node:crypto';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { StoreError } from '../lib/errors.ts';
import { checkDatabaseName, runMigrations } from './migrate.ts';
import { insertSettings, SESSION_SETTINGS } from './rows.ts';
import { classifyStoreError, toStoreError } from './store-errors.ts';
import { retry, type BackoffPolicy } from '../lib/retry.ts';
import type { InsertOptions, PayloadTable, QueryParams, RowPayload, Store } from './store.ts';

export interface RetryPolicy {
  /** Retries after the first attempt (0: no retry). */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ServerStoreOptions {
  url: string;
  username?: string;
  password?: string;
  database: string;
  retentionDays: number;
  /** Migrate as a cluster (sql/cluster.ts): ON CLUSTER, Replicated engines, Distributed tables. */
  cluster?: string | undefined;
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Called before each retry (logging, tests). */
  onRetry?: (err: StoreError, attempt: number, delayMs: number) => void;
}

const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 100, maxDelayMs: 5000 };

/** The server store's policy in the terms of the one retry loop (lib/retry.ts). */
function backoffOf(p: RetryPolicy): BackoffPolicy {
  return { initialMs: p.baseDelayMs, maxMs: p.maxDelayMs, permanentAttempts: 1, maxAttempts: p.retries + 1 };
}

export class ServerStore implements Store {
  readonly kind = 'server' as const;
  private readonly client: ClickHouseClient;
  private readonly policy: RetryPolicy;
  readonly database: string;

  constructor(private readonly opts: ServerStoreOptions) {
    this.database = checkDatabaseName(opts.database);
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    // The database is the default for unqualified names (`faultline sql "SELECT … FROM events"`).
    this.client = this.makeClient(this.database);
  }

  private makeClient(database: string | undefined): ClickHouseClient {
    return createClient({
      url: this.opts.url,
      username: this.opts.username ?? 'default',
      password: this.opts.password ?? '',
      ...(database ? { database } : {}),
      request_timeout: this.opts.requestTimeoutMs ?? 60_000,
      compression: { request: false, response: false },
      clickhouse_settings: { ...SESSION_SETTINGS },
      application: 'faultline',
      // Errors reach the caller as StoreErrors; the client's own stderr logging would duplicate them.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  /**
   * The owner of retries for callers that have none of their own (the CLI's statements,
   * migrations); `unretried()` gives the sink, which owns its retries, one attempt per call.
   */
  private retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return retry(
      what,
      async () => {
        try {
          return await fn();
        } catch (err) {
          throw toStoreError(err, what);
        }
      },
      {
        policy: backoffOf(this.policy),
        classify: classifyStoreError,
        onFailure: (a) => {
          if (!a.giveUp) this.opts.onRetry?.(a.err as StoreError, a.attempt, a.delayMs);
        },
      },
    );
  }

  /** This store making one attempt per call, for a caller that owns the retries of its path (the sink). */
  unretried(): ServerStore {
    if (this.policy.retries === 0) return this;
    // A view sharing this store's client (the caller never closes it apart).
    const view = Object.create(this) as ServerStore;
    Object.defineProperty(view, 'policy', { value: { ...this.policy, retries: 0 } });
    return view;
  }

  /** True when the server answers /ping. */
  async ping(): Promise<boolean> {
    const r = await this.client.ping();
    return r.success;
  }

  async migrate(): Promise<string[]> {
    // The main client names the database in every request, which fails while it does not exist.
    const boot = this.makeClient(undefined);
    try {
      await this.retry('create database', () => boot.command({ query: `CREATE DATABASE IF NOT EXISTS ${this.database}` }));
    } finally {
      await boot.close();
    }
    return runMigrations(this, this.database, this.opts.retentionDays, this.opts.cluster);
  }

  async insertPayload(table: PayloadTable, payload: RowPayload, opts?: InsertOptions): Promise<void> {
    if (payload.rows === 0) return;
    // Table and column names are spliced into the statement: identifiers only.
    if (!/^(events|rejects)(_local)?$/.test(table) || !payload.columns.every((c) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(c))) {
      throw new StoreError(`invalid insert target ${table} (${payload.columns.join(', ')})`, { retriable: false });
    }
    const settings = insertSettings({ dedupToken: opts?.dedupToken ?? `faultline:${randomUUID()}` });
    await this.retry(`insert into ${this.database}.${table}`, async () => {
      // The text goes out as it is, after the statement in the request body (the client's
      // insert() would JSON-encode every chunk of a stream again for JSON formats).
      await this.client.command({
        query:
          `INSERT INTO ${this.database}.${table} (${payload.columns.join(', ')}) FORMAT ` +
          `${payload.format}\n${typeof payload.body === 'string' ? payload.body : payload.body.toString('utf8')}`,
        clickhouse_settings: { ...SESSION_SETTINGS, ...settings },
      });
    });
  }

  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]> {
    return this.retry('query', async () => {
      const rs = await this.client.query({ query: sql, format: 'JSONEachRow', ...(params ? { query_params: params } : {}) });
      return rs.json<T>();
    });
  }

  command(sql: string, params?: QueryParams): Promise<void> {
    return this.retry('command', async () => {
      await this.client.command({ query: sql, ...(params ? { query_params: params } : {}) });
    });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
