// The synthetic traffic generator: deterministic, exact counts, every dialect of
// docs/event-model.md §3 on the right stream, request ids shared between streams, planted secrets,
// garbage, and each incident inside its window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateRecords, incidentsOf, type GeneratedRecord, type GenerateOptions } from '../../ingest/generator/index.ts';
import { GATEWAY_CODES } from '../../ingest/generator/vendors.ts';
import { PLANTED_SECRETS } from '../../ingest/generator/secrets.ts';

const START = Date.parse('2026-11-21T00:00:00Z');
const DAY = 86_400_000;
const BASE: GenerateOptions = { seed: 42, startMs: START, durationMs: DAY, count: 80_000 };
const sample: GeneratedRecord[] = [...generateRecords(BASE)];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function parse(value: string): Obj | null {
  if (!value.startsWith('{')) return null;
  try {
    const v: unknown = JSON.parse(value);
    return isObj(v) ? v : null;
  } catch {
    return null;
  }
}

/** Every object in a record, JSON strings under known keys decoded too. */
function objects(v: unknown, out: Obj[] = []): Obj[] {
  if (typeof v === 'string' && v.startsWith('{')) {
    const o = parse(v);
    if (o) objects(o, out);
  } else if (Array.isArray(v)) for (const x of v) objects(x, out);
  else if (isObj(v)) {
    out.push(v);
    for (const x of Object.values(v)) objects(x, out);
  }
  return out;
}

const gateway = sample.filter((r) => r.source === 'gateway');
const client = sample.filter((r) => r.source === 'client');
const gwObjs = gateway.map((r) => ({ r, o: parse(r.value) })).filter((x): x is { r: GeneratedRecord; o: Obj } => x.o !== null);

function some(pred: (o: Obj) => boolean): number {
  let n = 0;
  for (const { o } of gwObjs) if (objects(o).some(pred)) n++;
  return n;
}

test('same seed gives the same bytes, another seed other bytes', () => {
  const a = [...generateRecords({ ...BASE, count: 5000 })];
  const b = [...generateRecords({ ...BASE, count: 5000 })];
  assert.deepEqual(a, b);
  const c = [...generateRecords({ ...BASE, count: 5000, seed: 43 })];
  assert.notDeepEqual(
    a.map((r) => r.value),
    c.map((r) => r.value),
  );
});

test('emits exactly count records inside the period, requests in time order, both topics', () => {
  assert.equal(sample.length, 80_000);
  assert.ok(gateway.length > 50_000 && client.length > 15_000, `${gateway.length} gateway / ${client.length} client`);
  for (const r of sample) {
    assert.ok(r.timestampMs >= START && r.timestampMs < START + DAY + 10_000, `time ${r.timestampMs}`);
    assert.equal(r.topic, r.source === 'gateway' ? 'gateway-logs' : 'client-logs');
    assert.ok(!r.value.includes('\n'), 'one line per record');
  }
  // Each request is stamped at start + latency, a client's earlier attempts up to 8.4 s before its
  // last (waits of 1, 2 and 4 s, +20 %), so order holds up to the largest latency plus those waits.
  for (let i = 1; i < sample.length; i++) assert.ok(sample[i]!.timestampMs >= sample[i - 1]!.timestampMs - 15_000);
  assert.equal([...generateRecords({ ...BASE, count: 0 })].length, 0);
  assert.equal([...generateRecords({ ...BASE, count: 777, sources: 'client' })].filter((r) => r.source === 'client').length, 777);
  const { count: _all, ...unbounded } = BASE;
  assert.equal([...generateRecords({ ...unbounded, durationMs: 60_000, ratePerSec: 10 })].length, 600);
});

