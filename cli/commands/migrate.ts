// `faultline migrate`: apply the pending sql/migrations/*.sql files in order (idempotent).
import { loadConfig } from '../../lib/config.ts';
import { openStore } from '../../sql/index.ts';
import type { Command } from '../main.ts';
import { parseFlags } from '../args.ts';

export const command: Command = {
  summary: 'Create or update the ClickHouse schema (idempotent)',
  help: `Usage: faultline migrate [--database NAME] [--retention-days N]

Applies the pending sql/migrations/NNNN_*.sql files in order, in database
CLICKHOUSE_DATABASE (default faultline). A schema_migrations table records
what ran, so running it again applies nothing.

Store: the ClickHouse server at CLICKHOUSE_URL, else embedded chDB under
FAULTLINE_DATA (default ./var/faultline).

Flags:
  --database NAME       overrides CLICKHOUSE_DATABASE
  --retention-days N    overrides FAULTLINE_RETENTION_DAYS (TTL of raw events and rejects; 0: no TTL)
`,
  async run(argv) {
    const { values } = parseFlags(argv, { database: { type: 'string' }, 'retention-days': { type: 'string' } });
    const config = loadConfig(process.env, {
      CLICKHOUSE_DATABASE: values.database as string | undefined,
      FAULTLINE_RETENTION_DAYS: values['retention-days'] as string | undefined,
    });
    const store = await openStore(config, { fallbackToEndpoint: false });
    try {
      const applied = await store.migrate();
      const where = store.kind === 'server' ? config.CLICKHOUSE_URL : `${config.FAULTLINE_DATA} (embedded)`;
      process.stdout.write(applied.length
        ? `applied ${applied.length} migration(s) to ${config.CLICKHOUSE_DATABASE} at ${where}: ${applied.join(', ')}\n`
        : `${config.CLICKHOUSE_DATABASE} at ${where} is up to date\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
