// `faultline migrate`: apply the pending sql/migrations/*.sql files in order (idempotent).
import { loadConfig } from '../../lib/config.ts';
import { ensureRedactionKey, migrationPlan, openStore } from '../../sql/index.ts';
import type { Command } from '../command.ts';
import { parseFlags } from '../args.ts';

export const command: Command = {
  summary: 'Create or update the ClickHouse schema (idempotent)',
  help: `Usage: faultline migrate [--database NAME] [--retention-days N] [--cluster NAME] [--dry-run]

Applies the pending sql/migrations/NNNN_*.sql files in order, in database
CLICKHOUSE_DATABASE (default faultline). A schema_migrations table records
what ran, so running it again applies nothing. Creates the installation's
redaction key once (docs/secrets.md §4; never printed), unless one exists.

Store: the ClickHouse server at CLICKHOUSE_URL, else embedded chDB under
FAULTLINE_DATA (default ./var/faultline).

Flags:
  --database NAME       overrides CLICKHOUSE_DATABASE
  --retention-days N    overrides FAULTLINE_RETENTION_DAYS (TTL of raw events and rejects; 0: no TTL)
  --cluster NAME        overrides CLICKHOUSE_CLUSTER: create every table ON CLUSTER NAME as
                        <table>_local (Replicated engines under the {shard} and {replica}
                        macros) with a Distributed table of the plain name over it
                        (docs/scaling.md); needs a ClickHouse server
  --dry-run             print every statement a migration of an empty store would run, in
                        order, and touch no store
`,
  async run(argv) {
    const { values } = parseFlags(argv, {
      database: { type: 'string' },
      'retention-days': { type: 'string' },
      cluster: { type: 'string' },
      'dry-run': { type: 'boolean' },
    });
    const config = loadConfig(process.env, {
      CLICKHOUSE_DATABASE: values.database,
      FAULTLINE_RETENTION_DAYS: values['retention-days'],
      CLICKHOUSE_CLUSTER: values.cluster,
    });
    if (values['dry-run']) {
      for (const m of migrationPlan(config.CLICKHOUSE_DATABASE, config.FAULTLINE_RETENTION_DAYS, config.CLICKHOUSE_CLUSTER)) {
        process.stdout.write(`-- ${m.name}\n${m.statements.map((s) => `${s};\n`).join('\n')}\n`);
      }
      return 0;
    }
    const store = await openStore(config, { fallbackToEndpoint: false });
    try {
      const applied = await store.migrate();
      // The installation's redaction key (docs/secrets.md §4): made once, never printed.
      await ensureRedactionKey(store, config.CLICKHOUSE_DATABASE);
      const where = store.kind === 'server' ? config.CLICKHOUSE_URL : `${config.FAULTLINE_DATA} (embedded)`;
      process.stdout.write(
        applied.length
          ? `applied ${applied.length} migration(s) to ${config.CLICKHOUSE_DATABASE} at ${where}: ${applied.join(', ')}\n`
          : `${config.CLICKHOUSE_DATABASE} at ${where} is up to date\n`,
      );
      return 0;
    } finally {
      await store.close();
    }
  },
};
