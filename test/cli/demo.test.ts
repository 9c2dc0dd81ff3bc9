// `faultline demo` on a short day: the real CLI end to end into a fresh embedded store. Every
// report section must show non-zero numbers, the suggested `trace` commands must find both
// sides of their request, and no planted secret may reach the store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLANTED_SECRETS } from '../../ingest/generator/secrets.ts';
import { KEEP_FOREVER } from '../support/keep-forever.ts';

const BIN = new URL('../../bin/faultline.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fl-demo-'));
const data = join(dir, 'demo');

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...KEEP_FOREVER, ...env },
    maxBuffer: 64 << 20,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The body rows of a table panel in preview.html, cells as text. */
function panelRows(html: string, title: string): string[][] {
  const start = html.indexOf(`<h3>${title} `);
  assert.ok(start >= 0, `panel "${title}" in preview.html`);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html.slice(start, html.indexOf('</section>', start)))?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) =>
    [...m[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '')),
  );
}

/** The lines of one report section (from its heading to the next blank line). */
function section(out: string, heading: string): string[] {
  const lines = out.split('\n');
  const i = lines.findIndex((l) => l.startsWith(heading));
  assert.ok(i >= 0, `section "${heading}" in:\n${out}`);
  const rest = lines.slice(i + 1);
  const end = rest.findIndex((l) => l.trim() === '');
  return end < 0 ? rest : rest.slice(0, end);
}

