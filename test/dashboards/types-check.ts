// Compile-time proof (checked by `npx tsc --noEmit -p .`, not run): the generator's output
// types reject malformed dashboards, panels and targets. Each @ts-expect-error line must be an
// error; if a type loosened so that it compiled, tsc would fail on the unused directive.
import type { ChDashboard, ChPanel, ClickHouseQuery } from '../../dashboards/types.ts';
import { target } from '../../dashboards/panels.ts';

const good: ClickHouseQuery = target('SELECT 1', 'table');

// @ts-expect-error a target needs the plugin's datasource type, not any string
export const wrongType: ClickHouseQuery = { ...good, datasource: { type: 'prometheus', uid: '${datasource}' } };
// @ts-expect-error format must be 0, 1 or 2
export const wrongFormat: ClickHouseQuery = { ...good, format: 7 };
// @ts-expect-error pluginVersion is pinned
export const wrongVersion: ClickHouseQuery = { ...good, pluginVersion: '3.0.0' };
// @ts-expect-error a panel needs a title, a description and typed targets
export const noTitle: ChPanel = { type: 'table', description: 'd', targets: [good], gridPos: { h: 1, w: 1, x: 0, y: 0 }, id: 1 };
// @ts-expect-error @grafana/schema's Panel requires `type`
export const noType: ChPanel = { title: 't', description: 'd', targets: [good], gridPos: { h: 1, w: 1, x: 0, y: 0 }, id: 1 };
// @ts-expect-error @grafana/schema's Dashboard requires schemaVersion
export const noSchema: ChDashboard = { uid: 'u', title: 't', panels: [] };
export const badVariable: ChDashboard = {
  uid: 'u',
  title: 't',
  panels: [],
  schemaVersion: 39,
  // @ts-expect-error variables must be @grafana/schema VariableModels (refresh is an enum 0|1|2)
  templating: { list: [{ type: 'query', name: 'x', refresh: 'often' }] },
};
