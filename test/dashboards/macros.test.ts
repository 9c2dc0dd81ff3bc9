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
    assert.equal(
      applyMacros('$__timeFilter( t ) OR $__timeFilter_ms(t)', ctx),
      `t >= toDateTime(${F}) AND t <= toDateTime(${T}) OR t >= fromUnixTimestamp64Milli(${FROM}) AND t <= fromUnixTimestamp64Milli(${TO})`,
    );
    assert.equal(
      applyMacros('$__toTime - INTERVAL 1 DAY, $__toTime_ms', ctx),
      `toDateTime(${T}) - INTERVAL 1 DAY, fromUnixTimestamp64Milli(${TO})`,
    );
  });

  test('nested parentheses in an argument are kept', () => {
    assert.equal(applyMacros('$__timeInterval(toDateTime(x))', ctx), 'toStartOfInterval(toDateTime(toDateTime(x)), INTERVAL 30 second)');
  });

  test('interval: N = max(seconds, 1) truncated, M = max(ms, 1)', () => {
    assert.equal(intervalSeconds({ ...ctx, intervalMs: 1500 }), 1);
    assert.equal(intervalSeconds({ ...ctx, intervalMs: 200 }), 1);
    assert.equal(intervalSeconds({ ...ctx, intervalMs: 59_999 }), 59);
    assert.equal(
      applyMacros('$__timeInterval_ms(t)', { ...ctx, intervalMs: 0 }),
      'toStartOfInterval(toDateTime64(t, 3), INTERVAL 1 millisecond)',
    );
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
    const sql =
      'SELECT $__timeInterval(minute) AS time FROM t WHERE $__timeFilter(minute) AND $__conditionalAll(channel IN (${channel}), ' +
      '$channel) AND $__conditionalAll(source IN (${source}), $source)';
    assert.equal(
      expandQuery(sql, { ...ctx, variables: { channel: ['pdd'], source: '$__all' } }),
      `SELECT toStartOfInterval(toDateTime(minute), INTERVAL 30 second) AS time FROM t WHERE minute >= toDateTime(${F}) AND minute <= ` +
        `toDateTime(${T}) AND channel IN ('pdd') AND 1=1`,
    );
  });
  test('a leftover macro or variable fails loudly', () => {
    assert.throws(() => expandQuery('SELECT $__timeFiltr(t)', ctx), /unexpanded \$__timeFiltr/);
    assert.throws(() => expandQuery('SELECT ${channel}', ctx), /unexpanded/);
  });
});

