// Turn whatever a backend threw (a chDB error, a @clickhouse/client ClickHouseError, a socket
// error, an HTTP 5xx from a proxy) into a StoreError with the ClickHouse code and type, and
// decide whether retrying can help. Bad data (parse errors, type mismatches, syntax) is never
// retried: it would fail the same way forever.
import { StoreError } from '../lib/errors.ts';
import type { Verdict } from '../lib/retry.ts';

/** ClickHouse error codes that describe a passing condition of the server, not of the request. */
const TRANSIENT_CODES = new Set([
  159, // TIMEOUT_EXCEEDED
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  236, // ABORTED
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY (replica lost its keeper session)
  252, // TOO_MANY_PARTS
  319, // UNKNOWN_STATUS_OF_INSERT
  394, // QUERY_WAS_CANCELLED
  425, // SYSTEM_ERROR
  999, // KEEPER_EXCEPTION
]);

const NETWORK_ERRNOS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

const TRANSIENT_TEXT =
  /socket hang up|timeout|timed out|ECONNRESET|ECONNREFUSED|EPIPE|\b50[0234]\b|Service Unavailable|Bad Gateway|Gateway Timeout/i;

/** Parse `Code: 62. DB::Exception: … (SYNTAX_ERROR)` as ClickHouse and chDB write it. */
export function parseClickHouseError(text: string): { code?: number; type?: string; message: string } {
  const code = /(?:Code|Error): (\d+)\b/.exec(text);
  const type = /\(([A-Z][A-Z0-9_]{2,})\)(?![\s\S]*\([A-Z][A-Z0-9_]{2,}\))/.exec(text);
  return {
    ...(code ? { code: Number(code[1]) } : {}),
    ...(type ? { type: type[1] } : {}),
    message: text.trim(),
  };
}

function errnoOf(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_ERRNOS.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Wrap any backend error as a StoreError (StoreErrors pass through unchanged). */
export function toStoreError(err: unknown, what: string): StoreError {
  if (err instanceof StoreError) return err;
  const text = err instanceof Error ? err.message : String(err);
  const parsed = parseClickHouseError(text);
  // @clickhouse/client's ClickHouseError carries the code as a string and the type separately.
  const ext = err as { code?: unknown; type?: unknown; clickhouseCode?: unknown };
  const code =
    typeof ext.clickhouseCode === 'number'
      ? ext.clickhouseCode
      : typeof ext.code === 'string' && /^\d+$/.test(ext.code)
        ? Number(ext.code)
        : parsed.code;
  const type = typeof ext.type === 'string' ? ext.type : parsed.type;
  let retriable: boolean;
  if (code !== undefined) retriable = TRANSIENT_CODES.has(code);
  else retriable = errnoOf(err) !== undefined || TRANSIENT_TEXT.test(text);
  const label = code !== undefined ? ` (ClickHouse code ${code}${type ? ` ${type}` : ''})` : '';
  return new StoreError(`${what} failed${label}: ${firstLines(text)}`, {
    retriable,
    ...(code !== undefined ? { clickhouseCode: code } : {}),
    ...(type !== undefined ? { clickhouseType: type } : {}),
    cause: err,
  });
}

function firstLines(text: string): string {
  const t = text.trim().replace(/^Code: \d+\. DB::Exception: /, '');
  return t.length > 600 ? `${t.slice(0, 600)}…` : t;
}

/** The retry verdict for anything a store call threw (lib/retry.ts): transient faults are retried, bad data and bad SQL are permanent. */
export function classifyStoreError(err: unknown): Verdict {
  return toStoreError(err, 'store call').retriable ? 'retry' : 'permanent';
}
