// Error vocabularies the generator draws from: the gateway's 17 catalog codes
// (test/fixtures/seeds/gateway-errors.en.txt) and vendor codes of the Taobao TOP system table,
// the result_code ErrorResponse enum and Alipay (the gateway's vendor error references;
// data/errors.catalog.json cites them). Kept here, not read from data/errors.catalog.json, so
// generated traffic can also contain codes the catalog does not know (catalog drift) and stays
// independent of the normalizer under test.

export interface GatewayCode {
  code: string;
  status: number;
  category: string;
  message: string;
}

/** The 17 codes of the gateway error reference. */
export const GATEWAY_CODES: readonly GatewayCode[] = [
  { code: 'INVALID_API_KEY', status: 401, category: 'AUTH_ERROR', message: 'Invalid or missing Bearer token.' },
  { code: 'CHANNEL_NOT_AUTHORIZED', status: 401, category: 'AUTH_ERROR', message: 'Channel not authorized for this app.' },
  { code: 'INSUFFICIENT_SCOPE', status: 403, category: 'AUTH_ERROR', message: 'Operation not permitted for this key/app.' },
  {
    code: 'FULFILLMENT_MODE_NOT_SUPPORTED',
    status: 403,
    category: 'AUTH_ERROR',
    message: '/v1/fulfillment/* is not available on a self-fulfillment app.',
  },
  { code: 'VALIDATION_ERROR', status: 400, category: 'VALIDATION_ERROR', message: 'product_id, url, mi_id, or tao_password is required.' },
  { code: 'UNSUPPORTED_CHANNEL', status: 400, category: 'VALIDATION_ERROR', message: "Unknown channel value 'jd'." },
  { code: 'UNSUPPORTED_FIELD', status: 400, category: 'VALIDATION_ERROR', message: 'currency is not supported on product routes.' },
  { code: 'NOT_FOUND', status: 404, category: 'VALIDATION_ERROR', message: 'Order does not exist.' },
  { code: 'RATE_LIMIT_EXCEEDED', status: 429, category: 'RATE_LIMIT_ERROR', message: 'Per-minute rate limit exceeded, retry later.' },
  { code: 'QUOTA_EXCEEDED', status: 429, category: 'RATE_LIMIT_ERROR', message: 'Daily channel quota exhausted.' },
  { code: 'PLATFORM_QUOTA_EXCEEDED', status: 429, category: 'RATE_LIMIT_ERROR', message: 'Platform-wide capacity limit reached.' },
  { code: 'CHANNEL_CAPABILITY_NOT_SUPPORTED', status: 400, category: 'CHANNEL_ERROR', message: 'Operation not available on this channel.' },
  { code: 'CHANNEL_UPSTREAM_ERROR', status: 502, category: 'CHANNEL_ERROR', message: 'Marketplace rejected the call.' },
  { code: 'INTERNAL_ERROR', status: 500, category: 'INTERNAL_ERROR', message: 'Unexpected Gateway failure, retry with backoff.' },
  { code: 'PARCEL_NOT_FOUND', status: 404, category: 'VALIDATION_ERROR', message: 'Invalid or not yet inbound parcel.' },
  { code: 'INVALID_SHIPPING_CHANNEL', status: 400, category: 'VALIDATION_ERROR', message: 'Bad shipping_channel_code.' },
  { code: 'INSUFFICIENT_BALANCE', status: 402, category: 'VALIDATION_ERROR', message: 'Fulfillment wallet balance too low to pay.' },
];

const GATEWAY_BY_CODE: ReadonlyMap<string, GatewayCode> = new Map(GATEWAY_CODES.map((c) => [c.code, c]));

export function gatewayCode(code: string): GatewayCode {
  const c = GATEWAY_BY_CODE.get(code);
  if (!c) throw new Error(`generator: unknown gateway code ${code}`);
  return c;
}