test(
  'clients retry: most back off from 1 s after a 429, one app retries within 400 ms, one retries 400/401/403/404' + '; one app times out',
  () => {
    // The client's JSON lines (the other forms may omit the attempt), by request id.
    const byId = new Map<string, Obj[]>();
    for (const r of client) {
      const o = parse(r.value);
      if (o && typeof o.request_id === 'string' && typeof o.attempt === 'number')
        byId.set(o.request_id, [...(byId.get(o.request_id) ?? []), { ...o, at: r.timestampMs }]);
    }
    const retries: { app: string; status: number; attempt: number; gap: number }[] = [];
    for (const list of byId.values()) {
      list.sort((a, b) => (a.attempt as number) - (b.attempt as number));
      for (let i = 1; i < list.length; i++) {
        const [a, b] = [list[i - 1]!, list[i]!];
        assert.ok((b.attempt as number) > (a.attempt as number), 'one line per attempt');
        if (b.attempt === (a.attempt as number) + 1)
          retries.push({
            app: a.app_id as string,
            status: a.status as number,
            attempt: a.attempt as number,
            gap: (b.at as number) - (a.at as number),
          });
      }
    }
    const fast = retries.filter((r) => r.status === 429 && r.gap < 1000 * 2 ** (r.attempt - 1));
    assert.ok(
      fast.length > 10 && fast.every((r) => r.app === 'mobile-app' && r.gap >= 100 && r.gap <= 400),
      JSON.stringify(fast.slice(0, 5)),
    );
    assert.ok(retries.filter((r) => r.status === 429 && r.app !== 'mobile-app').length > 10, 'the others back off');
    const unchanged = retries.filter((r) => [400, 401, 403, 404].includes(r.status));
    assert.ok(unchanged.length >= 2 && unchanged.every((r) => r.app === 'erp-sync'), JSON.stringify(unchanged.slice(0, 5)));
    // Timeouts: the client logs a 504 after 2.5 s while the gateway served the request.
    const timedOut = [...byId.values()]
      .flat()
      .filter((o) => o.status === 504 && o.latency_ms !== undefined && (o.latency_ms as number) < 2600 && o.app_id === 'mobile-app');
    assert.ok(timedOut.length > 0);
    const gwOk = new Set(
      gateway
        .map((r) => parse(r.value))
        .filter((o): o is Obj => o !== null && (o.status === 200 || o.status_code === 200 || o.http_status === 200))
        .map((o) => o.request_id),
    );
    assert.ok(
      timedOut.some((o) => gwOk.has(o.request_id)),
      'the gateway logged those requests as served',
    );
  },
);

test('gateway protocol errors cover all 17 catalog codes, with and without category/status', () => {
  for (const c of GATEWAY_CODES) {
    const n = some((o) => isObj(o.error) && o.error.code === c.code);
    assert.ok(n > 0, `no gateway error with code ${c.code}`);
  }
  assert.ok(some((o) => isObj(o.error) && o.error.category === undefined) > 0, 'catalog fill-in of category');
  assert.ok(
    some((o) => isObj(o.error) && (o.error.code === 'UPSTREAM_TIMEOUT' || o.error.code === 'IDEMPOTENCY_CONFLICT')) > 0,
    'catalog drift',
  );
  assert.ok(
    gwObjs.some(({ o }) => isObj(o.error) && typeof o.error.code === 'string'),
    'error at the top level',
  );
  for (const key of ['response', 'body', 'error_body']) {
    assert.ok(
      gwObjs.some(({ o }) => key in o && objects(o[key]).some((x) => isObj(x.error))),
      `error under ${key}`,
    );
  }
  assert.ok(
    gwObjs.some(({ o }) => typeof o.body === 'string'),
    'error body as a JSON string',
  );
});

test('business failures, unavailable lines and partial successes', () => {
  assert.ok(some((o) => o.success === false && Array.isArray(o.failed_offers) && o.failed_offers.length > 0) > 20);
  assert.ok(some((o) => o.success === false && Array.isArray(o.unavailable_lines)) > 5);
  assert.ok(some((o) => o.success === true && Array.isArray(o.failed_offers) && o.failed_offers.length > 0) > 5);
});

