import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  alipayNameCategory,
  alipayOpenApiCategory,
  catalog,
  catalogCodes,
  CatalogSchema,
  gatewayCode,
  resultCodeClass,
  statusClassCategory,
  taobaoClass,
} from '../../transform/catalog.ts';

// The gateway's error reference, as delivered with the product specification (test/fixtures/seeds/README.md).
const seedPath = (name: string) => new URL(`../fixtures/seeds/${name}`, import.meta.url);

describe('error catalog', () => {
  it('holds the 17 gateway codes of the reference with HTTP status, category, retry advice, description', () => {
    const seed = readFileSync(seedPath('gateway-errors.en.txt'), 'utf8');
    const rows = [...seed.matchAll(/^([A-Z_]+) \| (\d{3}) \| ([A-Z_]+) \| (.+?)( \|)?$/gm)];
    assert.equal(rows.length, 17);
    assert.deepEqual(
      catalogCodes(),
      rows.map((r) => r[1]),
    );
    for (const r of rows) {
      const g = gatewayCode(r[1] ?? '');
      assert.ok(g);
      assert.equal(g.http_status, Number(r[2]));
      assert.equal(g.category, r[3]);
      assert.equal(g.description, r[4]);
    }
    assert.equal(gatewayCode('RATE_LIMIT_EXCEEDED')?.retry, 'retry_with_backoff');
    assert.equal(gatewayCode('CHANNEL_UPSTREAM_ERROR')?.retry, 'retry_once');
    assert.equal(gatewayCode('INVALID_API_KEY')?.retry, 'do_not_retry');
    assert.deepEqual(
      catalog.gateway.filter((g) => g.limit_kind !== '').map((g) => [g.code, g.limit_kind]),
      [
        ['RATE_LIMIT_EXCEEDED', 'rate'],
        ['QUOTA_EXCEEDED', 'quota'],
        ['PLATFORM_QUOTA_EXCEEDED', 'platform'],
        ['INSUFFICIENT_BALANCE', 'balance'],
      ],
    );
  });
  it('is validated by zod: a broken file fails to load', () => {
    const raw = JSON.parse(readFileSync(new URL('../../data/errors.catalog.json', import.meta.url), 'utf8')) as {
      gateway: { category: string }[];
    };
    assert.ok(CatalogSchema.safeParse(raw).success);
    const broken = structuredClone(raw);
    (broken.gateway[0] as { category: string }).category = 'NOPE';
    assert.equal(CatalogSchema.safeParse(broken).success, false);
    assert.equal(CatalogSchema.safeParse({ ...raw, gateway: raw.gateway.slice(1) }).success, false);
  });
  it('holds the Taobao system, business and container codes with English names', () => {
    const names = new Map(catalog.taobao.codes.map((t) => [t.code, t.name_en]));
    assert.equal(names.get(7), 'App Call Limited');
    assert.equal(names.get(8), 'App Call Exceeds Limited Frequency');
    assert.equal(names.get(902), 'Remote Service Error');
    assert.ok(catalog.taobao.codes.length >= 100);
  });
  it('holds the whole result_code enum and the Alipay codes of the seeds', () => {
    const seed = readFileSync(seedPath('result-code-api-errors.zh-tw.txt'), 'utf8');
    const enumPart = seed.slice(seed.indexOf('Full Result Code Enum'));
    const codes = [...enumPart.matchAll(/^([a-z_]+)$/gm)].map((m) => m[1]);
    assert.deepEqual(
      catalog.result_code.codes.map((c) => c.code),
      codes,
    );
    const legacy = catalog.alipay.legacy.map((a) => a.code);
    for (const c of ['ILLEGAL_SIGN_TYPE', 'TRADE_NOT_EXIST', 'OUT_TRADE_NO_EXIST', 'ILLEGAL_DYN_MD5_KEY']) assert.ok(legacy.includes(c), c);
  });
});

describe('vendor classification (docs/event-model.md §5)', () => {
  it('Taobao codes by table and by range', () => {
    const cls = (c: string): string => {
      const v = taobaoClass(c);
      return `${v.category}/${v.limit_kind}`;
    };
    assert.equal(cls('7'), 'RATE_LIMIT_ERROR/quota');
    assert.equal(cls('8'), 'RATE_LIMIT_ERROR/rate');
    assert.equal(cls('27'), 'AUTH_ERROR/');
    assert.equal(cls('43'), 'VALIDATION_ERROR/');
    assert.equal(cls('102'), 'AUTH_ERROR/');
    assert.equal(cls('662'), 'AUTH_ERROR/');
    assert.equal(cls('901'), 'CHANNEL_ERROR/');
    assert.equal(cls('1'), 'CHANNEL_ERROR/');
    assert.equal(cls('abc'), 'CHANNEL_ERROR/');
  });
  it('result_code: fixed codes, the rest by status', () => {
    assert.deepEqual(resultCodeClass('credit_not_enough', 0), { category: 'VALIDATION_ERROR', limit_kind: 'balance' });
    assert.equal(resultCodeClass('token_validation_failed', 400).category, 'AUTH_ERROR');
    assert.equal(resultCodeClass('un_handle_exception', 400).category, 'INTERNAL_ERROR');
    assert.equal(resultCodeClass('contact_customer_service', 0).category, 'CHANNEL_ERROR');
    assert.equal(resultCodeClass('field_is_required', 0).category, 'VALIDATION_ERROR');
    assert.equal(resultCodeClass('field_is_required', 400).category, 'VALIDATION_ERROR');
  });
  it('Alipay names and OpenAPI codes', () => {
    assert.equal(alipayNameCategory('ILLEGAL_SIGN_TYPE'), 'AUTH_ERROR');
    assert.equal(alipayNameCategory('ILLEGAL_PUBLIC_KEY'), 'AUTH_ERROR');
    assert.equal(alipayNameCategory('ILLEGAL_USER'), 'VALIDATION_ERROR');
    assert.equal(alipayNameCategory('ACQ.TRADE_NOT_EXIST'), 'VALIDATION_ERROR');
    assert.equal(alipayNameCategory('OUT_TRADE_NO_EXIST'), 'VALIDATION_ERROR');
    assert.equal(alipayNameCategory('BUYER_SELLER_EQUAL'), 'CHANNEL_ERROR');
    assert.equal(alipayOpenApiCategory('40004', 'isv.illegal-sign-type'), 'AUTH_ERROR');
    assert.equal(alipayOpenApiCategory('40002', ''), 'VALIDATION_ERROR');
    assert.equal(alipayOpenApiCategory('99999', ''), 'CHANNEL_ERROR');
  });
  it('status classes for codes the catalog does not know', () => {
    assert.equal(statusClassCategory(404), 'VALIDATION_ERROR');
    assert.equal(statusClassCategory(503), 'INTERNAL_ERROR');
    assert.equal(statusClassCategory(0), 'INTERNAL_ERROR');
  });
});
