// Alipay error bodies (docs/event-model.md §3 dialect 6):
//   legacy  `{"is_success": "F", "error": "ILLEGAL_SIGN_TYPE"}` (`"T"` is success)
//   OpenAPI `{"alipay_trade_query_response": {"code": "40004", "msg", "sub_code", "sub_msg"}}`
//           (`code` "10000" is success). Categories of OpenAPI errors are decided on sub_code.
import { alipayNameCategory, alipayOpenApiCategory } from './catalog.ts';
import { isObj, keyMap, pickStr, S, str, type KeyMap } from './keys.ts';
import type { VendorError } from './vendor-error.ts';

/** Legacy gateway: undefined unless `is_success` says failure. */
export function alipayLegacyError(m: KeyMap): VendorError | undefined {
  const flag = str(m.get(S.isSuccess)).toUpperCase();
  if (flag === '' || flag === 'T' || flag === 'TRUE') return undefined;
  const code = str(m.get(S.error)) || 'UNKNOWN';
  return {
    vendor: 'alipay',
    code,
    subCode: '',
    message: pickStr(m, [S.errorMessage, S.message, S.msg]),
    category: alipayNameCategory(code),
    limitKind: '',
  };
}

/** The value of an `alipay_…_response` key, if the object has one. */
export function alipayResponseBody(m: KeyMap): KeyMap | undefined {
  const v = m.get(S.alipayBody);
  return isObj(v) ? keyMap(v) : undefined;
}

/** OpenAPI response (also a TOP-shaped `error_response` on an Alipay record); undefined on success. */
export function alipayOpenApiError(inner: KeyMap): VendorError | undefined {
  const code = str(inner.get(S.code));
  const subCode = str(inner.get(S.subCode));
  if ((code === '10000' || code === '') && subCode === '') return undefined;
  return {
    vendor: 'alipay',
    code,
    subCode,
    message: pickStr(inner, [S.subMsg, S.msg, S.message]),
    category: alipayOpenApiCategory(code, subCode),
    limitKind: '',
  };
}
