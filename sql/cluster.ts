// The cluster form of the migrations (`faultline migrate --cluster NAME`, CLICKHOUSE_CLUSTER):
// the same sql/migrations files, rewritten statement by statement for a ClickHouse cluster of
// shards and replicas, following ClickHouse's documented layout
// (https://clickhouse.com/docs/engines/table-engines/mergetree-family/replication,
// https://clickhouse.com/docs/engines/table-engines/special/distributed,
// https://clickhouse.com/docs/sql-reference/distributed-ddl):
//
// - every table is created on every node (`ON CLUSTER`) as `<name>_local`, with the Replicated
//   variant of its engine under the `{shard}` and `{replica}` macros each server defines, and
//   `replicated_deduplication_window` in place of `non_replicated_deduplication_window` (same
//   size: the window a retried insert is recognised in);
// - a `Distributed` table over it keeps the plain name, so dashboards, alerts, `trace`, `sql`
//   and `status` read exactly the tables they read on one node; the events, rejects and ledger
//   tables shard by (topic, partition), so one Kafka partition's rows live on one shard;
// - materialized views run on every node, from the local source into the local target, so the
//   rollups and the request index are fed where the events land;
// - ALTERs go to the local tables; a new column is added to the Distributed table as well.
//
// Only our own migration files pass through here: the rewriting knows their statement forms
// (CREATE TABLE, CREATE MATERIALIZED VIEW … TO, ALTER TABLE) and refuses anything else, so a
// new form is noticed by the test that rewrites every file, not in production.
import { ConfigError } from '../lib/errors.ts';

const CLUSTER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Tables holding one row per Kafka record or flush: sharded by their partition, so a partition stays on one shard. */
const BY_PARTITION = new Set(['events', 'rejects', 'ingest_batches']);

/** A cluster name is spliced into DDL (as a quoted identifier): validate it. */
function checkClusterName(cluster: string): string {
  if (!CLUSTER_NAME.test(cluster)) {
    throw new ConfigError(
      `invalid CLICKHOUSE_CLUSTER=${JSON.stringify(cluster)}: letters, digits, _ . and - only, not starting with a digit`,
    );
  }
  return cluster;
}

const CREATE_TABLE = /^CREATE TABLE IF NOT EXISTS (\w+)\.(\w+)(\s*\()/;
const CREATE_VIEW = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+)\.(\w+) TO (\w+)\.(\w+) AS\b/;
const ALTER_TABLE = /^ALTER TABLE (\w+)\.(\w+) /;
const ENGINE = /\bENGINE = (Summing|Aggregating|Replacing)?MergeTree(\(([^()]|\([^()]*\))*\))?/;

function zkPath(db: string, table: string): string {
  return `'/clickhouse/tables/{shard}/${db}/${table}'`;
}

function replicatedEngine(stmt: string, db: string, local: string): string {
  const m = ENGINE.exec(stmt);
  if (!m) throw new Error(`cluster migrations: no MergeTree engine in ${stmt.slice(0, 80)}…`);
  const kind = m[1] ?? '';
  const args = m[2] ? m[2].slice(1, -1).trim() : '';
  const all = [zkPath(db, local), "'{replica}'", ...(args ? [args] : [])].join(', ');
  return stmt
    .replace(ENGINE, `ENGINE = Replicated${kind}MergeTree(${all})`)
    .replaceAll('non_replicated_deduplication_window', 'replicated_deduplication_window');
}

/** Every `db.table` naming one of `tables` becomes `db.table_local`. */
function toLocal(sql: string, db: string, tables: ReadonlySet<string>): string {
  return sql.replace(new RegExp(`\\b${db}\\.(\\w+)\\b`, 'g'), (whole, t: string) => (tables.has(t) ? `${db}.${t}_local` : whole));
}

/** The statements that create database `db` and its migrations ledger on every node. */
export function clusterLedger(db: string, cluster: string): string[] {
  checkClusterName(cluster);
  return [
    `CREATE DATABASE IF NOT EXISTS ${db} ON CLUSTER '${cluster}'`,
    // One ledger for the whole cluster (no {shard} in its path): every node agrees on what ran.
    `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations ON CLUSTER '${cluster}'
       (name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
       ENGINE = ReplicatedMergeTree('/clickhouse/tables/${db}/schema_migrations', '{replica}') ORDER BY name`,
  ];
}

/**
 * Rewrite one migration's statements for `cluster`. `tables` collects the tables created so
 * far (earlier files), so views and ALTERs of later files find their local names.
 */
export function clusterStatements(statements: readonly string[], db: string, cluster: string, tables: Set<string>): string[] {
  checkClusterName(cluster);
  const on = `ON CLUSTER '${cluster}'`;
  const out: string[] = [];
  for (const stmt of statements) {
    const table = CREATE_TABLE.exec(stmt);
    const view = CREATE_VIEW.exec(stmt);
    const alter = ALTER_TABLE.exec(stmt);
    if (table && table[1] === db) {
      const name = table[2]!;
      const local = `${name}_local`;
      tables.add(name);
      out.push(replicatedEngine(stmt.replace(CREATE_TABLE, `CREATE TABLE IF NOT EXISTS ${db}.${local} ${on}$3`), db, local));
      const key = BY_PARTITION.has(name) ? 'cityHash64(topic, partition)' : 'rand()';
      out.push(
        `CREATE TABLE IF NOT EXISTS ${db}.${name} ${on} AS ${db}.${local} ENGINE = Distributed('${cluster}', ${db}, ${local}, ${key})`,
      );
    } else if (view && view[1] === db && view[3] === db) {
      const head = `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${view[2]} ${on} TO ${db}.${view[4]}_local AS`;
      out.push(head + toLocal(stmt.slice(view[0].length), db, tables));
    } else if (alter && alter[1] === db && tables.has(alter[2]!)) {
      const rest = stmt.slice(alter[0].length);
      out.push(`ALTER TABLE ${db}.${alter[2]}_local ${on} ${rest}`);
      // The Distributed table must know a new column to read it; indexes and codecs live on the shards.
      if (/^ADD COLUMN\b/.test(rest)) out.push(`ALTER TABLE ${db}.${alter[2]} ${on} ${rest}`);
    } else {
      throw new Error(`cluster migrations: no cluster form for the statement ${stmt.slice(0, 120)}…`);
    }
  }
  return out;
}
