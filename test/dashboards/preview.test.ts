// The HTML preview renders every panel of every dashboard from the synthetic day: charts for
// time series, tables otherwise, no query errors, nothing executable.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { parseRange } from '../../cli/commands/dashboards.ts';
import { buildDashboards, renderPreview } from '../../dashboards/index.ts';
import { formatValue } from '../../dashboards/units.ts';
import { ConfigError } from '../../lib/errors.ts';
import type { Store } from '../../sql/index.ts';
import { DAY_START } from '../support/synthetic-day.ts';
import { openSyntheticDayStore, type SyntheticDayStore } from '../support/synthetic-day-store.ts';
import { uniqueDatabase } from '../support/stores.ts';

const DB = uniqueDatabase('dash_preview');
let store: Store;

let fixture: SyntheticDayStore | undefined;

before(async () => {
  fixture = await openSyntheticDayStore(DB);
  store = fixture.store;
});
after(() => fixture?.close());

test('every panel is rendered with data: SVG charts for time series, tables otherwise', async () => {
  const dashboards = buildDashboards(DB);
  const html = await renderPreview(store, dashboards, {
    atMs: DAY_START + 86_400_000 - 1,
    rangeMs: 86_400_000 - 1,
    intervalMs: 600_000,
    requestId: 'req_spike_600_3',
  });
  const panels = dashboards.flatMap((d) => d.panels);
  for (const p of panels) assert.ok(html.includes(`<h3>${p.title.replace(/&/g, '&#38;')} `), p.title);
  const series = panels.filter((p) => p.type === 'timeseries').length;
  const stats = panels.filter((p) => p.type === 'stat').length;
  assert.equal(html.match(/<svg /g)?.length, series);
  assert.equal(html.match(/<table class="legend">/g)?.length, series);
  // The synthetic day has no client retries (attempt 1 everywhere) and no earlier day to learn a
  // quota from: those two panels say No data.
  const empty = 'Clients retrying against the advice, by app';
  assert.equal(html.match(/<table>/g)?.length, panels.length - series - stats - 2);
  // Values in the panel's unit, as Grafana formats them: no raw float anywhere.
  assert.doesNotMatch(html, /\d\.\d{5,}/);
  const section = (title: string) => html.slice(html.indexOf(`<h3>${title} `), html.indexOf('</section>', html.indexOf(`<h3>${title} `)));
  assert.match(section('Error rate'), /<span class="big">\d+(\.\d+)?%<\/span>/);
  assert.match(section('Error rate by channel'), /<th>Mean<\/th><th>Max<\/th>/);
  assert.match(section('Upstream errors by vendor'), /<th>Total<\/th>/);
  assert.match(section('Consumer lag'), /<th>Last<\/th><th>Max<\/th>/);
  assert.match(section('Seconds behind, by topic'), /<td>\d+(\.\d+)? (s|min)<\/td>/);
  // A per-column unit (byName override): the formats' share is a percentage, the records a count.
  assert.match(section('Formats seen'), /<td>[\d.]+( K)?<\/td><td>100%<\/td>/);
  assert.match(section(empty), /class="nodata"/);
  assert.match(section('Quota forecast (today)'), /class="nodata"/);
  assert.doesNotMatch(html, /class="error"/);
  assert.equal(html.match(/class="nodata"/g)?.length, 2);
  assert.doesNotMatch(html, /<script|https?:\/\//);
  assert.match(html, /req_spike_600_3/);
  // FAULTLINE_PREVIEW_OUT=dashboards/preview/synthetic-day.html npm test -- test/dashboards/preview.test.ts
  if (process.env.FAULTLINE_PREVIEW_OUT) writeFileSync(process.env.FAULTLINE_PREVIEW_OUT, html);
});

test('an empty range: the error-rate stat says No events, count series are flat zeros, no NaN', async () => {
  const html = await renderPreview(store, buildDashboards(DB), { atMs: DAY_START - 3_600_000, rangeMs: 3_600_000, intervalMs: 300_000 });
  assert.match(
    html,
    /<h3>Error rate <small>percentunit<\/small><\/h3><p class="desc">[^<]*<\/p><p class="stat"><span class="big">No events<\/span>/,
  );
  assert.doesNotMatch(html, /NaN|class="error"/);
  // Zero-filled count series: their axis tops at 0, not at the scaling guard (it printed "1e-9").
  assert.match(html, /<text x="2" y="12" class="axis">0<\/text>/);
  assert.doesNotMatch(html, /e-\d/);
});

test('formatValue follows Grafana for the units used', () => {
  assert.equal(formatValue(0.2117926024881022, 'percentunit'), '21.2%');
  assert.equal(formatValue(0.0123, 'percentunit'), '1.23%');
  assert.equal(formatValue(123_456_789, 'short'), '123 Mil');
  assert.equal(formatValue(123_456_789, 'none'), '123456789');
  assert.equal(formatValue(1500, 'short'), '1.50 K');
  assert.equal(formatValue(12.5, 'cps'), '12.5 c/s');
  assert.equal(formatValue(1210, 's'), '20.2 min');
  assert.equal(formatValue(null, 'percentunit', 'No events'), 'No events');
  assert.equal(formatValue('2026-11-21T10:07:00Z', 'short'), '2026-11-21 10:07:00');
});

test('--range durations', () => {
  assert.equal(parseRange(undefined), 6 * 3_600_000);
  assert.equal(parseRange('30m'), 1_800_000);
  assert.equal(parseRange('7d'), 7 * 86_400_000);
  assert.throws(() => parseRange('6 hours'), ConfigError);
  assert.throws(() => parseRange('0h'), ConfigError);
});
