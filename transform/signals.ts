// Error signals in free text and levels (docs/real-inputs.md §3): catalog codes at the start of
// error and message strings, vendor summaries `<vendor> <code>[/<sub_code>]: <message>` (as the
// gateway writes them in `error.upstream` strings, or in parentheses inside an error string),
// exception type names at the start of an exception's text, and error levels of the common
// logging libraries.
import { gatewayCode } from './catalog.ts';

// Level words at error or worse (§3 "Levels"): syslog's names, log15's `eror`, zap's `dpanic`,
// Java's `severe`; compared lower-cased.
const ERROR_WORDS = new Set([
  'error',
  'err',
  'eror',
  'fatal',
  'critical',
  'crit',
  'alert',
  'emerg',
  'emergency',
  'panic',
  'dpanic',
  'severe',
]);

// Syslog severities 0–7 (RFC 5424 §6.2.1), as words for envelopes that give a number (GELF
// `level`, a syslog PRI): 0–3 are error or worse.
const SYSLOG_WORDS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

export function syslogLevelWord(n: number): string {
  return SYSLOG_WORDS[n] ?? '';
}

/**
 * OpenTelemetry SeverityNumber (logs data model: 1–4 TRACE, 5–8 DEBUG, 9–12 INFO, 13–16 WARN,
 * 17–20 ERROR, 21–24 FATAL) as a level word.
 */
export function otelSeverityWord(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 24) return '';
  return ['trace', 'debug', 'info', 'warn', 'error', 'fatal'][Math.floor((n - 1) / 4)] ?? '';
}

/**
 * Whether a record's level is error or worse. Words as above (any case); numbers are pino and
 * bunyan's (50 error, 60 fatal) and Monolog's (400 ERROR … 600 EMERGENCY); a number as text
 * (`"50"`) counts too.
 */
export function isErrorLevel(v: unknown): boolean {
  if (typeof v === 'number') return errorNumber(v);
  if (typeof v !== 'string' || v.length === 0 || v.length > 12) return false;
  const c = v.charCodeAt(0);
  if (c >= 48 && c <= 57) return errorNumber(Number(v));
  return ERROR_WORDS.has(v.toLowerCase());
}

function errorNumber(n: number): boolean {
  return (n >= 50 && n <= 100) || (n >= 400 && n <= 600);
}

/** `[A-Z][A-Z0-9_]*` from the start of s: a candidate catalog code. */
function leadingCode(s: string): string {
  let i = 0;
  for (; i < s.length && i < 64; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || c === 95 || (i > 0 && c >= 48 && c <= 57))) break;
  }
  if (i < 3) return '';
  // The code must end there: at the end, or before `:`, a space, `,`, `(` or `-`.
  if (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 58 && c !== 32 && c !== 44 && c !== 40 && c !== 45 && c !== 59) return '';
  }
  return s.slice(0, i);
}

/** The catalog code an error or message string begins with (`QUOTA_EXCEEDED: Daily …`), or ''. */
export function catalogCodeAt(s: string): string {
  const c = s.charCodeAt(0);
  if (c < 65 || c > 90) return '';
  const code = leadingCode(s);
  return code !== '' && gatewayCode(code) !== undefined ? code : '';
}

export interface VendorSummary {
  vendor: string;
  code: string;
  sub_code: string;
  message: string;
}

// `<vendor> <code>[/<sub_code>]: <message>`: a vendor name in lower case or digits (`taobao`,
// `1688`, `alipay`, `result_code_api`), so prose like `Error 500: …` is no summary.
const SUMMARY = /^([a-z0-9][a-z0-9_.-]{0,31}) ([A-Za-z0-9_.-]{1,64})(?:\/([A-Za-z0-9_.-]{1,64}))?: ?([\s\S]*)$/;

/** A whole string that is a vendor summary (an `error.upstream` string). */
export function vendorSummary(s: string): VendorSummary | undefined {
  if (s.length > 4096) return undefined;
  const m = SUMMARY.exec(s.trim());
  if (!m) return undefined;
  return { vendor: m[1] ?? '', code: m[2] ?? '', sub_code: m[3] ?? '', message: (m[4] ?? '').trim() };
}

/** The first parenthesised vendor summary inside an error string: `… (taobao 7: App Call Limited)`. */
export function vendorSummaryIn(s: string): VendorSummary | undefined {
  let from = 0;
  for (let n = 0; n < 8; n++) {
    const open = s.indexOf('(', from);
    if (open < 0) return undefined;
    const close = s.indexOf(')', open + 1);
    if (close < 0) return undefined;
    const v = vendorSummary(s.slice(open + 1, close));
    if (v !== undefined && v.message !== '') return v;
    from = open + 1;
  }
  return undefined;
}

// An exception's text starts with its type: `System.Net.Http.HttpRequestException: …` (CLEF
// `@x`), `ValueError: …` (Python), `java.net.SocketTimeoutException: …`.
const EXCEPTION_TYPE = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?:Exception|Error|Timeout|Fault))(?::|\s*$)/;

export function exceptionTypeAt(s: string): string {
  if (s.length === 0 || s.charCodeAt(0) > 122) return '';
  const m = EXCEPTION_TYPE.exec(s.length > 256 ? s.slice(0, 256) : s);
  return m ? (m[1] ?? '') : '';
}
