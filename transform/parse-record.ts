// From bytes or text to a parsed record (docs/event-model.md §1, §7): decoding, size and depth
// limits, and the JSON-or-text decision. A line that starts with `{`/`[`, or that is as a whole
// a JSON number, string, true, false or null, is JSON and only JSON.
import type { Reject, RejectReason } from './event.ts';
import type { Obj } from './keys.ts';
import { decodeHead, decodeUtf8, HEAD_MAX_BYTES, jsonDepthExceeds, overBytes, parseJson, truncateUtf8 } from './limits.ts';
import { redactText } from './redact.ts';
import { parseTextLine, type TextRecord } from './text-line.ts';

export type Parsed =
  | { kind: 'json'; text: string; obj: Obj }
  | { kind: 'text'; text: string; rec: TextRecord }
  | { kind: 'reject'; reject: Reject };

/** The redacted head of a record: redacted first (so no cut can expose half a secret), then cut. */
export function headOf(text: string): string {
  // Redacting more than the head keeps values that straddle the cut whole.
  return truncateUtf8(redactText(text.length > 8 * HEAD_MAX_BYTES ? text.slice(0, 8 * HEAD_MAX_BYTES) : text), HEAD_MAX_BYTES);
}

export function reject(reason: RejectReason, detail: string, text: string): { kind: 'reject'; reject: Reject } {
  return { kind: 'reject', reject: { reason, detail, head: headOf(text) } };
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Does the whole trimmed line read as a JSON scalar? */
function isJsonScalar(s: string): boolean {
  const c = s.charCodeAt(0);
  if (c === 34) {
    if (s.charCodeAt(s.length - 1) !== 34 || s.length < 2) return false;
    try {
      parseJson(s);
      return true;
    } catch {
      return false;
    }
  }
  if (c === 45 || (c >= 48 && c <= 57)) return NUMBER.test(s);
  return s === 'true' || s === 'false' || s === 'null';
}

function jsonErrorDetail(err: unknown, first: number): string {
  // V8's message quotes the input; keep only the position so no record text leaks.
  const m = err instanceof Error ? /position (\d+)/.exec(err.message) : null;
  const why = m ? `invalid JSON at position ${m[1]}` : 'invalid JSON (unexpected end or token)';
  // A `[2026-…] ERROR …` log line lands here by the first-character rule (§1): say why it
  // was read as JSON at all, so the sender sees it is not a text-line parsing gap.
  return first === 123 || first === 91 ? `looks like JSON (starts with '${String.fromCharCode(first)}') but does not parse: ${why}` : why;
}

export type ParsedOk = Exclude<Parsed, { kind: 'reject' }>;

/** Bytes or text to trimmed text, with the size limit and UTF-8 checked first (§7). */
export function decodeRecord(
  record: string | Uint8Array,
  maxBytes: number,
): { kind: 'text'; text: string } | { kind: 'reject'; reject: Reject } {
  let text: string;
  if (typeof record === 'string') {
    text = record;
  } else {
    if (record.byteLength > maxBytes) {
      return reject(
        'too_large',
        `record is ${record.byteLength} bytes, over the limit of ${maxBytes}`,
        decodeHead(record, 8 * HEAD_MAX_BYTES),
      );
    }
    const decoded = decodeUtf8(record);
    if (decoded === undefined) return reject('invalid_utf8', 'record is not valid UTF-8', decodeHead(record, 8 * HEAD_MAX_BYTES));
    text = decoded;
  }
  if (typeof record === 'string' && overBytes(text, maxBytes)) {
    return reject('too_large', `record is over the limit of ${maxBytes} UTF-8 bytes`, text.slice(0, 8 * HEAD_MAX_BYTES));
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.trim();
  if (text.length === 0) return reject('empty', 'record is empty or blank', '');
  return { kind: 'text', text };
}

/** Whether trimmed text is JSON and only JSON by the first-character rule (§1). */
export function isJsonLed(text: string): boolean {
  const c = text.charCodeAt(0);
  return c === 123 || c === 91 || isJsonScalar(text);
}

/** The JSON-or-text decision on decoded, trimmed, non-empty text. */
export function parseText(text: string, maxDepth: number): Parsed {
  const c = text.charCodeAt(0);
  if (c === 123 || c === 91 || isJsonScalar(text)) {
    if (jsonDepthExceeds(text, maxDepth)) return reject('too_deep', `JSON nests deeper than ${maxDepth} levels`, text);
    let value: unknown;
    try {
      value = parseJson(text);
    } catch (err) {
      return reject('invalid_json', jsonErrorDetail(err, c), text);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      const kind = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
      return reject('not_an_object', `JSON record is ${kind}, not an object`, text);
    }
    return { kind: 'json', text, obj: value as Obj };
  }
  const rec = parseTextLine(text, maxDepth);
  if (!rec.recognisable) {
    return reject('unrecognised_text', 'text line has no leading timestamp, key=value pair or request id', text);
  }
  return { kind: 'text', text, rec };
}