/** Codes a newer gateway release emits that the catalog does not list yet (catalog drift). */
export const DRIFT_CODES: readonly GatewayCode[] = [
  { code: 'UPSTREAM_TIMEOUT', status: 504, category: '', message: 'Upstream did not answer in time.' },
  { code: 'IDEMPOTENCY_CONFLICT', status: 409, category: '', message: 'external_order_id was already used with a different body.' },
];

export interface VendorError {
  code: string | number;
  msg: string;
  subCode?: string;
  subMsg?: string;
}

/** Taobao TOP errors seen behind product and order calls (system table + business codes). */
export const TAOBAO_BACKGROUND: readonly (readonly [VendorError, number])[] = [
  [
    {
      code: 15,
      msg: 'Remote service error',
      subCode: 'isv.item-not-exist:invalid-numIid',
      subMsg: 'The item does not exist or has been delisted',
    },
    10,
  ],
  [{ code: 530, msg: 'Remote service error', subCode: 'missing-parameter', subMsg: 'iid and num_iid: at least one is required' }, 4],
  [{ code: 520, msg: 'Remote service error', subCode: 'isv.trade-not-exist', subMsg: 'Trade does not exist' }, 3],
  [{ code: 41, msg: 'Invalid Arguments', subCode: 'isv.invalid-parameter:num_iid', subMsg: 'num_iid must be a positive number' }, 5],
  [{ code: 40, msg: 'Missing Required Arguments', subCode: 'isv.missing-parameter:fields', subMsg: 'fields is required' }, 2],
  [{ code: 27, msg: 'Invalid Session', subCode: 'invalid-sessionkey', subMsg: 'SessionKey expired, re-authorize the shop' }, 4],
  [{ code: 25, msg: 'Invalid Signature' }, 2],
  [
    {
      code: 11,
      msg: 'Insufficient ISV Permissions',
      subCode: 'isv.permission-api-package-limit',
      subMsg: 'Your app has no access to this API package',
    },
    2,
  ],
  [{ code: 10, msg: 'Service Currently Unavailable', subCode: 'isp.top-remote-unknown-error', subMsg: 'Try again later' }, 2],
  [
    {
      code: 7,
      msg: 'App Call Limited',
      subCode: 'accesscontrol.limited-by-app-access-count',
      subMsg: 'This ban will last for 71 more seconds',
    },
    3,
  ],
  [
    {
      code: 8,
      msg: 'App Call Exceeds Limited Frequency',
      subCode: 'accesscontrol.limited-by-api-access-count',
      subMsg: 'This ban will last for 1 more seconds',
    },
    3,
  ],
  [
    {
      code: 4,
      msg: 'User Call Limited',
      subCode: 'accesscontrol.limited-by-user-access-count',
      subMsg: 'This ban will last for 30 more seconds',
    },
    1,
  ],
  [{ code: 5, msg: 'Session Call Limited' }, 1],
  [{ code: 6, msg: 'Partner Call Limited' }, 1],
  [{ code: 508, msg: 'No Permission Get Information' }, 1],
  [{ code: 560, msg: 'Trade Service Unavailable' }, 1],
];

/** What the Taobao outage looks like: remote timeouts and connection errors. */
export const TAOBAO_OUTAGE: readonly (readonly [VendorError, number])[] = [
  [
    {
      code: 901,
      msg: 'Remote Service Timeout',
      subCode: 'isp.remote-service-timeout',
      subMsg: 'The remote service timed out after 3000 ms',
    },
    6,
  ],
  [
    { code: 900, msg: 'Remote Connection Error', subCode: 'isp.remote-connection-error', subMsg: 'Connection refused by the item service' },
    3,
  ],
  [{ code: 902, msg: 'Remote Service Error', subCode: 'isp.remote-service-error', subMsg: 'The remote service returned an error' }, 2],
  [{ code: 10, msg: 'Service Currently Unavailable', subCode: 'isp.service-unavailable', subMsg: 'Service temporarily unavailable' }, 1],
];

