// The macro expander reproduces docs/grafana.md's table (grafana-clickhouse-datasource 4.x
// pkg/macros/macros.go, the browser's $__conditionalAll and templateSrv formatting) exactly.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyConditionalAll, applyMacros, applyVariables, expandQuery, intervalSeconds } from '../../dashboards/macros.ts';

// 2026-11-21T10:00:00.250Z .. 2026-11-21T11:30:59.999Z
const FROM = Date.UTC(2026, 10, 21, 10, 0, 0, 250);
const TO = Date.UTC(2026, 10, 21, 11, 30, 59, 999);
const F = Math.floor(FROM / 1000);
const T = Math.floor(TO / 1000);
const ctx = { fromMs: FROM, toMs: TO, intervalMs: 30_000 };

describe('backend macros (pkg/macros/macros.go)', () => {
  const cases: [string, string][] = [
    ['$__timeFilter(event_time)', `event_time >= toDateTime(${F}) AND event_time <= toDateTime(${T})`],
    ['$__timeFilter_ms(event_time)', `event_time >= fromUnixTimestamp64Milli(${FROM}) AND event_time <= fromUnixTimestamp64Milli(${TO})`],
    ['$__dateFilter(d)', "d >= toDate('2026-11-21') AND d <= toDate('2026-11-21')"],
    ['$__fromTime', `toDateTime(${F})`],
    ['$__toTime', `toDateTime(${T})`],
    ['$__fromTime_ms', `fromUnixTimestamp64Milli(${FROM})`],
    ['$__toTime_ms', `fromUnixTimestamp64Milli(${TO})`],
    ['$__timeInterval(minute)', 'toStartOfInterval(toDateTime(minute), INTERVAL 30 second)'],
    ['$__timeInterval_ms(event_time)', 'toStartOfInterval(toDateTime64(event_time, 3), INTERVAL 30000 millisecond)'],
    ['$__interval_s', '30'],
  ];
  for (const [input, want] of cases) {
    test(input, () => assert.equal(applyMacros(input, ctx), want));
  }

  test('arguments are trimmed; macros sharing a prefix stay distinct (\\b)', () => {
    assert.equal(applyMacros('$__timeFilter( t ) OR $__timeFilter_ms(t)', ctx),
      `t >= toDateTime(${F}) AND t <= toDateTime(${T}) OR t >= fromUnixTimestamp64Milli(${FROM}) AND t <= fromUnixTimestamp64Milli(${TO})`);
    assert.equal(applyMacros('$__toTime - INTERVAL 1 DAY, $__toTime_ms', ctx), `toDateTime(${T}) - INTERVAL 1 DAY, fromUnixTimestamp64Milli(${TO})`);
  });

  test('nested parentheses in an argument are kept', () => {
    assert.equal(applyMacros('$__timeInterval(toDateTime(x))', ctx), 'toStartOfInterval(toDateTime(toDateTime(x)), INTERVAL 30 second)');
  });

  test('interval: N = max(seconds, 1) truncated, M = max(ms, 1)', () => {
    assert.equal(intervalSeconds({ ...ctx, intervalMs: 1500 }), 1);
    assert.equal(intervalSeconds({ ...ctx, intervalMs: 200 }), 1);
    assert.equal(intervalSeconds({ ...ctx, intervalMs: 59_999 }), 59);
    assert.equal(applyMacros('$__timeInterval_ms(t)', { ...ctx, intervalMs: 0 }), 'toStartOfInterval(toDateTime64(t, 3), INTERVAL 1 millisecond)');
    assert.equal(applyMacros('$__interval_s', { ...ctx, intervalMs: 0 }), '1');
  });

  test('$__dateFilter uses UTC dates across midnight', () => {
    const c = { fromMs: Date.UTC(2026, 10, 20, 23, 30), toMs: Date.UTC(2026, 10, 21, 0, 30), intervalMs: 1000 };
    assert.equal(applyMacros('$__dateFilter(d)', c), "d >= toDate('2026-11-20') AND d <= toDate('2026-11-21')");
  });

  test('a wrong argument count is an error, as in the plugin', () => {
    assert.throws(() => applyMacros('$__timeFilter(a, b)', ctx), /expected 1 argument/);
    assert.throws(() => applyMacros('$__timeFilter()', ctx), /expected 1 argument/);
  });
});

