// The gateway's error catalog and the vendor code tables (data/errors.catalog.json),
// validated with zod once at module load. Lookups are Map-based: the normalizer calls them
// for every record. Category rules follow docs/event-model.md §3 and §5.
import { z } from 'zod';
import rawCatalog from '../data/errors.catalog.json' with { type: 'json' };
import { CategorySchema, LimitKindSchema, type Category, type LimitKind } from './event.ts';

const GatewayCategory = z.enum(['AUTH_ERROR', 'RATE_LIMIT_ERROR', 'VALIDATION_ERROR', 'CHANNEL_ERROR', 'INTERNAL_ERROR']);

const GatewayCodeSchema = z.object({
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  http_status: z.number().int().min(100).max(599),
  category: GatewayCategory,
  /** What a caller should do: the gateway reference's "Recommended handling". */
  retry: z.enum(['retry_with_backoff', 'retry_once', 'do_not_retry']),
  limit_kind: LimitKindSchema,
  description: z.string().min(1),
});

const TaobaoCodeSchema = z.object({
  code: z.number().int().nonnegative(),
  group: z.enum(['system', 'container', 'business']),
  name_en: z.string().min(1),
  name_zh: z.string(),
  category: CategorySchema,
  limit_kind: LimitKindSchema,
});

const ResultCodeSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]*$/),
  http_status: z.number().int().nullable(),
  meaning_zh: z.string(),
  /** null: decided by the HTTP status (docs/event-model.md §5). */
  category: CategorySchema.nullable(),
  limit_kind: LimitKindSchema,
});

const AlipayLegacySchema = z.object({ code: z.string(), description_zh: z.string(), category: CategorySchema });
const AlipayOpenApiSchema = z.object({ code: z.string(), description: z.string(), category: CategorySchema });

export const CatalogSchema = z.object({
  version: z.literal(1),
  gateway: z.array(GatewayCodeSchema).length(17),
  taobao: z.object({ vendor: z.string(), default_category: CategorySchema, codes: z.array(TaobaoCodeSchema).min(1) }),
  result_code: z.object({ default_vendor: z.string(), codes: z.array(ResultCodeSchema).min(1) }),
  alipay: z.object({
    vendor: z.string(),
    default_category: CategorySchema,
    legacy: z.array(AlipayLegacySchema).min(1),
    openapi: z.array(AlipayOpenApiSchema).min(1),
  }),
});

export type Catalog = z.infer<typeof CatalogSchema>;
export type GatewayCode = z.infer<typeof GatewayCodeSchema>;

/** The validated catalog; a broken data file fails at import, never per record. */
export const catalog: Catalog = CatalogSchema.parse(rawCatalog);

const gatewayByCode = new Map(catalog.gateway.map((g) => [g.code, g]));
const taobaoByCode = new Map(catalog.taobao.codes.map((t) => [t.code, t]));
const resultCodeByCode = new Map(catalog.result_code.codes.map((r) => [r.code, r]));
const alipayOpenApiByCode = new Map(catalog.alipay.openapi.map((a) => [a.code, a]));

/** The 17 gateway codes, in catalog order (dashboards use them for variables and panels). */
export function catalogCodes(): string[] {
  return catalog.gateway.map((g) => g.code);
}

export function gatewayCode(code: string): GatewayCode | undefined {
  return gatewayByCode.get(code);
}

export interface VendorClass {
  category: Category;
  limit_kind: LimitKind;
}

const CHANNEL: VendorClass = { category: 'CHANNEL_ERROR', limit_kind: '' };
const INTERNAL: VendorClass = { category: 'INTERNAL_ERROR', limit_kind: '' };
const VALIDATION: VendorClass = { category: 'VALIDATION_ERROR', limit_kind: '' };

const CONTAINER_AUTH: VendorClass = { category: 'AUTH_ERROR', limit_kind: '' };

/**
 * Taobao TOP system/business/container codes (§5): the catalog's table, then the ranges of §5
 * for codes it does not list (100–106 container codes are auth); anything else is a channel error.
 */
