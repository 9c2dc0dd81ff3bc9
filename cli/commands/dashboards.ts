// `faultline dashboards build [--out DIR] [--check]`: write the Grafana dashboards JSON and the
// provisioning files (datasource, dashboard provider, alert rules) generated from dashboards/*.ts.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { buildArtifacts, staleArtifacts, writeArtifacts } from '../../dashboards/index.ts';
import type { Command } from '../main.ts';
import { parseFlags } from '../args.ts';

const REPO_DASHBOARDS = fileURLToPath(new URL('../../dashboards/', import.meta.url));

export const command: Command = {
  summary: 'Generate the Grafana dashboards, datasource, dashboard provider and alert rules',
  help: `Usage: faultline dashboards build [--out DIR] [--database NAME] [--check]

Writes, under DIR (default: the repository's dashboards/ folder):
  generated/<uid>.json                    five dashboards (error rates, quota exhaustion,
                                          vendor failures, request lookup, pipeline health)
  provisioning/datasources/faultline.yaml grafana-clickhouse-datasource, read-only user,
                                          password from Grafana's $CLICKHOUSE_PASSWORD
  provisioning/dashboards/faultline.yaml  file provider reading ${'/var/lib/grafana/dashboards/faultline'}
  provisioning/alerting/faultline.yaml    alert rules (evaluate them here: faultline alerts check)
  provisioning/readonly-user.sql          the read-only ClickHouse user to create

Mount generated/ at /var/lib/grafana/dashboards/faultline and provisioning/ at
/etc/grafana/provisioning. Table names in the SQL are qualified with the database
(CLICKHOUSE_DATABASE, default faultline); the datasource host comes from CLICKHOUSE_URL
(unset: the compose service clickhouse:8123).

Flags:
  --out DIR         output directory (default: dashboards/ of this checkout)
  --database NAME   overrides CLICKHOUSE_DATABASE
  --check           write nothing; exit 1 when a file under DIR differs from a fresh build
`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      out: { type: 'string' },
      database: { type: 'string' },
      check: { type: 'boolean' },
    }, true);
    const [sub, ...extra] = positionals;
    if (sub !== 'build' || extra.length > 0) {
      throw new ConfigError(`expected the subcommand 'build' (got ${sub === undefined ? 'nothing' : `'${positionals.join(' ')}'`}): faultline dashboards build [--out DIR]`);
    }
    const config = loadConfig(process.env, { CLICKHOUSE_DATABASE: values.database as string | undefined });
    const out = resolve((values.out as string | undefined) ?? REPO_DASHBOARDS);
    const artifacts = buildArtifacts({ database: config.CLICKHOUSE_DATABASE, clickhouseUrl: config.CLICKHOUSE_URL });
    if (values.check) {
      const stale = staleArtifacts(out, artifacts);
      if (stale.length > 0) {
        process.stderr.write(`out of date under ${out}: ${stale.join(', ')} (run: faultline dashboards build)\n`);
        return 1;
      }
      process.stdout.write(`${artifacts.size} files under ${out} are up to date\n`);
      return 0;
    }
    const written = writeArtifacts(out, artifacts);
    process.stdout.write(`wrote ${written.length} files under ${out} (database ${config.CLICKHOUSE_DATABASE})\n`);
    return 0;
  },
};
