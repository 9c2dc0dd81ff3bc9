// The result_code ErrorResponse dialect (docs/event-model.md §3 dialect 5):
//   `{"message", "result_code": "data_validation_failed",
//     "validation_failed_responses": [{"result_code", "message", "property_name"}], "odata"}`
// Vendor from the record's `vendor`/`channel`, else `result_code_api` (catalog default).
import { catalog, resultCodeClass } from './catalog.ts';
import { isObj, keyMap, pickStr, S, str, type KeyMap } from './keys.ts';
import type { VendorError } from './vendor-error.ts';

const SUCCESS = new Set(['', 'success', 'ok', '0']);

export function resultCodeError(m: KeyMap, httpStatus: number, vendorHint: string): VendorError | undefined {
  const code = str(m.get(S.resultCode));
  if (SUCCESS.has(code.toLowerCase())) return undefined;
  let subCode = '';
  let message = pickStr(m, [S.message, S.msg]);
  const list = m.get(S.validationFailed);
  if (Array.isArray(list)) {
    // The first failing field's code is the sub code. upstream_message is the vendor's own
    // `message` (§2); the field details only stand in when the vendor sent none.
    const details: string[] = [];
    for (const item of list.slice(0, 5)) {
      if (!isObj(item)) continue;
      const im = keyMap(item);
      if (subCode === '') subCode = str(im.get(S.resultCode));
      // The details are only read when the vendor sent no message of its own.
      if (message !== '') {
        if (subCode !== '') break;
        continue;
      }
      const prop = str(im.get(S.propertyName));
      const msg = str(im.get(S.message));
      if (prop !== '' || msg !== '') details.push(prop !== '' && msg !== '' ? `${prop}: ${msg}` : prop || msg);
    }
    if (message === '' && details.length > 0) message = details.join('; ');
  }
  const cls = resultCodeClass(code, httpStatus);
  return {
    vendor: vendorHint || catalog.result_code.default_vendor,
    code,
    subCode,
    message,
    category: cls.category,
    limitKind: cls.limit_kind,
  };
}

export function hasResultCode(m: KeyMap): boolean {
  const v = m.get(S.resultCode);
  return typeof v === 'string' || typeof v === 'number';
}