// The plugin's own cases (grafana/clickhouse-datasource v4.20.0: pkg/macros/macros_test.go,
// src/data/CHDatasource.test.ts): their inputs, contexts and expected outputs, as facts.
describe("the plugin's macro test cases (v4.20.0)", () => {
  const from = Date.parse('2014-11-12T11:45:26.371Z');
  const to = Date.parse('2015-11-12T11:45:26.371Z');
  const c0 = { fromMs: from, toMs: to, intervalMs: 0 };
  const cases: [string, string, string, { fromMs: number; toMs: number; intervalMs: number }][] = [
    ['FromTimeFilter', '$__fromTime', 'toDateTime(1415792726)', c0],
    ['ToTimeFilter', '$__toTime', 'toDateTime(1447328726)', c0],
    ['FromTimeFilterMs', '$__fromTime_ms', 'fromUnixTimestamp64Milli(1415792726371)', c0],
    ['ToTimeFilterMs', '$__toTime_ms', 'fromUnixTimestamp64Milli(1447328726371)', c0],
    ['DateFilter', '$__dateFilter(dateCol)', "dateCol >= toDate('2014-11-12') AND dateCol <= toDate('2015-11-12')", c0],
    [
      'DateTimeFilter',
      '$__dateTimeFilter(dateCol, timeCol)',
      "(dateCol >= toDate('2014-11-12') AND dateCol <= toDate('2015-11-12'))" +
        ' AND (timeCol >= toDateTime(1415792726) AND timeCol <= toDateTime(1447328726))',
      c0,
    ],
    [
      'DateTimeFilter as $__dt',
      '$__dt(dateCol, timeCol)',
      "(dateCol >= toDate('2014-11-12') AND dateCol <= toDate('2015-11-12'))" +
        ' AND (timeCol >= toDateTime(1415792726) AND timeCol <= toDateTime(1447328726))',
      c0,
    ],
    [
      'TimeInterval',
      '$__timeInterval(col)',
      'toStartOfInterval(toDateTime(col), INTERVAL 20 second)',
      { fromMs: 0, toMs: 0, intervalMs: 20_000 },
    ],
    [
      'TimeIntervalMs',
      '$__timeInterval_ms(col)',
      'toStartOfInterval(toDateTime64(col, 3), INTERVAL 20000 millisecond)',
      { fromMs: 0, toMs: 0, intervalMs: 20_000 },
    ],
    ['IntervalSeconds', '$__interval_s', '20', { fromMs: 0, toMs: 0, intervalMs: 20_000 }],
    ['TimeFrom', '$__timeFrom(ts)', 'ts >= toDateTime(1415792726)', c0],
    ['TimeTo', '$__timeTo(ts)', 'ts <= toDateTime(1447328726)', c0],
    ['TimeGroup 5m', '$__timeGroup(ts, 5m)', 'toStartOfInterval(toDateTime(ts), INTERVAL 300 second)', c0],
    ['TimeGroup 1h', '$__timeGroup(ts, 1h)', 'toStartOfInterval(toDateTime(ts), INTERVAL 3600 second)', c0],
  ];
  for (const [name, input, want, ctx] of cases) test(`${name}: ${input}`, () => assert.equal(applyMacros(input, ctx), want));

  test('wrong arity and bad durations are errors (TestMacroErrorsAreDownstream)', () => {
    for (const bad of [
      '$__timeFilter',
      '$__timeFilter_ms',
      '$__dateFilter',
      '$__dateTimeFilter(d)',
      '$__timeInterval',
      '$__timeInterval_ms',
      '$__timeFrom',
      '$__timeTo',
      '$__timeFrom()',
      '$__timeGroup(ts)',
      '$__timeGroup(ts, nope)',
      '$__timeGroup(ts, not-a-duration)',
    ]) {
      assert.throws(() => applyMacros(bad, c0), /expected|invalid duration/, bad);
    }
  });

  const f = Date.parse('2014-11-12T11:45:26.123Z');
  const t = Date.parse('2015-11-12T11:45:26.456Z');
  const interpolateCases: [string, string, string, number][] = [
    [
      'timeFilter',
      'select * from foo where $__timeFilter(cast(sth as timestamp))',
      'select * from foo where cast(sth as timestamp) >= toDateTime(1415792726) AND cast(sth as timestamp) <= toDateTime(1447328726)',
      0,
    ],
    [
      'timeFilter with empty spaces',
      'select * from foo where $__timeFilter(cast(sth as timestamp) )',
      'select * from foo where cast(sth as timestamp) >= toDateTime(1415792726) AND cast(sth as timestamp) <= toDateTime(1447328726)',
      0,
    ],
    [
      'timeFilter_ms',
      'select * from foo where $__timeFilter_ms(cast(sth as timestamp))',
      'select * from foo where cast(sth as timestamp) >= fromUnixTimestamp64Milli(1415792726123)' +
        ' AND cast(sth as timestamp) <= fromUnixTimestamp64Milli(1447328726456)',
      0,
    ],
    [
      'timeFilter_ms with empty spaces',
      'select * from foo where $__timeFilter_ms(cast(sth as timestamp) )',
      'select * from foo where cast(sth as timestamp) >= fromUnixTimestamp64Milli(1415792726123)' +
        ' AND cast(sth as timestamp) <= fromUnixTimestamp64Milli(1447328726456)',
      0,
    ],
    [
      'fromTime and toTime',
      'select * from foo where ( date >= $__fromTime and date <= $__toTime ) limit 100',
      'select * from foo where ( date >= toDateTime(1415792726) and date <= toDateTime(1447328726) ) limit 100',
      0,
    ],
    [
      'fromTime and toTime inside complex clauses',
      'select * from foo where ( date >= $__fromTime ) and ( date <= $__toTime ) limit 100',
      'select * from foo where ( date >= toDateTime(1415792726) ) and ( date <= toDateTime(1447328726) ) limit 100',
      0,
    ],
    [
      'fromTime_ms and toTime_ms',
      'select * from foo where ( date >= $__fromTime_ms and date <= $__toTime_ms ) limit 100',
      'select * from foo where ( date >= fromUnixTimestamp64Milli(1415792726123) and date <= fromUnixTimestamp64Milli(1447328726456) ) ' +
        'limit 100',
      0,
    ],
    [
      'fromTime_ms and toTime_ms inside complex clauses',
      'select * from foo where ( date >= $__fromTime_ms ) and ( date <= $__toTime_ms ) limit 100',
      'select * from foo where ( date >= fromUnixTimestamp64Milli(1415792726123) ) and ( date <= ' +
        'fromUnixTimestamp64Milli(1447328726456) ) limit 100',
      0,
    ],
    [
      'macro as sole argument of another',
      'SELECT $__timeInterval($__fromTime) AS from_time',
      'SELECT toStartOfInterval(toDateTime(toDateTime(1415792726)), INTERVAL 60 second) AS from_time',
      60_000,
    ],
    [
      'millisecond variants nest',
      'SELECT $__timeInterval_ms($__fromTime_ms)',
      'SELECT toStartOfInterval(toDateTime64(fromUnixTimestamp64Milli(1415792726123), 3), INTERVAL 60000 millisecond)',
      60_000,
    ],
    [
      'macro nested in a larger argument (a comma inside it)',
      'select * from foo where $__timeFilter(coalesce(closed_at, $__toTime))',
      'select * from foo where coalesce(closed_at, toDateTime(1447328726)) >= toDateTime(1415792726) AND coalesce(closed_at, ' +
        'toDateTime(1447328726)) <= toDateTime(1447328726)',
      60_000,
    ],
    [
      'backslash-escaped quote with -- in a literal',
      "select * from foo where msg = 'it\\'s -- fine' and $__fromTime",
      "select * from foo where msg = 'it\\'s -- fine' and toDateTime(1415792726)",
      0,
    ],
    [
      'backslash-escaped quote with /* in a literal',
      "select * from foo where msg = 'a\\'/*x' and $__toTime",
      "select * from foo where msg = 'a\\'/*x' and toDateTime(1447328726)",
      0,
    ],
    [
      'doubled-quote escape',
      "select * from foo where msg = 'it''s' and $__fromTime",
      "select * from foo where msg = 'it''s' and toDateTime(1415792726)",
      0,
    ],
  ];
  for (const [name, input, want, intervalMs] of interpolateCases) {
    test(`Interpolate: ${name}`, () => assert.equal(applyMacros(input, { fromMs: f, toMs: t, intervalMs }), want));
  }

  test('conditionalAll (CHDatasource.test.ts): All -> 1=1, anything else keeps the condition, every occurrence', () => {
    const sql = 'select stuff from table where $__conditionalAll(fieldVal in ($fieldVal), $fieldVal);';
    assert.equal(applyConditionalAll(sql, { fieldVal: '$__all' }), 'select stuff from table where 1=1;');
    assert.equal(applyConditionalAll(sql, { fieldVal: "'val1', 'val2'" }), 'select stuff from table where fieldVal in ($fieldVal);');
    assert.equal(
      applyConditionalAll(`${sql.slice(0, -1)} and $__conditionalAll(fieldVal in ($fieldVal2), $fieldVal2);`, {
        fieldVal: "'val1', 'val2'",
        fieldVal2: '$__all',
      }),
      'select stuff from table where fieldVal in ($fieldVal) and 1=1;',
    );
    assert.equal(applyConditionalAll('$__conditionalAll(foo, $fieldVal)', { fieldVal: "'val1', 'val2'" }), 'foo');
    assert.equal(applyConditionalAll('$__conditionalAll(foo, $fieldVal)', { fieldVal: '$__all' }), '1=1');
  });
});