test('vendor dialects: Taobao TOP 2.0 (timeouts 900-902, call limits 4-8) and 1.0, result_code, Alipay legacy and OpenAPI', () => {
  const topCodes = new Set<unknown>();
  for (const { o } of gwObjs) for (const x of objects(o)) if (isObj(x.error_response)) topCodes.add(x.error_response.code);
  for (const c of [4, 5, 6, 7, 8, 900, 901, 902, 15, 27]) assert.ok(topCodes.has(c), `no TOP 2.0 error_response code ${c}`);
  assert.ok(some((o) => isObj(o.error_rsp)) > 0, 'TOP 1.0 error_rsp');
  assert.ok(some((o) => typeof o.result_code === 'string' && Array.isArray(o.validation_failed_responses)) > 0, 'result_code');
  assert.ok(some((o) => typeof o.result_code === 'string' && o.result_code === 'credit_not_enough') > 0);
  assert.ok(some((o) => o.is_success === 'F' && typeof o.error === 'string') > 0, 'Alipay legacy failure');
  assert.ok(some((o) => o.is_success === 'T') > 0, 'Alipay legacy success');
  assert.ok(
    some((o) => Object.keys(o).some((k) => /^alipay_.*_response$/.test(k) && isObj(o[k]) && (o[k] as Obj).code !== '10000')) > 0,
    'Alipay OpenAPI failure',
  );
  assert.ok(some((o) => isObj(o.error) && typeof o.error.upstream === 'string') > 0, 'upstream as a string');
  assert.ok(some((o) => isObj(o.error) && isObj(o.error.upstream) && typeof o.error.upstream.vendor === 'string') > 0, 'upstream summary');
  // Dialect 7: an HTTP error with no error body at all.
  assert.ok(
    gwObjs.some(
      ({ o }) => typeof o.status === 'number' && o.status >= 500 && !objects(o).some((x) => 'error' in x || 'error_response' in x),
    ),
    'bare HTTP error',
  );
});

test('client records: JSON, logfmt and text lines sharing request ids with the gateway', () => {
  const ids = new Set<string>();
  for (const r of gateway) for (const m of r.value.matchAll(/req_[A-Za-z0-9]+/g)) ids.add(m[0]);
  let json = 0,
    logfmt = 0,
    text = 0,
    textBody = 0,
    shared = 0;
  for (const r of client) {
    if (r.value.startsWith('{')) json++;
    else if (r.value.startsWith('ts=')) logfmt++;
    else if (/^\d{4}-\d{2}-\d{2}[T ]/.test(r.value)) {
      text++;
      if (r.value.includes(' body={')) textBody++;
    }
    const id = /req_[A-Za-z0-9]+/.exec(r.value)?.[0];
    if (id && ids.has(id)) shared++;
  }
  assert.ok(json > 1000 && logfmt > 1000 && text > 1000 && textBody > 50, `json ${json} logfmt ${logfmt} text ${text} body ${textBody}`);
  assert.ok(shared / client.length > 0.98, `shared ids ${shared}/${client.length}`);
  assert.ok(
    client.some((r) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} /.test(r.value)),
    'two-token text timestamp',
  );
});