describe('$__conditionalAll (browser side)', () => {
  const sql = 'WHERE $__conditionalAll(channel IN (${channel}), $channel) AND x';
  test('All or empty -> 1=1', () => {
    assert.equal(applyConditionalAll(sql, { channel: '$__all' }), 'WHERE 1=1 AND x');
    assert.equal(applyConditionalAll(sql, { channel: ['$__all'] }), 'WHERE 1=1 AND x');
    assert.equal(applyConditionalAll(sql, { channel: '' }), 'WHERE 1=1 AND x');
    assert.equal(applyConditionalAll(sql, { channel: [] }), 'WHERE 1=1 AND x');
  });
  test('a selection keeps the condition (argument whitespace untouched)', () => {
    assert.equal(applyConditionalAll(sql, { channel: ['1688'] }), 'WHERE channel IN (${channel}) AND x');
  });
  test('an unknown variable keeps the condition; several macros are all replaced', () => {
    const two = '$__conditionalAll(a IN (${a}), $a) AND $__conditionalAll(b IN (${b}), $b)';
    assert.equal(applyConditionalAll(two, { a: '$__all', b: ['x'] }), '1=1 AND b IN (${b})');
    assert.equal(applyConditionalAll('$__conditionalAll(z = 1, $zz)', {}), 'z = 1');
  });
  test('the variable must be written $name (the plugin strips one character)', () => {
    assert.equal(applyConditionalAll('$__conditionalAll(c IN (${c}), ${c})', { c: '$__all' }), 'c IN (${c})');
  });
});

describe('template variables (templateSrv with the plugin format)', () => {
  test('multi-value -> quoted list; single value unquoted', () => {
    assert.equal(applyVariables('IN (${channel})', { channel: ['1688', 'taobao'] }), "IN ('1688','taobao')");
    assert.equal(applyVariables('IN ($channel)', { channel: ['1688'] }), "IN ('1688')");
    assert.equal(applyVariables("= '${channel}'", { channel: 'taobao' }), "= 'taobao'");
    assert.equal(applyVariables('= [[channel]]', { channel: 'taobao' }), '= taobao');
  });
  test('explicit formats', () => {
    assert.equal(applyVariables('${v:sqlstring}', { v: "it's" }), "'it''s'");
    assert.equal(applyVariables('${v:singlequote}', { v: ['a', "b'c"] }), "'a','b\\'c'");
    assert.equal(applyVariables('${v:csv}', { v: ['a', 'b'] }), 'a,b');
    assert.equal(applyVariables('${v:percentencode}', { v: "req_1' OR \\ (x)*!" }), 'req_1%27%20OR%20%5C%20%28x%29%2A%21');
  });
  test('unknown names and macros are left for the backend', () => {
    assert.equal(applyVariables('$__timeFilter(t) AND $nope', { channel: 'x' }), '$__timeFilter(t) AND $nope');
  });
  test('All outside $__conditionalAll is refused (the expander does not know the options)', () => {
    assert.throws(() => applyVariables('IN (${channel})', { channel: '$__all' }), /All outside/);
  });
});

describe('expandQuery', () => {
  test('all three stages, in order', () => {
    const sql = 'SELECT $__timeInterval(minute) AS time FROM t WHERE $__timeFilter(minute) AND $__conditionalAll(channel IN (${channel}), $channel) AND $__conditionalAll(source IN (${source}), $source)';
    assert.equal(expandQuery(sql, { ...ctx, variables: { channel: ['pdd'], source: '$__all' } }),
      `SELECT toStartOfInterval(toDateTime(minute), INTERVAL 30 second) AS time FROM t WHERE minute >= toDateTime(${F}) AND minute <= toDateTime(${T}) AND channel IN ('pdd') AND 1=1`);
  });
  test('a leftover macro or variable fails loudly', () => {
    assert.throws(() => expandQuery('SELECT $__timeFiltr(t)', ctx), /unexpanded \$__timeFiltr/);
    assert.throws(() => expandQuery('SELECT ${channel}', ctx), /unexpanded/);
  });
});
