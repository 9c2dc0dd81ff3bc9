// Public surface of dashboards/: the Grafana dashboard and provisioning generator, the alert
// rules and their evaluation, and the plugin's macro expansion.
export { buildArtifacts, buildDashboards, writeArtifacts, staleArtifacts, DEFAULT_DATABASE, type BuildOptions } from './build.ts';
export { alertRules, ALERT_INTERVAL_MS, type AlertRuleDef } from './alert-rules.ts';
export { evaluateRule, evaluateRules, formatResults, firingSeries, alertSql, type RuleResult, type SeriesResult } from './alert-check.ts';
export { expandQuery, applyConditionalAll, applyVariables, applyMacros, intervalSeconds, type MacroContext } from './macros.ts';
export { provisionedRule, datasourceTarget, readonlyUserStatements, DASHBOARDS_MOUNT, READONLY_USER, READONLY_PASSWORD_SETTING } from './provisioning.ts';
export { DATASOURCE_UID, DATASOURCE_NAME } from './panels.ts';
export { tables, PLUGIN_TYPE, PLUGIN_VERSION, type ChDashboard, type ChPanel, type ClickHouseQuery, type Tables } from './types.ts';
export { quotaForecastSql } from './quota-forecast.ts';
export { renderPreview, type PreviewOptions } from './preview.ts';
export { notificationsYaml, groupNotifications, formatGroup, PAGE_RECEIVER, TICKET_RECEIVER, GROUP_BY, TIMING, type NotificationGroup, type NotificationOptions, type FiringSeries } from './notifications.ts';
