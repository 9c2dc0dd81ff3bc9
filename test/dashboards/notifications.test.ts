// Alerts that reach someone: provisioned contact points and notification policies (pages and
// tickets routed apart, grouped by rule and dimension kind, no URL in any file), the same
// grouping in `alerts check`, and the local webhook receiver fed Grafana's documented
// webhook JSON (test/fixtures/grafana/webhook-notification.json).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { startAlertReceiver } from '../../dashboards/alert-receiver.ts';
import { alertRules, groupNotifications, tables } from '../../dashboards/index.ts';
import { notificationsYaml } from '../../dashboards/notifications.ts';

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, walked by path; the assertions are its type check
type Yaml = Record<string, any>;
const rules = alertRules(tables('faultline'));
const fixture = readFileSync(new URL('../fixtures/grafana/webhook-notification.json', import.meta.url), 'utf8');

describe('contact points and policies', () => {
  const doc = parse(notificationsYaml()) as Yaml;

  test('two contact points posting to $FAULTLINE_ALERT_WEBHOOK_URL; nothing else by default', () => {
    assert.deepEqual(
      doc.contactPoints.map((c: Yaml) => c.name),
      ['faultline-page', 'faultline-ticket'],
    );
    for (const c of doc.contactPoints) {
      assert.deepEqual(
        c.receivers.map((r: Yaml) => [r.type, r.settings.url]),
        [['webhook', '$FAULTLINE_ALERT_WEBHOOK_URL']],
      );
      for (const r of c.receivers) assert.ok(r.uid.length <= 40 && /^[a-z0-9-]+$/.test(r.uid));
    }
  });

  test('every rule reaches exactly one route, pages and tickets apart, grouped by rule and dimension kind', () => {
    const root = doc.policies[0];
    assert.equal(root.receiver, 'grafana-default-email', "other teams' alerts keep the default receiver");
    const routes = root.routes as Yaml[];
    const matches = (labels: Record<string, string>, r: Yaml) =>
      (r.object_matchers as string[][]).every(([k, op, v]) => op === '=' && labels[k!] === v);
    for (const rule of rules) {
      const labels = { alertname: rule.title, severity: rule.severity, team: 'faultline', group_by: rule.groupBy };
      const hit = routes.filter((r) => matches(labels, r));
      assert.equal(hit.length, 1, rule.uid);
      assert.equal(hit[0]!.receiver, rule.severity === 'page' ? 'faultline-page' : 'faultline-ticket', rule.uid);
      assert.deepEqual(hit[0]!.group_by, ['alertname', 'group_by']);
    }
    const page = routes.find((r) => r.receiver === 'faultline-page')!;
    const ticket = routes.find((r) => r.receiver === 'faultline-ticket')!;
    assert.deepEqual([page.group_wait, page.group_interval, page.repeat_interval], ['30s', '5m', '1h']);
    assert.deepEqual([ticket.group_wait, ticket.group_interval, ticket.repeat_interval], ['5m', '30m', '24h']);
    assert.ok(rules.some((r) => r.severity === 'ticket') && rules.some((r) => r.severity === 'page'));
  });

  test('Slack and e-mail when set: Slack on both, e-mail on tickets, URLs only as $VARIABLES', () => {
    const d = parse(notificationsYaml({ slack: true, emails: ['ops@example.com', 'oncall@example.com'] })) as Yaml;
    const types = (name: string) => d.contactPoints.find((c: Yaml) => c.name === name).receivers.map((r: Yaml) => r.type);
    assert.deepEqual(types('faultline-page'), ['webhook', 'slack']);
    assert.deepEqual(types('faultline-ticket'), ['webhook', 'slack', 'email']);
    const slack = d.contactPoints[0].receivers[1];
    assert.equal(slack.settings.url, '$FAULTLINE_ALERT_SLACK_URL');
    assert.equal(d.contactPoints[1].receivers[2].settings.addresses, 'ops@example.com;oncall@example.com');
  });

  test('faultline dashboards build takes them from the settings and writes no URL', () => {
    const out = mkdtempSync(join(tmpdir(), 'faultline-notify-'));
    try {
      const bin = new URL('../../bin/faultline.js', import.meta.url).pathname;
      const secret = 'https://hooks.slack.example/services/T000/B000/SECRETxyz';
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        FAULTLINE_ALERT_SLACK_URL: secret,
        FAULTLINE_ALERT_EMAILS: 'ops@example.com',
        FAULTLINE_ALERT_WEBHOOK_URL: 'https://events.example/secret-key',
      };
      delete env.CLICKHOUSE_URL;
      const r = spawnSync(process.execPath, [bin, 'dashboards', 'build', '--out', out], { encoding: 'utf8', env });
      assert.equal(r.status, 0, r.stderr);
      const text = readFileSync(join(out, 'provisioning/alerting/notifications.yaml'), 'utf8');
      assert.match(text, /url: \$FAULTLINE_ALERT_SLACK_URL/);
      assert.match(text, /addresses: ops@example.com/);
      assert.ok(!text.includes('SECRET') && !text.includes('secret-key'));
      const bad = spawnSync(process.execPath, [bin, 'dashboards', 'build', '--out', out], {
        encoding: 'utf8',
        env: { ...env, FAULTLINE_ALERT_EMAILS: 'not an address' },
      });
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /FAULTLINE_ALERT_EMAILS/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('grouping', () => {
  test('one rule firing for four channels is one notification; two rules are two', () => {
    const spike = rules.find((r) => r.uid === 'faultline-error-rate-spike')!;
    const internal = rules.find((r) => r.uid === 'faultline-internal-error-spike')!;
    const firing = ['taobao', '1688', 'pdd', 'jd'].map((c, i) => ({ rule: spike, labels: { channel: c }, value: 4 + i }));
    const one = groupNotifications(firing);
    assert.equal(one.length, 1);
    assert.deepEqual(
      one[0]!.members.map((m) => m.label),
      ['1688', 'jd', 'pdd', 'taobao'],
    );
    assert.equal(one[0]!.receiver, 'faultline-page');
    assert.equal(groupNotifications([...firing, { rule: internal, labels: { channel: 'pdd' }, value: 9 }]).length, 2);
  });
});

describe('faultline alerts receive', () => {
  const lines: string[] = [];
  const warnings: string[] = [];
  let receiver: Awaited<ReturnType<typeof startAlertReceiver>> | undefined;
  after(() => receiver?.close());
  const post = async (body: string, method = 'POST') => {
    receiver ??= await startAlertReceiver({ port: 0, host: '127.0.0.1', write: (l) => lines.push(l), warn: (l) => warnings.push(l) });
    return fetch(`http://127.0.0.1:${receiver.port}/grafana`, {
      method,
      ...(method === 'POST' ? { body, headers: { 'content-type': 'application/json' } } : {}),
    });
  };

  test("Grafana's documented payload: one line with receiver, status and each alert", async () => {
    const r = await post(fixture);
    assert.equal(r.status, 200);
    assert.equal(lines.length, 1);
    assert.match(
      lines[0]!,
      /^\d{4}-\d\d-\d\dT\S+ My Super Webhook firing \[\] 2 alert\(s\): firing alertname=High memory usage team=blue zone=us-1 value 44\.23943737541908; firing /,
    );
  });

  test('a faultline notification names the dimension of each alert', async () => {
    const ours = {
      receiver: 'faultline-page',
      status: 'firing',
      groupLabels: { alertname: 'Error rate spike', group_by: 'channel' },
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'Error rate spike', group_by: 'channel', channel: '1688', severity: 'page', team: 'faultline' },
          values: { B: 4.986, C: 1 },
        },
        {
          status: 'resolved',
          labels: { alertname: 'Error rate spike', group_by: 'channel', channel: 'taobao', severity: 'page', team: 'faultline' },
          values: { B: 1.2, C: 0 },
        },
      ],
    };
    assert.equal((await post(JSON.stringify(ours))).status, 200);
    assert.match(
      lines.at(-1)!,
      / faultline-page firing \[alertname=Error rate spike group_by=channel\] 2 alert\(s\): firing channel=1688 value 4\.986; resolved channel=taobao value 1\.2$/,
    );
  });

  test('bad bodies are refused with a clear line, never printed as a notification', async () => {
    const before = lines.length;
    assert.equal((await post('{not json')).status, 400);
    assert.equal((await post('{"hello":1}')).status, 400);
    assert.equal((await post('', 'GET')).status, 405);
    assert.equal(lines.length, before);
    assert.deepEqual(
      warnings.map((w) => /not JSON|without an alerts array/.test(w)),
      [true, true],
    );
  });
});
