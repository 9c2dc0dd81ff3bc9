import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTextLine } from '../../transform/text-line.ts';
import { dateAt, hasOtherSpace, isoStartAt, keyEnd, quoted, scan, startLine } from '../../transform/text-scan.ts';

describe('text-scan', () => {
  it('hasOtherSpace sees each whitespace character but the space', () => {
    assert.equal(hasOtherSpace('a b  c'), false);
    for (const w of ['\t', '\n', '\r', '\v', '\f']) assert.equal(hasOtherSpace(`a${w}b`), true, JSON.stringify(w));
  });
  it('isoStartAt and dateAt read ASCII digits only, at the given index', () => {
    assert.equal(isoStartAt('x 2026-11-21T10:00 y', 2, 18), true);
    assert.equal(isoStartAt('2026-11-21t10:00', 0, 16), true);
    assert.equal(isoStartAt('2026-11-21T10:00', 0, 15), false);
    assert.equal(isoStartAt('2026-11-21 10:00', 0, 16), false);
    assert.equal(isoStartAt('2026-11-2１T10:00', 0, 16), false);
    assert.equal(dateAt('[2026-11-21]', 1), true);
    assert.equal(dateAt('2026/11/21', 0), false);
    assert.equal(dateAt('2026-1-211', 0), false);
  });
  it('keyEnd stops at the first non-key character or the bound', () => {
    assert.equal(keyEnd('k.x@y-z_9=1', 0, 11), 9);
    assert.equal(keyEnd('ké=1', 0, 4), 1);
    assert.equal(keyEnd('abc', 0, 2), 2);
  });
  it('quoted takes the fast slice without escapes and unescapes otherwise, value after value', () => {
    const s = 'a="x y" b="p\\"q" c="w" d="open';
    startLine(s);
    assert.equal(quoted(s, 2), 'x y');
    assert.equal(scan.quotedEnd, 7);
    assert.equal(quoted(s, 10), 'p"q');
    assert.equal(s[scan.quotedEnd - 1], '"');
    assert.equal(quoted(s, s.indexOf('"w')), 'w');
    assert.equal(quoted(s, s.indexOf('"open')), 'open');
    assert.equal(scan.quotedEnd, s.length);
  });
});

describe('parseTextLine JSON running to the end of the line', () => {
  it('parses a last `key={…}` and a tail object, and falls back when the rest does not parse', () => {
    let r = parseTextLine('2026-11-21 10:00:00.5 WARN w req_1 vendor=taobao body={"error_response":{"code":7}}', 64);
    assert.deepEqual(r.fields.body, { error_response: { code: 7 } });
    const two = 'a={"x":1} b={"y":{"z":[2]}}';
    r = parseTextLine(two, 64);
    assert.deepEqual([r.fields.a, r.fields.b], [{ x: 1 }, { y: { z: [2] } }]);
    assert.deepEqual(
      r.spans.map((sp) => two.slice(sp.start, sp.end)),
      ['{"x":1}', '{"y":{"z":[2]}}'],
    );
    const tails = 'x {"a":1} {"b":2}';
    r = parseTextLine(tails, 64);
    assert.deepEqual(r.tail, { b: 2 });
    assert.deepEqual(
      r.spans.map((sp) => [sp.key, tails.slice(sp.start, sp.end)]),
      [['', '{"b":2}']],
    );
    assert.equal(parseTextLine('a={"x":1}} b=2', 64).fields.b, '2');
    assert.equal(parseTextLine('a=[[[1]]]', 2).fields.a, '[[[1]]]');
  });
  it('keeps the scan budget: after many unclosed values a closing one stays text', () => {
    const r = parseTextLine(`${'a={ '.repeat(60)}z={"a":1}`, 64);
    assert.equal(r.fields.z, '{"a":1}');
    assert.deepEqual(parseTextLine(`${'a={ '.repeat(2)}z={"a":1}`, 64).fields.z, { a: 1 });
  });
  it('splits tokens on tabs and reads a level that upper-cases to one', () => {
    const r = parseTextLine('2026-11-21T10:00:00Z\tıNFO\tPOST\t/v1/a\tx=1\ty="2 3"', 64);
    assert.deepEqual(r.keys, ['ts', 'level', 'method', 'route', 'x', 'y']);
    assert.deepEqual(r.values, ['2026-11-21T10:00:00Z', 'ıNFO', 'POST', '/v1/a', '1', '2 3']);
  });
});
