// Types of the generator's output. Dashboards and panels are typed with @grafana/schema so
// that tsc rejects a malformed one; @grafana/schema leaves targets as Record<string, unknown>,
// so ClickHouseQuery mirrors a grafana-clickhouse-datasource 4.x SQL-editor target
// (src/types/queryBuilder.ts and docs/grafana.md "Panel target").
import type { Dashboard, Panel } from '@grafana/schema';

export const PLUGIN_TYPE = 'grafana-clickhouse-datasource';
/** Always set: without pluginVersion the plugin treats a target as v3 and rewrites it. */
export const PLUGIN_VERSION = '4.20.0';
/** Every panel reads the dashboard's datasource variable (dashboard-linter rule). */
export const DS_VARIABLE = '${datasource}';

/** format/queryType pairs the plugin accepts (pkg/plugin/... Format enum). */
export const FORMATS = {
  timeseries: 0,
  table: 1,
  logs: 2,
} as const;
export type QueryKind = keyof typeof FORMATS;

export interface ClickHouseQuery {
  refId: string;
  datasource: { type: typeof PLUGIN_TYPE; uid: string };
  editorType: 'sql';
  pluginVersion: typeof PLUGIN_VERSION;
  format: (typeof FORMATS)[QueryKind];
  queryType: QueryKind;
  rawSql: string;
  /** Index signature so a ClickHouseQuery is assignable to @grafana/schema's target type. */
  [key: string]: unknown;
}

/** A panel whose targets are ClickHouse queries (Panel['targets'] is loose; this is not). */
export interface ChPanel extends Panel {
  title: string;
  description: string;
  targets: ClickHouseQuery[];
  gridPos: { h: number; w: number; x: number; y: number };
  id: number;
}

export interface ChDashboard extends Dashboard {
  uid: string;
  title: string;
  panels: ChPanel[];
}

/** Table names of the faultline schema, qualified with the configured database. */
export interface Tables {
  db: string;
  events: string;
  rejects: string;
  events1m: string;
  events1h: string;
  failedOffers1m: string;
  rejects1m: string;
  requestIndex: string;
  ingestBatches: string;
  /** Records per minute, topic and format (migration 0008, docs/real-inputs.md §4). */
  formats1m: string;
}

export function tables(db: string): Tables {
  return {
    db,
    events: `${db}.events`,
    rejects: `${db}.rejects`,
    events1m: `${db}.events_1m`,
    events1h: `${db}.events_1h`,
    failedOffers1m: `${db}.failed_offers_1m`,
    rejects1m: `${db}.rejects_1m`,
    requestIndex: `${db}.request_index`,
    ingestBatches: `${db}.ingest_batches`,
    formats1m: `${db}.formats_1m`,
  };
}
