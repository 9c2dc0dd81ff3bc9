// Everything `faultline dashboards build` writes, as relative path -> file content, so the
// CLI, the sync test (committed dashboards/generated and dashboards/provisioning equal a
// fresh build) and the SQL proofs share one source.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { alertRules } from './alert-rules.ts';
import { errorRates } from './error-rates.ts';
import { pipelineHealth } from './pipeline-health.ts';
import { notificationsYaml, type NotificationOptions } from './notifications.ts';
import { alertRulesYaml, dashboardProviderYaml, datasourceTarget, datasourceYaml } from './provisioning.ts';
import { quota } from './quota.ts';
import { requestLookup } from './request-lookup.ts';
import { type ChDashboard, tables } from './types.ts';
import { vendorFailures } from './vendor-failures.ts';

const DEFAULT_DATABASE = 'faultline';

export function buildDashboards(database = DEFAULT_DATABASE, o: { quotaTz?: string } = {}): ChDashboard[] {
  const t = tables(database);
  return [errorRates(t), quota(t, o.quotaTz ?? 'UTC'), vendorFailures(t), requestLookup(t), pipelineHealth(t)];
}

export interface BuildOptions {
  database?: string;
  /** CLICKHOUSE_URL of the deployment (host/port of the datasource); unset: compose service. */
  clickhouseUrl?: string | undefined;
  /** FAULTLINE_QUOTA_TZ: the quota day's time zone (quota forecast panel and rule). */
  quotaTz?: string;
  /** Which receivers the contact points get (FAULTLINE_ALERT_SLACK_URL set, FAULTLINE_ALERT_EMAILS). */
  notifications?: NotificationOptions;
}

/** Relative path (under the output dir) -> content. */
export function buildArtifacts(opts: BuildOptions = {}): Map<string, string> {
  const db = opts.database ?? DEFAULT_DATABASE;
  const out = new Map<string, string>();
  for (const d of buildDashboards(db, { quotaTz: opts.quotaTz ?? 'UTC' }))
    out.set(`generated/${d.uid}.json`, `${JSON.stringify(d, null, 2)}\n`);
  out.set('provisioning/datasources/faultline.yaml', datasourceYaml(datasourceTarget(opts.clickhouseUrl, db)));
  out.set('provisioning/dashboards/faultline.yaml', dashboardProviderYaml());
  out.set('provisioning/alerting/faultline.yaml', alertRulesYaml(alertRules(tables(db), { quotaTz: opts.quotaTz ?? 'UTC' })));
  out.set('provisioning/alerting/notifications.yaml', notificationsYaml(opts.notifications));
  return out;
}

export function writeArtifacts(outDir: string, artifacts: Map<string, string>): string[] {
  const written: string[] = [];
  for (const [rel, content] of artifacts) {
    const path = join(outDir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    written.push(path);
  }
  return written;
}

/** Paths under outDir whose content differs from the artifacts (missing files included). */
export function staleArtifacts(outDir: string, artifacts: Map<string, string>): string[] {
  const stale: string[] = [];
  for (const [rel, content] of artifacts) {
    let current: string | undefined;
    try {
      current = readFileSync(join(outDir, rel), 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== content) stale.push(rel);
  }
  return stale;
}
