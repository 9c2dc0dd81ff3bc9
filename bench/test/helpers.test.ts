// The bench's own arithmetic: what it reads from /metrics, the freshness records it builds,
// the CPU it reads from /proc, the profile areas and the table. The benchmark itself is not
// a test (it is run by hand: `npm run bench`); these keep its figures honest.
// test-tier: unit (in-process: it imports bench/child.ts for its /proc reader, but starts nothing)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastJson, procCpuMs } from '../child.ts';
import { storedFromMetrics } from '../faultline-run.ts';
import { timeTemplates } from '../freshness.ts';
import { summarise } from '../profile-summary.ts';
import { Table } from '../table.ts';

test('storedFromMetrics sums events out and rejects over every label set, and nothing else', () => {
  const text = [
    '# HELP faultline_events_out_total Events acknowledged by ClickHouse.',
    '# TYPE faultline_events_out_total counter',
    'faultline_events_out_total{topic="gw"} 1200',
    'faultline_events_out_total{topic="cl"} 300',
    'faultline_rejects_total{topic="gw",reason="invalid_json"} 7',
    'faultline_rejects_total{topic="cl",reason="too_large"} 2',
    'faultline_records_in_total{topic="gw"} 999999',
    'faultline_partition_records_stored{topic="gw",partition="0"} 555',
  ].join('\n');
  assert.equal(storedFromMetrics(text), 1509);
  // Before the first insert prom-client has no sample for labelled counters: "not up yet".
  assert.equal(storedFromMetrics('# HELP faultline_events_out_total x\n# TYPE faultline_events_out_total counter\n'), undefined);
  assert.equal(storedFromMetrics('faultline_events_out_total 5e+6\n'), 5_000_000);
});

test('timeTemplates drops every time alias so the produce time is the only time of the record', () => {
  const records = [
    '{"ts":"2026-11-21T10:00:00Z","status":200,"channel":"1688"}',
    '{"time":1795333881710,"@timestamp":"x","logged_at":"y","timestamp":1.5,"event_time":"z","request_id":"req_1"}',
    '[1,2]',
    'not json',
    '{"ts":"only time"}',
  ];
  const t = timeTemplates(records);
  assert.equal(t.length, 3);
  const now = '2026-11-22T12:00:00.123Z';
  const rebuilt = t.map((rest) => JSON.parse(`{"ts":"${now}"${rest}`) as Record<string, unknown>);
  assert.deepEqual(rebuilt[0], { ts: now, status: 200, channel: '1688' });
  assert.deepEqual(rebuilt[1], { ts: now, request_id: 'req_1' });
  assert.deepEqual(rebuilt[2], { ts: now });
});

test("procCpuMs reads this process's CPU time and grows with work", () => {
  const before = procCpuMs(process.pid);
  assert.ok(before !== undefined && before >= 0);
  // Work until 60 ms of CPU are charged, not for a fixed wall time: on a loaded machine 150 ms
  // of wall time gave this process 30 ms of CPU. A reader that does not grow fails after 10 s.
  const deadline = performance.now() + 10_000;
  let x = 0;
  let after = before;
  while (after - before < 60 && performance.now() < deadline) {
    const end = performance.now() + 20;
    while (performance.now() < end) x += Math.sqrt(x + 1);
    after = procCpuMs(process.pid)!;
  }
  assert.ok(x > 0);
  assert.ok(after - before >= 50, `expected ≥ 50 ms more CPU, got ${after - before}`);
  assert.equal(procCpuMs(2 ** 22 + 12345), undefined);
});

test('lastJson takes the last JSON object line, skipping logs after it', () => {
  assert.deepEqual(lastJson('noise\n{"a":1}\n{"b":2}\nwarning: x\n'), { b: 2 });
  assert.equal(lastJson('no json here'), undefined);
});

test('summarise attributes self time to areas and leaves idle out of the shares', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
  const file = join(dir, 'x.cpuprofile');
  const frame = (id: number, functionName: string, url: string) => ({
    id,
    callFrame: { functionName, url, lineNumber: 0, columnNumber: 0, scriptId: '0' },
  });
  writeFileSync(
    file,
    JSON.stringify({
      nodes: [
        frame(1, '(root)', ''),
        frame(2, '(idle)', ''),
        frame(3, 'normalizeRecord', 'file:///w/transform/normalize.ts'),
        frame(4, 'decodeRecord', 'file:///w/node_modules/kafkajs/src/protocol/recordBatch/record/v0/decoder.js'),
        frame(5, '(garbage collector)', ''),
      ],
      startTime: 0,
      endTime: 10_000,
      samples: [2, 3, 3, 3, 4, 5, 2, 2],
      timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
    }),
  );
  const s = summarise(file);
  assert.equal(s.total_ms, 8);
  assert.equal(s.idle_pct, 37.5);
  assert.deepEqual(s.areas, { 'normalize (transform/)': 60, 'kafkajs decode': 20, gc: 20 });
  assert.equal(s.top[0]?.pct, 60);
});

test('Table renders one line per row plus wrapped detail lines', () => {
  const t = new Table();
  t.row('peer', '118,000 rows/s', 'short');
  t.row('faultline', '90,000 rec/s', 'word '.repeat(40).trim());
  const out = t.render(100).split('\n');
  assert.match(out[0]!, /^measure\s+\| figure\s+\| detail$/);
  assert.match(out[2]!, /^peer\s+\| 118,000 rows\/s \| short$/);
  assert.ok(out.length > 4, 'long detail wraps onto continuation lines');
  assert.ok(out.every((l) => l.length <= 100));
});
