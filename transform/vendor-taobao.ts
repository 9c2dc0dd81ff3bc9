// Taobao TOP error bodies (docs/event-model.md §3 dialects 3 and 4):
//   2.0 `{"error_response": {"code": 530, "msg", "sub_code", "sub_msg", "args": {…}}}`
//   1.0 `{"error_rsp": {"code": 40, "msg"}}`
// Category and limit kind come from the system-code table of §5 (catalog.taobaoClass).
import { taobaoClass } from './catalog.ts';
import { isObj, keyMap, pickStr, S, str, type KeyMap } from './keys.ts';
import type { VendorError } from './vendor-error.ts';

/** The vendor error inside a TOP body object (`error_response` or `error_rsp` value). */
export function taobaoError(inner: KeyMap): VendorError | undefined {
  const code = str(inner.get(S.code));
  const subCode = str(inner.get(S.subCode));
  if (code === '' && subCode === '') return undefined;
  const cls = taobaoClass(code);
  return {
    vendor: 'taobao',
    code,
    subCode,
    message: pickStr(inner, [S.subMsg, S.msg, S.message]),
    category: cls.category,
    limitKind: cls.limit_kind,
  };
}

/** `error_response` (2.0) or `error_rsp` (1.0) on an object's key map, as its own key map. */
export function taobaoBody(m: KeyMap): KeyMap | undefined {
  const v = m.get(S.errorResponse) ?? m.get(S.errorRsp);
  return isObj(v) ? keyMap(v) : undefined;
}