test('a short demo day: every report section has numbers, traces resolve, nothing secret is stored', { timeout: 240_000 }, () => {
  try {
    const r = cli(['demo', '--count', '20000', '--data', data, '--start', '2026-11-21']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /demo: generated .* stored .* records/, 'progress shown');
    assert.ok(existsSync(join(data, 'grafana/provisioning/alerting/faultline.yaml')), 'Grafana provisioning written');
    assert.ok(existsSync(join(data, 'grafana/generated/faultline-error-rates.json')), 'dashboards written');

    const head = /faultline demo: ([\d,]+) records -> ([\d,]+) events \+ ([\d,]+) rejects/.exec(r.stdout);
    assert.ok(head, r.stdout);
    const n = (s: string) => Number(s.replace(/,/g, ''));
    assert.equal(n(head[1]!), 20000);
    assert.equal(n(head[2]!) + n(head[3]!), 20000);
    assert.ok(n(head[3]!) > 0, 'garbage became rejects');

    const cats = section(r.stdout, 'Error rate by category');
    for (const c of ['RATE_LIMIT_ERROR', 'CHANNEL_ERROR', 'VALIDATION_ERROR', 'INTERNAL_ERROR', 'BUSINESS_ERROR', 'AUTH_ERROR']) {
      const line = cats.find((l) => l.trim().startsWith(c));
      assert.ok(line && Number(/([\d.]+)%$/.exec(line)![1]) > 0, `${c} in ${cats.join('\n')}`);
    }

    const quota = section(r.stdout, 'Quota exhaustion by channel');
    const q1688 = quota.find((l) => l.trim().startsWith('1688'));
    assert.ok(q1688, quota.join('\n'));
    assert.ok(n(q1688.trim().split(/\s+/)[1]!) > 100, q1688);
    assert.match(q1688, /2026-11-21 1[78]:\d\d UTC/, 'exhausted from the quota incident on');

    const vendors = section(r.stdout, 'Top vendor failures');
    assert.ok(
      vendors.some((l) => /^\s+taobao\s+90[012]\s/.test(l)),
      vendors.join('\n'),
    );
    assert.ok(vendors.filter((l) => /\s\d[\d,]*\s/.test(l)).length >= 3);

    // The quota forecast before the quota incident (17:00): learned from the earlier days the demo
    // wrote, it names a time near 17:00, and the 2-hour rule fired before the incident started.
    const forecast = section(r.stdout, 'Quota forecast at 2026-11-21 16:00, before the quota incident (17:00)');
    const fc = /^\s+1688\s+runs out at (\d\d):(\d\d)\s+\(daily quota ([\d,]+) calls learned from 3 earlier days, ([\d,]+) used today/.exec(
      forecast[0] ?? '',
    );
    assert.ok(fc, forecast.join('\n'));
    const minute = Number(fc[1]) * 60 + Number(fc[2]);
    assert.ok(minute > 16 * 60 && Math.abs(minute - 17 * 60) <= 30, forecast[0]);
    assert.ok(n(fc[3]!) > n(fc[4]!), 'quota not yet spent at 16:00');
    assert.match(
      forecast[1] ?? '',
      /learned from 3 earlier days of 1688 calls written for the demo \(a daily quota of [\d,]+ calls, spent at \d\d:\d\d, \d\d:\d\d, \d\d:\d\d\)/,
    );

    // The next questions, answered on the demo day in preview.html: apps retrying against the
    // gateway's advice (mobile-app retries 429s too fast, erp-sync retries 400/401/403/404) and
    // requests the gateway and the client saw differently, in both directions.
    const html = readFileSync(join(data, 'grafana/preview.html'), 'utf8');
    // Cells in the panels' unit `short` as Grafana shows them: 51, 1.38 K.
    const short = (s: string) => Number(/^([\d.]+)/.exec(s)?.[1]) * (/ K$/.test(s) ? 1000 : / Mil$/.test(s) ? 1e6 : 1);
    const retries = Object.fromEntries(
      panelRows(html, 'Clients retrying against the advice, by app').map(([app, non, fast]) => [
        app,
        { non: short(non!), fast: short(fast!) },
      ]),
    );
    assert.ok(retries['mobile-app'] && retries['mobile-app'].fast > 0, JSON.stringify(retries));
    assert.ok(retries['erp-sync'] && retries['erp-sync'].non > 0, JSON.stringify(retries));
    const disagree = panelRows(html, 'Gateway and client disagree, by route');
    assert.ok(disagree.some((row) => short(row[1]!) > 0) && disagree.some((row) => short(row[2]!) > 0), JSON.stringify(disagree));
    assert.ok(
      disagree.every((row) => row[0] !== '' && /^req_/.test(row[3]!)),
      JSON.stringify(disagree),
    );

    // Pipeline health's record panels are drawn over the simulated day (the records' own times):
    // the formats seen per topic, with their share as a percentage, including the misconfigured
    // shipper's unrecognized lines; the rejects of the day.
    const formats = panelRows(html, 'Formats seen');
    for (const f of ['json', 'logfmt', 'text', 'unrecognized'])
      assert.ok(
        formats.some((row) => row[0] === 'client-logs' && row[1] === f && /^\d+(\.\d+)?%$/.test(row[3]!)),
        `${f}: ${JSON.stringify(formats)}`,
      );
    assert.ok(panelRows(html, 'Rejects by topic and reason').length > 0);

    // Exhausted once, at the quota incident (17:00): not at a stray QUOTA_EXCEEDED, nor on a trickle
    // of per-app call limits. Clients log their earlier attempts before the last one, so the
    // first refused client line of a request refused just after 17:00 may be stamped 16:59.
    const exhausted = panelRows(html, 'Daily quota first exhausted today');
    assert.deepEqual(
      exhausted.map((row) => row[0]),
      ['1688'],
      JSON.stringify(exhausted),
    );
    assert.match(exhausted[0]![1]!, /^2026-11-21 (16:59|17:00):00$/);

    const alerts = section(r.stdout, 'Alerts that fired');
    const runsOut = alerts.find((l) => /Quota runs out within 2 h\s+channel=1688\s/.test(l));
    assert.ok(runsOut && /^\s+2026-11-21 1[56]:\d\d\s/.test(runsOut), alerts.join('\n'));
    assert.ok(!alerts.includes('  (none)'));
    assert.ok(
      alerts.some((l) => /Quota exhausted\s+channel=1688/.test(l)),
      alerts.join('\n'),
    );
    assert.ok(
      alerts.some((l) => /Vendor failure burst\s+vendor=\S*taobao|Error rate spike\s+channel=\S*taobao/.test(l)),
      alerts.join('\n'),
    );
    // One notification per rule and dimension: no rule appears twice at the same minute.
    const keys = alerts
      .map((l) => /^\s+(\S+ \S+)\s+(page|ticket)\s+(.+?)\s{2,}/.exec(l))
      .filter((m) => m)
      .map((m) => `${m![1]} ${m![3]}`);
    assert.equal(new Set(keys).size, keys.length, alerts.join('\n'));

    // No false all-clear: right after ingest the ledger is current; two days later, with no
    // batch since, the ingest rule fires for both topics.
    const ingest = section(r.stdout, 'Ingest stalled or behind');
    assert.match(ingest[0]!, /^\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+ok$/, ingest.join('\n'));
    assert.ok(
      ingest.slice(1).some((l) => /FIRING Ingest stalled or behind topic=gateway-logs value 1728\d\d > 180/.test(l)),
      ingest.join('\n'),
    );

    const tries = section(r.stdout, 'Try these').filter((l) => l.includes('faultline trace'));
    assert.equal(tries.length, 3, tries.join('\n'));
    for (const line of tries) {
      const m = /FAULTLINE_DATA=(\S+) npx faultline trace (req_\S+)/.exec(line);
      assert.ok(m, line);
      assert.equal(m[1], data);
      const t = cli(['trace', m[2]!], { FAULTLINE_DATA: m[1]! });
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stdout, /\sgateway\s/, t.stdout);
      assert.match(t.stdout, /\sclient\s/, t.stdout);
    }

    // Planted credentials (Taobao sign/session, Bearer keys, access tokens) stay out of every column.
    const list = PLANTED_SECRETS.map((s) => `'${s}'`).join(',');
    const leaks = cli(
      [
        'sql',
        `SELECT (SELECT count() FROM events WHERE multiSearchAny(concat(raw, message, upstream_message), [${list}])) + (SELECT count() ` +
          `FROM rejects WHERE multiSearchAny(head, [${list}])) AS leaks`,
        '--format',
        'json',
      ],
      { FAULTLINE_DATA: data },
    );
    assert.equal(leaks.code, 0, leaks.stderr);
    assert.deepEqual(JSON.parse(leaks.stdout.trim()), { leaks: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the demo refuses to wipe a non-empty directory it did not create', async () => {
  const { inProcess } = await import('./run-cli.ts');
  const { writeFileSync, readdirSync } = await import('node:fs');
  const other = mkdtempSync(join(tmpdir(), 'fl-notdemo-'));
  try {
    writeFileSync(join(other, 'precious.txt'), 'keep me');
    const r = await inProcess(['demo', '--data', other, '--count', '1000']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid --data=.*not created by faultline demo/);
    assert.deepEqual(readdirSync(other), ['precious.txt']);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});
