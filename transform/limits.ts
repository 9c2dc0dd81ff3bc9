// Size and depth limits and byte decoding (docs/event-model.md §7), checked before any parsing so
// a hostile record costs at most one linear scan.

export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 64;
export const DEFAULT_RAW_MAX_BYTES = 4096;
export const HEAD_MAX_BYTES = 512;
/**
 * Log records read from one OTLP message (docs/real-inputs.md §1): the rows one Kafka record can
 * become are bounded, whatever the message holds (a 1 MiB message of empty log records would
 * otherwise be ~300,000 rows). The log records beyond it become one reject that says so.
 */
export const MAX_LOG_RECORDS_PER_MESSAGE = 10_000;

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const lenient = new TextDecoder('utf-8', { fatal: false });

/** Strict UTF-8 decoding: undefined for invalid bytes. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return fatal.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Lenient decoding of at most `max` bytes (for reject heads). */
export function decodeHead(bytes: Uint8Array, max: number): string {
  return lenient.decode(bytes.subarray(0, max));
}

/** UTF-8 byte length of a string, without allocating. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Whether `s` exceeds `max` UTF-8 bytes; the common short case needs no scan. */
export function overBytes(s: string, max: number): boolean {
  if (s.length * 3 <= max) return false;
  if (s.length > max) return true;
  return utf8Length(s) > max;
}

/**
 * Cut `s` to at most `max` UTF-8 bytes on a character boundary (never half a surrogate pair).
 */
export function truncateUtf8(s: string, max: number): string {
  if (s.length * 3 <= max) return s;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let w = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    let step = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        w = 4;
        step = 2;
      }
    }
    if (n + w > max) return s.slice(0, i);
    n += w;
    i += step - 1;
  }
  return s;
}

/**
 * JSON.parse whose SyntaxError carries no stack: V8 spends ~5 µs capturing one per malformed
 * record (half its cost), and callers only read the message. The limit is restored at once, so
 * no other code sees it changed.
 */
export function parseJson(text: string): unknown {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return JSON.parse(text) as unknown;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The JSON value of `text`, or undefined when it nests deeper than `maxDepth` or does not parse. */
export function tryJson(text: string, maxDepth: number): unknown {
  if (jsonDepthExceeds(text, maxDepth)) return undefined;
  try {
    return parseJson(text);
  } catch {
    return undefined;
  }
}

/**
 * Maximum nesting of objects and arrays in JSON text (strings skipped), stopping early once
 * `limit` is exceeded. Runs on the text so a too-deep record is never materialized.
 */
export function jsonDepthExceeds(s: string, limit: number): boolean {
  // Fewer openers than the limit cannot nest past it: counted with native indexOf, this skips
  // the character scan for nearly every real record.
  let openers = 0;
  for (let i = s.indexOf('{'); i >= 0 && openers <= limit; i = s.indexOf('{', i + 1)) openers++;
  for (let i = s.indexOf('['); i >= 0 && openers <= limit; i = s.indexOf('[', i + 1)) openers++;
  if (openers <= limit) return false;
  let depth = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      // skip the string
      for (i++; i < n; i++) {
        const d = s.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) {
      depth--;
    }
  }
  return false;
}
