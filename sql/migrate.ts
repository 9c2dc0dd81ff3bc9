// Schema migrations shared by both backends: the ordered `sql/migrations/NNNN_*.sql` files,
// with `${db}` and `${retention_days}` substituted (retention 0: the `TTL … ${retention_days} DAY`
// lines are left out, rows are kept until deleted by hand), applied one statement at a time. A
// `schema_migrations` table in the target database records what ran, so a second run is a
// no-op and a crash between files resumes at the first missing one.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { ConfigError } from '../lib/errors.ts';
import { clusterLedger, clusterStatements } from './cluster.ts';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const DB_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface Migration {
  name: string;
  statements: string[];
  checksum: string;
}

/** The subset of a store migrate needs (so both backends share this code). */
export interface MigrationTarget {
  command(sql: string): Promise<void>;
  query<T>(sql: string, params?: Record<string, string>): Promise<T[]>;
}

/** A database name is spliced into DDL (identifiers cannot be query parameters): validate it. */
export function checkDatabaseName(db: string): string {
  if (!DB_NAME.test(db)) {
    throw new ConfigError(`invalid CLICKHOUSE_DATABASE=${JSON.stringify(db)}: letters, digits and _ only, not starting with a digit`);
  }
  return db;
}

/**
 * Split a SQL script into statements on `;` outside quotes and comments, dropping comments.
 * Enough for our DDL files; not a general SQL lexer.
 */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  while (i < script.length) {
    const c = script[i]!;
    if (c === '-' && script[i + 1] === '-') {
      while (i < script.length && script[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && script[i + 1] === '*') {
      const end = script.indexOf('*/', i + 2);
      i = end < 0 ? script.length : end + 2;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < script.length && script[j] !== c) j += script[j] === '\\' ? 2 : 1;
      cur += script.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      i++;
      continue;
    }
    cur += c;
    i++;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** A table's TTL clause stands on a line of its own, `TTL <expr> + INTERVAL ${retention_days} DAY`. */
const TTL_LINE = /^TTL [^\n]*\$\{retention_days\} DAY\n/gm;

/**
 * Retention 0 keeps rows forever: the TTL lines go. Any other value leaves the text as it
 * was, so the checksums recorded by earlier migrations stay the same.
 */
function withRetention(text: string, retentionDays: number): string {
  return retentionDays === 0 ? text.replace(TTL_LINE, '') : text;
}

/**
 * Read the migration files in name order, placeholders substituted; for a `cluster`, each
 * statement in its cluster form (sql/cluster.ts). The checksum is the file's, either way.
 */
export function loadMigrations(db: string, retentionDays: number, cluster?: string): Migration[] {
  checkDatabaseName(db);
  if (!Number.isInteger(retentionDays) || retentionDays < 0) {
    throw new ConfigError(
      `invalid FAULTLINE_RETENTION_DAYS=${retentionDays}: expected a whole number of days >= 1, or 0 to keep rows forever`,
    );
  }
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  const tables = new Set<string>();
  return files.map((name) => {
    const text = withRetention(readFileSync(new URL(name, MIGRATIONS_DIR), 'utf8'), retentionDays)
      .replaceAll('${db}', db)
      .replaceAll('${retention_days}', String(retentionDays));
    const leftover = /\$\{[a-z_]+\}/.exec(text);
    if (leftover) throw new Error(`migration ${name} has an unknown placeholder ${leftover[0]}`);
    return {
      name: name.replace(/\.sql$/, ''),
      statements: cluster ? clusterStatements(splitStatements(text), db, cluster, tables) : splitStatements(text),
      checksum: createHash('sha256').update(text).digest('hex').slice(0, 16),
    };
  });
}

function ledgerStatements(db: string, cluster?: string): string[] {
  if (cluster) return clusterLedger(db, cluster);
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}`,
    `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations
       (name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
       ENGINE = MergeTree ORDER BY name`,
  ];
}

/**
 * Every statement `faultline migrate` would run on an empty store, in order, without touching
 * any store (`faultline migrate --dry-run`): the ledger first, then each file's statements.
 */
export function migrationPlan(db: string, retentionDays: number, cluster?: string): { name: string; statements: string[] }[] {
  checkDatabaseName(db);
  return [{ name: 'schema_migrations', statements: ledgerStatements(db, cluster) }, ...loadMigrations(db, retentionDays, cluster)];
}

/** Names recorded in `db.schema_migrations`; undefined when that table (or the database) does not exist yet. */
async function appliedNames(target: MigrationTarget, db: string): Promise<Set<string> | undefined> {
  const exists = await target.query<{ n: number }>(
    `SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = 'schema_migrations'`,
    { db },
  );
  if (Number(exists[0]?.n ?? 0) === 0) return undefined;
  return new Set((await target.query<{ name: string }>(`SELECT name FROM ${db}.schema_migrations`)).map((r) => r.name));
}

/**
 * Apply pending migrations; returns the names applied now. `schema_migrations` is read first:
 * on an up-to-date store this is two SELECTs and no DDL at all (startup used to re-run the
 * bookkeeping DDL every time, which costs seconds on a loaded engine).
 */
export async function runMigrations(target: MigrationTarget, db: string, retentionDays: number, cluster?: string): Promise<string[]> {
  const migrations = loadMigrations(db, retentionDays, cluster);
  let done = await appliedNames(target, db);
  if (done && migrations.every((m) => done!.has(m.name))) return [];
  if (!done) {
    for (const stmt of ledgerStatements(db, cluster)) await target.command(stmt);
    // Another process may have created it and applied files in between: read again.
    done = (await appliedNames(target, db)) ?? new Set();
  }
  const applied: string[] = [];
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    // Every statement is idempotent (IF NOT EXISTS), so a file interrupted half-way re-runs cleanly.
    for (const stmt of m.statements) await target.command(stmt);
    await target.command(`INSERT INTO ${db}.schema_migrations (name, checksum) VALUES ('${m.name}', '${m.checksum}')`);
    applied.push(m.name);
  }
  return applied;
}