/** TOP 1.0 `error_rsp` bodies, still returned by a few legacy endpoints. */
export const TAOBAO_V1: readonly VendorError[] = [
  { code: 40, msg: 'Missing Required Arguments:nick' },
  { code: 22, msg: 'Invalid Method' },
  { code: 7, msg: 'App Call Limited' },
  { code: 901, msg: 'Remote Service Timeout' },
];

/** 1688 upstream errors (the gateway's own summary shape, vendor `1688`). */
export const ALIBABA_1688: readonly (readonly [VendorError, number])[] = [
  [{ code: 'gw.APIUnsupported', msg: 'API not supported for this app' }, 1],
  [{ code: 'gw.QPS_LIMIT', msg: 'Request frequency exceeds the limit' }, 2],
  [{ code: '500_001', msg: 'Offer is offline', subCode: 'OFFER_OFFLINE', subMsg: 'The offer was taken offline by the seller' }, 3],
  [{ code: '400_002', msg: 'Spec does not exist', subCode: 'SPEC_NOT_EXIST', subMsg: 'specId is not valid for this offer' }, 2],
];

/** result_code ErrorResponse codes (HTTP status, result_code, message, optional field). */
export const RESULT_CODES: readonly (readonly [
  { status: number; code: string; message: string; field?: string; fieldCode?: string },
  number,
])[] = [
  [{ status: 400, code: 'data_validation_failed', message: 'Validation failed.', field: 'product_id', fieldCode: 'field_is_required' }, 5],
  [{ status: 400, code: 'data_validation_failed', message: 'Validation failed.', field: 'quantity', fieldCode: 'value_out_of_range' }, 2],
  [{ status: 401, code: 'token_validation_failed', message: 'Private key validation failed.' }, 2],
  [{ status: 400, code: 'credit_not_enough', message: 'Not enough credit points.' }, 3],
  [{ status: 400, code: 'create_order_failed', message: 'Order creation failed.' }, 3],
  [{ status: 400, code: 'contact_customer_service', message: 'Please contact customer service.' }, 1],
  [{ status: 500, code: 'un_handle_exception', message: 'Unhandled exception.' }, 1],
  [{ status: 400, code: 'below_minimum_quantity', message: 'Below the minimum quantity.' }, 2],
  [{ status: 400, code: 'data_not_exist', message: 'Data does not exist.' }, 2],
];

export const ALIPAY_LEGACY: readonly string[] = [
  'ILLEGAL_SIGN_TYPE',
  'ILLEGAL_PARTNER',
  'TRADE_NOT_EXIST',
  'OUT_TRADE_NO_EXIST',
  'BUYER_NOT_EXIST',
  'SYSTEM_ERROR',
];

export const ALIPAY_OPENAPI: readonly VendorError[] = [
  { code: '40004', msg: 'Business Failed', subCode: 'ACQ.TRADE_NOT_EXIST', subMsg: 'The trade does not exist' },
  { code: '40004', msg: 'Business Failed', subCode: 'ACQ.BUYER_BALANCE_NOT_ENOUGH', subMsg: 'Buyer balance is not enough' },
  { code: '40002', msg: 'Invalid Arguments', subCode: 'isv.invalid-signature', subMsg: 'Signature verification failed' },
  { code: '20000', msg: 'Service Currently Unavailable', subCode: 'aop.ACQ.SYSTEM_ERROR', subMsg: 'System busy, retry later' },
];

/** 1688 order-line failures carried in failed_offers / unavailable_lines. */
export const OFFER_ERRORS: readonly (readonly [{ code: string; message: string }, number])[] = [
  [{ code: 'STOCK_NOT_ENOUGH', message: 'Insufficient stock' }, 8],
  [{ code: 'OFFER_OFFLINE', message: 'The offer is no longer on sale' }, 3],
  [{ code: 'PRICE_CHANGED', message: 'The price changed since preview' }, 2],
  [{ code: 'BELOW_MIN_ORDER_QUANTITY', message: 'Quantity is below the minimum order quantity' }, 2],
  [{ code: 'REGION_NOT_DELIVERABLE', message: 'The seller does not deliver to this region' }, 1],
];