export function taobaoClass(code: string): VendorClass {
  return cached(taobaoCache, code, taobaoClassOf);
}

function taobaoClassOf(code: string): VendorClass {
  const n = /^\d{1,6}$/.test(code) ? Number(code) : NaN;
  const t = taobaoByCode.get(n);
  if (t) return { category: t.category, limit_kind: t.limit_kind };
  return n >= 100 && n <= 106 ? CONTAINER_AUTH : CHANNEL;
}

// Vendor codes repeat across records: the rules above run once per distinct code. Bounded,
// so records with ever-new codes cannot grow the caches without limit.
const CACHE_MAX = 4096;
const taobaoCache = new Map<string, VendorClass>();
const alipayNameCache = new Map<string, Category>();

function cached<T>(cache: Map<string, T>, key: string, compute: (key: string) => T): T {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const v = compute(key);
  if (cache.size >= CACHE_MAX) cache.clear();
  if (key.length <= 128) cache.set(key, v);
  return v;
}

/** result_code ErrorResponse (§5): fixed codes, the rest by HTTP status. */
export function resultCodeClass(code: string, httpStatus: number): VendorClass {
  const r = resultCodeByCode.get(code);
  if (r && r.category !== null) return { category: r.category, limit_kind: r.limit_kind };
  // "The rest by HTTP status": the status classes of §3 (dialects 1 and 7), the spec's only
  // status -> category mapping; 400 or no status is validation.
  return httpStatus >= 500 && httpStatus <= 599 ? INTERNAL : VALIDATION;
}

const ALIPAY_AUTH = new Set(['ILLEGAL_SECURITY_PROFILE', 'ILLEGAL_ENCRYPT', 'ILLEGAL_DYN_MD5_KEY']);

/** Alipay codes by name (§5); OpenAPI sub codes like `ACQ.TRADE_NOT_EXIST` or `isv.invalid-signature` use their last segment. */
export function alipayNameCategory(name: string): Category {
  return cached(alipayNameCache, name, alipayNameCategoryOf);
}

function alipayNameCategoryOf(name: string): Category {
  const dot = name.lastIndexOf('.');
  const c = (dot >= 0 ? name.slice(dot + 1) : name).toUpperCase().replace(/-/g, '_');
  if (c.startsWith('ILLEGAL_')) {
    if (c.startsWith('ILLEGAL_SIGN') || c.startsWith('ILLEGAL_PARTNER') || ALIPAY_AUTH.has(c)) return 'AUTH_ERROR';
    if (c.slice(8).includes('KEY')) return 'AUTH_ERROR';
    return 'VALIDATION_ERROR';
  }
  if (c.endsWith('_NOT_EXIST') || c === 'OUT_TRADE_NO_EXIST') return 'VALIDATION_ERROR';
  return 'CHANNEL_ERROR';
}

/** Alipay OpenAPI: decided on sub_code when present, else on the public gateway code. */
export function alipayOpenApiCategory(code: string, subCode: string): Category {
  if (subCode !== '') return alipayNameCategory(subCode);
  const a = alipayOpenApiByCode.get(code);
  return a && a.category !== '' ? a.category : 'CHANNEL_ERROR';
}

/**
 * Category of an HTTP status when the catalog does not know the code, and of a bare status
 * (docs/real-inputs.md §3 "Status classes"): 401 and 403 auth, 429 rate limit, other 4xx
 * (402 too) validation, anything else internal.
 */
export function statusClassCategory(httpStatus: number): Category {
  if (httpStatus === 401 || httpStatus === 403) return 'AUTH_ERROR';
  if (httpStatus === 429) return 'RATE_LIMIT_ERROR';
  return httpStatus >= 400 && httpStatus < 500 ? 'VALIDATION_ERROR' : 'INTERNAL_ERROR';
}

/** The limit a bare status names (real-inputs.md §3): 429 a rate limit, 402 a balance. */
export function statusLimitKind(httpStatus: number): LimitKind {
  return httpStatus === 429 ? 'rate' : httpStatus === 402 ? 'balance' : '';
}