describe('the rest of the engine (macropro)', () => {
  test('comments become spaces, so a macro inside one is not expanded; quotes protect them', () => {
    assert.equal(applyMacros('a -- $__fromTime\nb /* $__toTime */ c', ctx), `a ${' '.repeat(14)}\nb ${' '.repeat(15)} c`);
    assert.equal(applyMacros("'--' $__interval_s /* open", ctx), `'--' 30 ${' '.repeat(7)}`);
  });
  test('$__interval (largest whole unit), $__interval_ms (not clamped), $__table / $__column from the context', () => {
    assert.equal(applyMacros('$__interval $__interval_ms', { ...ctx, intervalMs: 7_200_000 }), '2h 7200000');
    assert.equal(applyMacros('$__interval', { ...ctx, intervalMs: 90_000 }), '90s');
    assert.equal(applyMacros('$__interval|$__interval_ms', { ...ctx, intervalMs: 0 }), '0s|0');
    assert.equal(applyMacros('$__interval', { ...ctx, intervalMs: 1500 }), '1500ms');
    assert.throws(() => applyMacros('FROM $__table', ctx), /no table name/);
  });
  test('${var} in $__conditionalAll; an argument without a variable keeps the condition', () => {
    assert.equal(applyConditionalAll('$__conditionalAll(c IN (${c}), ${c})', { c: '$__all' }), '1=1');
    assert.equal(applyConditionalAll('$__conditionalAll(c IN (${c}), ${c})', { c: ['x'] }), 'c IN (${c})');
    assert.equal(applyConditionalAll('$__conditionalAll(c = 1, nothing)', { c: '$__all' }), 'c = 1');
  });
  test('an unknown $__name is left for ClickHouse (and expandQuery refuses it)', () => {
    assert.equal(applyMacros('$__nope(x) $__fromTimeX', ctx), '$__nope(x) $__fromTimeX');
  });
});
