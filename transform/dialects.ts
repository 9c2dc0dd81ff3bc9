// Dialect detection (docs/event-model.md §3) on one object's key map: the vendor bodies (3–6), the
// gateway protocol error (1) with its `upstream`, the business outcome (2) and failed lines.
import { taobaoClass } from './catalog.ts';
import type { FailedOffer } from './event.ts';
import { isObj, keyMap, pickStr, S, str, type KeyMap } from './keys.ts';
import { alipayLegacyError, alipayOpenApiError, alipayResponseBody } from './vendor-alipay.ts';
import type { VendorError } from './vendor-error.ts';
import { hasResultCode, resultCodeError } from './vendor-result-code.ts';
import { vendorSummary } from './signals.ts';
import { taobaoBody, taobaoError } from './vendor-taobao.ts';

export type { VendorError } from './vendor-error.ts';

/** Does the object carry any vendor body marker (even a success one)? */
export function hasVendorMarker(m: KeyMap): boolean {
  return m.has(S.errorResponse) || m.has(S.errorRsp) || m.has(S.isSuccess) || hasResultCode(m) || m.has(S.alipayBody);
}

/**
 * The vendor error of one object, if it is a vendor body. `vendorHint` is the record's
 * vendor/channel: it names the result_code vendor, and a TOP-shaped `error_response` on an
 * Alipay record is Alipay's (its OpenAPI uses the same envelope for gateway errors).
 */
export function vendorError(m: KeyMap, httpStatus: number, vendorHint: string): VendorError | undefined {
  const top = taobaoBody(m);
  if (top) return vendorHint.toLowerCase() === 'alipay' ? alipayOpenApiError(top) : taobaoError(top);
  const ali = alipayResponseBody(m);
  if (ali) return alipayOpenApiError(ali);
  if (m.has(S.isSuccess)) return alipayLegacyError(m);
  if (hasResultCode(m)) return resultCodeError(m, httpStatus, vendorHint);
  return undefined;
}

/**
 * `error.upstream` of a gateway error: a string (a message, or a JSON vendor body), an object
 * naming vendor/code/sub_code/message, or a nested vendor body. An upstream naming no vendor
 * belongs to the record's channel.
 */
export function upstreamError(
  up: unknown,
  httpStatus: number,
  channel: string,
  decoder: { decode(s: string): unknown },
): VendorError | undefined {
  if (typeof up === 'string') {
    const decoded = decoder.decode(up);
    if (isObj(decoded)) return upstreamError(decoded, httpStatus, channel, decoder);
    if (up === '') return undefined;
    // The gateway's summary `<vendor> <code>[/<sub_code>]: <message>` (docs/real-inputs.md §3).
    const sum = vendorSummary(up);
    if (sum !== undefined) return upstreamError(sum, httpStatus, channel, decoder);
    return { vendor: channel, code: '', subCode: '', message: up, category: 'CHANNEL_ERROR', limitKind: '' };
  }
  if (!isObj(up)) return undefined;
  const um = keyMap(up);
  const vendor = pickStr(um, [S.vendor, S.channel]) || channel;
  const nested = vendorError(um, httpStatus, vendor);
  if (nested) return nested;
  // One wrapper deeper (`upstream.body`, `upstream.response`), as vendors' bodies often sit there.
  for (const w of [S.body, S.response, S.data]) {
    const inner = um.get(w);
    const im = isObj(inner) ? keyMap(inner) : typeof inner === 'string' ? objMap(decoder.decode(inner)) : undefined;
    const v = im ? vendorError(im, httpStatus, vendor) : undefined;
    if (v) return v;
  }
  const code = pickStr(um, [S.code, S.errorCode]);
  const low = vendor.toLowerCase();
  const limitKind = low === 'taobao' || low === 'tmall' ? taobaoClass(code).limit_kind : code === 'credit_not_enough' ? 'balance' : '';
  return {
    vendor,
    code,
    subCode: str(um.get(S.subCode)),
    message: pickStr(um, [S.subMsg, S.message, S.msg, S.errorMessage]),
    category: 'CHANNEL_ERROR',
    limitKind,
  };
}

function objMap(v: unknown): KeyMap | undefined {
  return isObj(v) ? keyMap(v) : undefined;
}

/** `success` as a boolean (also "true"/"false" text), undefined when absent or something else. */
export function successFlag(m: KeyMap): boolean | undefined {
  const v = m.get(S.success);
  if (v === true || v === 'true' || v === 'TRUE' || v === 'True') return true;
  if (v === false || v === 'false' || v === 'FALSE' || v === 'False') return false;
  return undefined;
}

const MAX_OFFERS = 1000;

/** `failed_offers[]` (create) and `unavailable_lines[]` (preview) as failed offers (§3 dialect 2). */
export function failedOffers(maps: readonly KeyMap[]): FailedOffer[] {
  const out: FailedOffer[] = [];
  let offers: unknown;
  let lines: unknown;
  for (const m of maps) {
    offers ??= m.get(S.failedOffers);
    lines ??= m.get(S.unavailableLines);
  }
  if (Array.isArray(offers)) {
    for (const o of offers) {
      if (out.length >= MAX_OFFERS) break;
      if (!isObj(o)) continue;
      const om = keyMap(o);
      out.push({
        offer_id: str(om.get(S.offerId)),
        spec_id: str(om.get(S.specId)),
        error_code: pickStr(om, [S.errorCode, S.code]),
        error_message: pickStr(om, [S.errorMessage, S.message, S.msg]),
      });
    }
  }
  if (Array.isArray(lines)) {
    for (const o of lines) {
      if (out.length >= MAX_OFFERS) break;
      if (!isObj(o)) continue;
      const om = keyMap(o);
      const reason = str(om.get(S.reason));
      out.push({
        offer_id: str(om.get(S.offerId)),
        spec_id: str(om.get(S.specId)),
        error_code: str(om.get(S.errorCode)) || reason,
        error_message: str(om.get(S.errorMessage)) || reason,
      });
    }
  }
  return out;
}
