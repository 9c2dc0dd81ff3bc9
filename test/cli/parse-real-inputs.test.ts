// `faultline parse` on what shippers write (docs/real-inputs.md): one line per outcome, in order,
// each with its record_index; an OTLP/JSON message gives one line per log record. Run as a user
// runs it: `node bin/faultline.js parse` with records on stdin.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { EventSchema } from '../../transform/event.ts';

const BIN = new URL('../../bin/faultline.js', import.meta.url).pathname;

function parse(stdin: string): Record<string, unknown>[] {
  const r = spawnSync(process.execPath, [BIN, 'parse', '--source', 'client', '--default-time', '2026-11-22T00:00:00Z'], {
    input: stdin,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('faultline parse on real inputs', () => {
  it('prints one line per OTLP log record with its record_index, between the lines of other records', () => {
    const otlp = JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: '1795255200000000000',
                  severityText: 'ERROR',
                  body: { stringValue: 'QUOTA_EXCEEDED: Daily channel quota exhausted' },
                  attributes: [{ key: 'request_id', value: { stringValue: 'req_p0' } }],
                },
                { timeUnixNano: '1795255201000000000', body: { stringValue: '{"broken": ' } },
                { timeUnixNano: '1795255202000000000', severityText: 'INFO', body: { stringValue: 'level=info msg=ok request_id=req_p2' } },
              ],
            },
          ],
        },
      ],
    });
    const docker = JSON.stringify({
      log: '{"status":429,"error":{"code":"QUOTA_EXCEEDED","request_id":"req_d"}}\n',
      stream: 'stdout',
      time: '2026-11-21T10:00:03Z',
    });
    const out = parse(`${['{"status":200,"request_id":"req_a"}', otlp, docker, 'just words'].join('\n')}\n`);
    assert.equal(out.length, 6);
    assert.deepEqual(
      out.map((o) => o.record_index),
      [0, 0, 1, 2, 0, 0],
    );
    assert.equal(out[0]?.request_id, 'req_a');
    const { record_index: _i, ...first } = out[1]!;
    const e = EventSchema.parse(first);
    assert.deepEqual(
      [e.request_id, e.outcome, e.code, e.limit_kind, e.event_time, e.format],
      ['req_p0', 'error', 'QUOTA_EXCEEDED', 'quota', '2026-11-21T10:00:00.000Z', 'otlp-json/text'],
    );
    assert.deepEqual([out[2]?.rejected, out[2]?.reason], [true, 'invalid_json']);
    assert.match(String(out[2]?.detail), /^log record 1: /);
    assert.deepEqual([out[3]?.request_id, out[3]?.format], ['req_p2', 'otlp-json/logfmt']);
    assert.deepEqual([out[4]?.request_id, out[4]?.code, out[4]?.format], ['req_d', 'QUOTA_EXCEEDED', 'docker/json']);
    assert.deepEqual([out[5]?.rejected, out[5]?.reason], [true, 'unrecognised_text']);
  });
});
