// Public surface of dashboards/, what other folders use: the Grafana dashboard and provisioning
// generator, the alert rules and their evaluation, the preview. Tests import the modules themselves.
export { buildArtifacts, buildDashboards, writeArtifacts, staleArtifacts } from './build.ts';
export { alertRules } from './alert-rules.ts';
export { evaluateRules, formatResults, firingSeries } from './alert-check.ts';
export { expandQuery } from './macros.ts';
export { readonlyUserStatements, READONLY_USER } from './provisioning.ts';
export { tables, type ChPanel } from './types.ts';
export { quotaForecastSql } from './quota-forecast.ts';
export { renderPreview } from './preview.ts';
export { groupNotifications } from './notifications.ts';
