// A parsed record made safe to read and store (docs/secrets.md): its top-level fields as a
// KeyMap, a text line's trailing JSON, and `raw`, all redacted when the text may hold a secret.
// Records that cannot hold one (secret-scan.ts) are passed through without a copy. The scan
// that decides it also says where its stem hits are: only the strings and text stretches
// holding one can change under redactText, so the others are not scanned again.
import { KeyMap, keyMap, type Obj } from './keys.ts';
import type { Parsed } from './parse-record.ts';
import { isSecretKey, PLAIN, redactPairs, redactParsed, redactText, redactValue, type RedactOptions } from './redact.ts';
import { firstFingerprint } from './redact-options.ts';
import { hitStrings, secretHits } from './secret-scan.ts';
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
  /** The first credential fingerprint in `raw`, or '' (app_id `key:<fp>`, docs/secrets.md §4). */
  keyFp: string;
}

/** Consumes `p`: when the text may hold a secret, its parsed values are redacted in place. */
export function redactedView(p: Exclude<Parsed, { kind: 'reject' }>, o: RedactOptions = PLAIN): RecordView {
  const v = viewOf(p, o);
  if (v.suspicious && o !== PLAIN) v.keyFp = firstFingerprint(v.raw);
  return v;
}

function viewOf(p: Exclude<Parsed, { kind: 'reject' }>, o: RedactOptions): RecordView {
  const hits = secretHits(p.text, o.pii);
  const suspicious = hits !== undefined;
  if (p.kind === 'json') {
    let top = p.obj;
    if (hits !== undefined) {
      // The parsed object is this view's own: redacted in place, not copied.
      const strings = hitStrings(p.text, hits, 0, p.text.length);
      top = (strings === undefined ? redactValue(p.obj, undefined, o) : redactParsed(p.obj, strings, o)) as Obj;
    }
    return {
      topMap: keyMap(top),
      tail: undefined,
      reqToken: '',
      raw: hits === undefined ? p.text : JSON.stringify(top),
      suspicious,
      keyFp: '',
    };
  }
  const rec = p.rec;
  if (hits === undefined)
    return { topMap: KeyMap.fromPairs(rec.keys, rec.values), tail: rec.tail, reqToken: rec.reqToken, raw: p.text, suspicious, keyFp: '' };
  const strings = spanStrings(p.text, rec, hits);
  const red = redactPairs(rec.keys, rec.values, strings, o);
  // With the hit strings known, the line's JSON values (its own) are redacted in place.
  const tail = rec.tail
    ? ((strings === undefined ? redactValue(rec.tail, undefined, o) : redactParsed(rec.tail, strings, o)) as Obj)
    : undefined;
  return {
    topMap: KeyMap.fromPairs(red.keys, red.values),
    tail,
    reqToken: rec.reqToken,
    raw: textRaw(p.text, rec, red.values, tail, hits, strings, o),
    suspicious,
    keyFp: '',
  };
}

/** hitStrings over every JSON value of a text line (undefined: scan all their strings). */
function spanStrings(text: string, rec: TextRecord, hits: readonly number[]): string[] | undefined {
  let out: string[] = [];
  for (const sp of rec.spans) {
    const s = hitStrings(text, hits, sp.start, sp.end);
    if (s === undefined) return undefined;
    out = out.concat(s);
  }
  return out;
}

/** Whether a hit starts in [from, to). */
function hitIn(hits: readonly number[], from: number, to: number): boolean {
  for (const h of hits) if (h >= from && h < to) return true;
  return false;
}

/**
 * `raw` of a text line: redacted text around each JSON value, which is re-serialized redacted
 * (reusing the redacted copy of the fields when the span is the value they hold). A stretch of
 * text with no stem hit cannot change under redactText and is copied as is.
 */
function textRaw(
  text: string,
  rec: TextRecord,
  values: readonly unknown[],
  tail: Obj | undefined,
  hits: readonly number[],
  strings: readonly string[] | undefined,
  o: RedactOptions,
): string {
  let out = '';
  let pos = 0;
  for (const sp of rec.spans) {
    out += hitIn(hits, pos, sp.start) ? redactText(text.slice(pos, sp.start), o) : text.slice(pos, sp.start);
    // A secret key's JSON value was already replaced by redacting the text before it.
    if (!(sp.key !== '' && isSecretKey(sp.key))) {
      // The redacted copy of the field, when the span is the value the field holds (the first of its key).
      let redacted: unknown;
      if (sp.key === '') redacted = sp.value === rec.tail ? tail : undefined;
      else {
        const at = rec.keys.indexOf(sp.key);
        redacted = at >= 0 && rec.values[at] === sp.value ? values[at] : undefined;
      }
      out += JSON.stringify(redacted ?? redactValue(sp.value, strings, o));
    }
    pos = sp.end;
  }
  return out + (hitIn(hits, pos, text.length) ? redactText(text.slice(pos), o) : text.slice(pos));
}
