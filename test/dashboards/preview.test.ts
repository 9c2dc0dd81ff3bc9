// The HTML preview renders every panel of every dashboard from the synthetic day: charts for
// time series, tables otherwise, no query errors, nothing executable.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseRange } from '../../cli/commands/dashboards.ts';
import { buildDashboards, renderPreview } from '../../dashboards/index.ts';
import { ConfigError } from '../../lib/errors.ts';
import type { Store } from '../../sql/index.ts';
import { DAY_START } from '../support/synthetic-day.ts';
import { openSyntheticDayStore, type SyntheticDayStore } from '../support/synthetic-day-store.ts';

const DB = 'dash_preview';
const dir = mkdtempSync(join(tmpdir(), 'faultline-preview-'));
let store: Store;

let fixture: SyntheticDayStore | undefined;

before(async () => {
  fixture = await openSyntheticDayStore(DB, dir);
  store = fixture.store;
});
after(() => fixture?.close());

test('every panel is rendered with data: SVG charts for time series, tables otherwise', async () => {
  const dashboards = buildDashboards(DB);
  const html = await renderPreview(store, dashboards, {
    atMs: DAY_START + 86_400_000 - 1, rangeMs: 86_400_000 - 1, intervalMs: 600_000, requestId: 'req_spike_600_3',
  });
  const panels = dashboards.flatMap((d) => d.panels);
  for (const p of panels) assert.ok(html.includes(`<h3>${p.title.replace(/&/g, '&#38;')} `), p.title);
  const series = panels.filter((p) => p.type === 'timeseries').length;
  assert.equal(html.match(/<svg /g)?.length, series);
  assert.equal(html.match(/<table>/g)?.length, panels.length - series);
  assert.doesNotMatch(html, /class="error"|class="nodata"/);
  assert.doesNotMatch(html, /<script|https?:\/\//);
  assert.match(html, /req_spike_600_3/);
  // FAULTLINE_PREVIEW_OUT=dashboards/preview/synthetic-day.html npm test -- test/dashboards/preview.test.ts
  if (process.env.FAULTLINE_PREVIEW_OUT) writeFileSync(process.env.FAULTLINE_PREVIEW_OUT, html);
});

test('--range durations', () => {
  assert.equal(parseRange(undefined), 6 * 3_600_000);
  assert.equal(parseRange('30m'), 1_800_000);
  assert.equal(parseRange('7d'), 7 * 86_400_000);
  assert.throws(() => parseRange('6 hours'), ConfigError);
  assert.throws(() => parseRange('0h'), ConfigError);
});
