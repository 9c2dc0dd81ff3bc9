// `faultline parse` (docs/event-model.md §8), run as a user runs it: `node bin/faultline.js parse`
// with records on stdin.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { EventSchema } from '../../transform/event.ts';

const BIN = new URL('../../bin/faultline.js', import.meta.url).pathname;

function runParse(
  args: string[],
  stdin: string | string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'parse', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // the process may exit before reading (bad flags)
    for (const chunk of Array.isArray(stdin) ? stdin : [stdin]) child.stdin.write(chunk);
    child.stdin.end();
  });
}

const NEW_USER =
  '{"ts":"2026-11-21T10:00:00Z","status":429,"response":{"error":{"code":"QUOTA_EXCEEDED","message":"Daily channel quota ' +
  'exhausted","request_id":"req_1"}}}';

describe('faultline parse', () => {
  it('the new-user check: one event with request id, category, limit kind and status', async () => {
    const r = await runParse(['--source', 'gateway'], `${NEW_USER}\n`);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1);
    const ev = EventSchema.parse(JSON.parse(lines[0] ?? ''));
    assert.equal(ev.request_id, 'req_1');
    assert.equal(ev.category, 'RATE_LIMIT_ERROR');
    assert.equal(ev.limit_kind, 'quota');
    assert.equal(ev.http_status, 429);
    assert.equal(ev.event_time, '2026-11-21T10:00:00.000Z');
    assert.equal(ev.source, 'gateway');
  });

  it('one line per non-empty input line, in order, rejects included; exit 0', async () => {
    const input = [
      '2026-11-21T10:00:01.234Z ERROR shop-api POST /v1/procurement/orders status=429 request_id=req_9f2 code=QUOTA_EXCEEDED attempt=3',
      '',
      '{"broken":',
      '   ',
      '[1,2]',
      'just words',
      '{"ts":"2026-11-21T10:00:02Z","error_response":{"code":7,"msg":"App Call Limited"}}',
    ].join('\r\n');
    const r = await runParse(['--source', 'client'], input); // no final newline, CRLF endings
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(out.length, 5);
    assert.equal(out[0]?.request_id, 'req_9f2');
    assert.equal(out[0]?.source, 'client');
    assert.deepEqual([out[1]?.rejected, out[1]?.reason], [true, 'invalid_json']);
    assert.deepEqual([out[2]?.rejected, out[2]?.reason], [true, 'not_an_object']);
    assert.deepEqual([out[3]?.rejected, out[3]?.reason], [true, 'unrecognised_text']);
    assert.equal(out[4]?.code, '7');
    assert.equal(out[4]?.limit_kind, 'quota');
  });

  it('--default-time stands in for a missing or unreadable time', async () => {
    const r = await runParse(
      ['--source', 'gateway', '--default-time', '2026-01-02T03:04:05.678Z'],
      '{"status":500}\n{"ts":"garbage","status":200}\n',
    );
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { event_time: string });
    assert.deepEqual(
      out.map((e) => e.event_time),
      ['2026-01-02T03:04:05.678Z', '2026-01-02T03:04:05.678Z'],
    );
  });

  it('without --default-time a timeless record takes the current time', async () => {
    const before = Date.now();
    const r = await runParse(['--source', 'gateway'], '{"status":200}\n');
    const t = Date.parse((JSON.parse(r.stdout) as { event_time: string }).event_time);
    assert.ok(t >= before - 1000 && t <= Date.now() + 1000);
  });

  it(
    'prints fingerprints under FAULTLINE_REDACTION_KEY' + ' and masks personal data under FAULTLINE_PII=mask (docs/secrets.md §4, §5)',
    async () => {
      const tok = 'ghp_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7c';
      const message = `push with ${tok} by ops.lead@example.com paid 4111 1111 1111 1111`;
      const rec = `{"ts":"2026-11-21T10:00:00Z","status":401,"message":"${message}"}\n`;
      const r = await runParse(['--source', 'client'], rec, {
        ...process.env,
        FAULTLINE_REDACTION_KEY: 'test-installation-key-0123',
        FAULTLINE_PII: 'mask',
      });
      assert.equal(r.code, 0, r.stderr);
      for (const s of [tok, 'ops.lead', '4111 1111 1111 1111']) assert.ok(!r.stdout.includes(s), `${s} in ${r.stdout}`);
      assert.match(r.stdout, /\[REDACTED:[0-9a-f]{10}\]/);
      assert.match(r.stdout, /\[REDACTED\]@example\.com/);
      assert.match(r.stdout, /"app_id":"key:[0-9a-f]{10}"/);
    },
  );

  it('never prints a secret', async () => {
    const r = await runParse(
      ['--source', 'client'],
      '2026-11-21T10:00:00Z ERROR x password=hunter2secret Authorization: Bearer ' +
        'abcdefgh12345678\n{"ts":1,"session":"sess1234567","headers":{"cookie":"sid=zzz999"}}\n',
    );
    assert.equal(r.code, 0);
    for (const s of ['hunter2secret', 'abcdefgh12345678', 'sess1234567', 'zzz999']) assert.ok(!r.stdout.includes(s), s);
  });

  it('streams: output of early lines arrives before stdin ends', async () => {
    const child = spawn(process.execPath, [BIN, 'parse', '--source', 'gateway'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.write(`${NEW_USER}\n`);
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString('utf8'))));
    assert.match(first, /"request_id":"req_1"/);
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
  });

  it('handles many lines in order', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `{"ts":"2026-11-21T10:00:00Z","request_id":"req_${i}","status":200}`);
    const r = await runParse(['--source', 'gateway'], `${lines.join('\n')}\n`);
    assert.equal(r.code, 0);
    const ids = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { request_id: string }).request_id);
    assert.equal(ids.length, 20_000);
    assert.ok(ids.every((id, i) => id === `req_${i}`));
  });

  it('bad flag values name the flag and the allowed values (exit 2)', async () => {
    let r = await runParse(['--source', 'kafka'], '');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--source=kafka: allowed values are gateway, client/);
    r = await runParse([], '');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--source/);
    r = await runParse(['--source', 'gateway', '--default-time', 'yesterday'], '');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--default-time=yesterday: expected an ISO-8601 time/);
    r = await runParse(['--source', 'gateway', '--bogus'], '');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--source, --default-time/);
  });

  it('--help describes the command', async () => {
    const r = await runParse(['--help'], '');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--source gateway\|client/);
  });
});
