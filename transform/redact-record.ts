// A parsed record made safe to read and store (event-model.md §6): its top-level fields as a
// KeyMap, a text line's trailing JSON, and `raw`, all redacted when the text may hold a secret.
// Records that cannot hold one (redact.ts mayHoldSecret) are passed through without a copy.
import { KeyMap, keyMap, type Obj } from './keys.ts';
import type { Parsed } from './parse-record.ts';
import { isSecretKey, mayHoldSecret, redactPairs, redactText, redactValue } from './redact.ts';
import type { TextRecord } from './text-line.ts';

export interface RecordView {
  /** The record's top-level fields (a text line's pairs in line order). */
  topMap: KeyMap;
  /** A text line's trailing JSON object. */
  tail: Obj | undefined;
  /** A text line's bare `req_…` token. */
  reqToken: string;
  /** What the `raw` column stores, before truncation. */
  raw: string;
  /** Whether the text may hold a secret: JSON decoded from strings must then be redacted too. */
  suspicious: boolean;
}

export function redactedView(p: Exclude<Parsed, { kind: 'reject' }>): RecordView {
  const suspicious = mayHoldSecret(p.text);
  if (p.kind === 'json') {
    const top = suspicious ? (redactValue(p.obj) as Obj) : p.obj;
    return { topMap: keyMap(top), tail: undefined, reqToken: '', raw: suspicious ? JSON.stringify(top) : p.text, suspicious };
  }
  const rec = p.rec;
  if (!suspicious) return { topMap: KeyMap.fromPairs(rec.keys, rec.values), tail: rec.tail, reqToken: rec.reqToken, raw: p.text, suspicious };
  const red = redactPairs(rec.keys, rec.values);
  const tail = rec.tail ? (redactValue(rec.tail) as Obj) : undefined;
  return { topMap: KeyMap.fromPairs(red.keys, red.values), tail, reqToken: rec.reqToken, raw: textRaw(p.text, rec, red.values, tail), suspicious };
}

/**
 * `raw` of a text line: redacted text around each JSON value, which is re-serialized redacted
 * (reusing the redacted copy of the fields when the span is the value they hold).
 */
function textRaw(text: string, rec: TextRecord, values: readonly unknown[], tail: Obj | undefined): string {
  let out = '';
  let pos = 0;
  for (const sp of rec.spans) {
    out += redactText(text.slice(pos, sp.start));
    // A secret key's JSON value was already replaced by redacting the text before it.
    if (!(sp.key !== '' && isSecretKey(sp.key))) {
      // The redacted copy of the field, when the span is the value the field holds (the first of its key).
      let redacted: unknown;
      if (sp.key === '') redacted = sp.value === rec.tail ? tail : undefined;
      else {
        const at = rec.keys.indexOf(sp.key);
        redacted = at >= 0 && rec.values[at] === sp.value ? values[at] : undefined;
      }
      out += JSON.stringify(redacted ?? redactValue(sp.value));
    }
    pos = sp.end;
  }
  return out + redactText(text.slice(pos));
}