test('secrets are planted where they leak in real logs', () => {
  const all = sample.map((r) => r.value).join('\n');
  const planted = PLANTED_SECRETS.filter((s) => all.includes(s));
  assert.ok(planted.length > PLANTED_SECRETS.length / 2, `${planted.length} secrets planted`);
  assert.match(all, /"key":"sign","value":"[0-9A-F]{32}"/);
  assert.match(all, /"key":"session","value":"6102/);
  assert.match(all, /"authorization":"Bearer fl_live_/);
  assert.match(all, / access_token=at\./);
  assert.match(all, /"api_key":"at\./);
  assert.match(all, /Authorization: Bearer fl_live_/);
});

test('a little garbage: non-objects, truncated JSON and unrecognisable text', () => {
  const bad = sample.filter((r) => parse(r.value) === null && !/^(ts=|\d{4}-\d{2}-\d{2}[T ])/.test(r.value));
  assert.ok(bad.length > 40 && bad.length < 600, `${bad.length} garbage records`);
  assert.equal(
    [...generateRecords({ ...BASE, count: 20_000, garbage: 0 })].filter(
      (r) => parse(r.value) === null && !/^(ts=|\d{4}-\d{2}-\d{2}[T ])/.test(r.value),
    ).length,
    0,
  );
});

test('incidents sit in their windows: Taobao outage, error spike, failed-offer burst, 1688 quota', () => {
  const inc = new Map(incidentsOf(BASE).map((i) => [i.name, i]));
  assert.deepEqual([...inc.keys()].sort(), [
    'error_spike',
    'failed_offers_burst',
    'misconfigured_shipper',
    'quota_exhausted',
    'taobao_outage',
  ]);
  const count = (name: string, pred: (o: Obj) => boolean): { inside: number; outside: number; insideAll: number; outsideAll: number } => {
    const w = inc.get(name as never)!;
    const res = { inside: 0, outside: 0, insideAll: 0, outsideAll: 0 };
    for (const { r, o } of gwObjs) {
      const inWin = r.timestampMs >= w.startMs && r.timestampMs < w.endMs + 10_000;
      if (inWin) res.insideAll++;
      else res.outsideAll++;
      if (objects(o).some(pred)) {
        if (inWin) res.inside++;
        else res.outside++;
      }
    }
    return res;
  };
  const rate = (x: { inside: number; outside: number; insideAll: number; outsideAll: number }) =>
    [x.inside / x.insideAll, x.outside / x.outsideAll] as const;

  const quota = count('quota_exhausted', (o) => isObj(o.error) && o.error.code === 'QUOTA_EXCEEDED');
  const [qIn, qOut] = rate(quota);
  assert.ok(qIn > 0.2 && qOut < 0.005, `quota in ${qIn} out ${qOut}`);
  const late = gwObjs.filter(
    ({ r, o }) => isObj(o.error) && o.error.code === 'QUOTA_EXCEEDED' && r.timestampMs >= inc.get('quota_exhausted')!.startMs,
  );
  assert.ok(late.filter(({ o }) => o.channel === '1688').length / late.length > 0.98, "the exhausted quota is 1688's");

  const outage = count('taobao_outage', (o) => isObj(o.error_response) && [900, 901, 902].includes(o.error_response.code as number));
  const [oIn, oOut] = rate(outage);
  assert.ok(oIn > 0.1 && oOut < 0.001, `outage in ${oIn} out ${oOut}`);

  const spike = count('error_spike', (o) => isObj(o.error) && o.error.code === 'INTERNAL_ERROR');
  const [sIn, sOut] = rate(spike);
  assert.ok(sIn > 0.15 && sOut < 0.01, `spike in ${sIn} out ${sOut}`);

  const burst = count(
    'failed_offers_burst',
    (o) => Array.isArray(o.failed_offers) && o.failed_offers.some((f) => isObj(f) && f.error_code === 'STOCK_NOT_ENOUGH'),
  );
  const [bIn, bOut] = rate(burst);
  assert.ok(bIn > 5 * bOut, `burst in ${bIn} out ${bOut}`);

  const calm = [...generateRecords({ ...BASE, count: 30_000, incidents: false })].filter(
    (r) => r.value.includes('"QUOTA_EXCEEDED"') && r.source === 'gateway',
  );
  assert.ok(calm.length < 30, `steady day has ${calm.length} quota errors`);
  assert.deepEqual(incidentsOf({ ...BASE, incidents: false }), []);
});

test(
  'through the normalizer: every record is one event or one reject' + ', every outcome/category/limit/vendor shows up, no secret survives',
  async () => {
    const { normalize } = await import('../../transform/normalize.ts');
    const records = sample.slice(0, 40_000);
    const seen = new Set<string>();
    let rejects = 0;
    const secrets = new RegExp(PLANTED_SECRETS.join('|'));
    for (const r of records) {
      const res = normalize(r.value, { source: r.source, transportTimeMs: r.timestampMs });
      assert.doesNotMatch(JSON.stringify(res), secrets, `a planted secret survived normalization of ${r.value.slice(0, 200)}`);
      if (!res.ok) {
        rejects++;
        continue;
      }
      const e = res.event;
      assert.equal(e.source, r.source);
      seen
        .add(`outcome:${e.outcome}`)
        .add(`category:${e.category}`)
        .add(`limit:${e.limit_kind}`)
        .add(`vendor:${e.upstream_vendor}`)
        .add(`source:${e.source}`);
      if (e.catalog_drift) seen.add('drift');
      if (e.failed_offers.length > 0) seen.add('failed_offers');
      if (e.request_id !== '') seen.add(`id:${e.source}`);
    }
    for (const k of [
      'outcome:ok',
      'outcome:error',
      'outcome:business_failure',
      'outcome:partial_success',
      'category:AUTH_ERROR',
      'category:RATE_LIMIT_ERROR',
      'category:VALIDATION_ERROR',
      'category:CHANNEL_ERROR',
      'category:INTERNAL_ERROR',
      'category:BUSINESS_ERROR',
      'limit:rate',
      'limit:quota',
      'limit:platform',
      'limit:balance',
      'vendor:taobao',
      'vendor:1688',
      'vendor:alipay',
      'vendor:tw-mall',
      'drift',
      'failed_offers',
      'id:gateway',
      'id:client',
    ]) {
      assert.ok(seen.has(k), `no event with ${k}`);
    }
    assert.ok(rejects > 20 && rejects < 300, `${rejects} rejects of ${records.length}`);
  },
);
