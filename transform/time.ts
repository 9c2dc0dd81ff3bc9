// Record times to UTC epoch milliseconds (docs/event-model.md §1 "Time values"): ISO-8601 with or
// without offset (none = UTC), `YYYY-MM-DD HH:mm:ss[.SSS]`, epoch seconds / milliseconds /
// microseconds as number or string; digits beyond the millisecond are truncated. The ISO path
// is hand-parsed (it runs for every record); date-fns reads the rarer nginx/RFC forms.
import { isValid, parse as parseWithFormat } from 'date-fns';

// Events must fit ClickHouse DateTime64(3) and print as a 4-digit year.
const MIN_MS = 0;
const MAX_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:([Zz]|UTC|GMT)|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const DIGITS = /^(\d{1,20})(?:\.(\d*))?$/;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function inRange(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS ? ms : undefined;
}

/**
 * Epoch seconds (< 1e11), milliseconds (1e11 to 1e14), microseconds (above) or nanoseconds
 * (≥ 1e17, docs/real-inputs.md §2: OTel `timeUnixNano`), from digits. Nanoseconds are cut as
 * text: as a number they are past 2^53.
 */
function fromEpochDigits(intPart: string, frac: string): number | undefined {
  const n = Number(intPart);
  let ms: number;
  if (n < 1e11) ms = n * 1000 + Number(`${frac}000`.slice(0, 3));
  else if (n <= 1e14)
    ms = n; // 1e14 itself is still milliseconds ("1e11 to 1e14")
  else if (n < 1e17) ms = Math.floor(n / 1000);
  else ms = Number(intPart.slice(0, -6));
  return inRange(ms);
}

// Days since 1970-01-01 of a civil date (proleptic Gregorian), H. Hinnant's algorithm.
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let j = i; j < i + n; j++) {
    const c = s.charCodeAt(j) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * The shape nearly every record uses, `YYYY-MM-DDTHH:mm:ss[.f…]Z` (T or space), read with char
 * codes; anything else (offsets, no seconds, odd fractions) goes to the regex path.
 */
function parseIsoFast(s: string): number | undefined {
  const n = s.length;
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 32) return undefined;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return undefined;
  if (d > (DAYS[mo - 1] ?? 0) || (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)))) return undefined;
  let i = 19;
  let ms = 0;
  if (i < n && s.charCodeAt(i) === 46) {
    let k = 0;
    for (i++; i < n; i++, k++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (k < 3) ms = ms * 10 + c;
    }
    if (k === 0) return undefined;
    if (k === 1) ms *= 100;
    else if (k === 2) ms *= 10;
  }
  // Only a bare end (UTC) or `Z` here; offsets take the general path.
  if (i === n - 1 && (s.charCodeAt(i) === 90 || s.charCodeAt(i) === 122)) i++;
  if (i !== n) return undefined;
  return inRange(daysFromCivil(y, mo, d) * 86_400_000 + ((h * 60 + mi) * 60 + sec) * 1000 + ms);
}

export function parseIsoLike(s: string): number | undefined {
  const fast = parseIsoFast(s);
  if (fast !== undefined) return fast;
  const m = ISO.exec(s);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = m[4] === undefined ? 0 : Number(m[4]);
  const mi = m[5] === undefined ? 0 : Number(m[5]);
  const sec = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(`${m[7]}00`.slice(0, 3));
  if (mo < 1 || mo > 12 || d < 1 || d > (DAYS[mo - 1] ?? 0) || h > 23 || mi > 59 || sec > 60) return undefined;
  if (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return undefined;
  let t = Date.UTC(y, mo - 1, d, h, mi, Math.min(sec, 59), ms);
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    const off = (oh * 60 + om) * 60000;
    t = m[9] === '+' ? t - off : t + off;
  }
  return inRange(t);
}

// Rarer forms with an explicit offset, so the process time zone never matters.
const FORMATS = ['dd/MMM/yyyy:HH:mm:ss xx', 'EEE, dd MMM yyyy HH:mm:ss xx'];

function parseOther(s: string): number | undefined {
  if (s.length > 40) return undefined;
  const t = s.replace(/ (GMT|UTC)$/, ' +0000');
  for (const f of FORMATS) {
    const d = parseWithFormat(t, f, 0);
    if (isValid(d)) return inRange(d.getTime());
  }
  return undefined;
}

/** A record's time value as epoch ms, or undefined when missing or unreadable. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) return undefined;
    // Number -> text keeps the digits as written (no float rounding of fractions).
    const s = v < 1e21 ? String(v) : '';
    const m = DIGITS.exec(s);
    return m ? fromEpochDigits(m[1] ?? '', m[2] ?? '') : undefined;
  }
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s.length === 0 || s.length > 64) return undefined;
  const c = s.charCodeAt(0);
  if (c < 48 || c > 57) return parseOther(s);
  // `YYYY-` starts an ISO-like time; otherwise digits are an epoch value.
  if (s.length >= 10 && s.charCodeAt(4) === 45) return parseIsoLike(s) ?? parseOther(s);
  const m = DIGITS.exec(s);
  if (m) return fromEpochDigits(m[1] ?? '', m[2] ?? '');
  return parseOther(s);
}

/**
 * Whether a time value that parseTime accepted is already formatIsoMillis's text for the
 * same instant: `YYYY-MM-DDTHH:mm:ss.sssZ`, 24 characters. parseTime reads that shape with
 * parseIsoFast (every field range-checked, in range of MIN_MS..MAX_MS); only a leap second
 * `:60` takes the general path, which reads it as :59, so it is excluded.
 */
export function isCanonicalIso(v: unknown): v is string {
  return (
    typeof v === 'string' &&
    v.length === 24 &&
    v.charCodeAt(23) === 90 && // Z
    v.charCodeAt(19) === 46 && // .
    v.charCodeAt(10) === 84 && // T
    v.charCodeAt(4) === 45 &&
    v.charCodeAt(7) === 45 &&
    v.charCodeAt(13) === 58 &&
    v.charCodeAt(16) === 58 &&
    !(v.charCodeAt(17) === 54 && v.charCodeAt(18) === 48) && // not :60
    isDigit(v, 20) &&
    isDigit(v, 21) &&
    isDigit(v, 22)
  );
}

/**
 * Whether parseTime accepts a value isCanonicalIso already holds for, without computing its
 * instant (normalize keeps such a value as event_time). The date part of the last accepted
 * value is remembered: a canonical value with that same `YYYY-MM-DD` then needs only its time
 * of day checked (parseIsoFast's ranges; :60 is excluded by isCanonicalIso), as a day inside
 * MIN_MS..MAX_MS lies wholly inside it. Any other value takes parseTime.
 */
export function acceptsCanonicalIso(v: string): boolean {
  if (acceptedDate.length === 10 && v.startsWith(acceptedDate)) {
    const h = digits(v, 11, 2);
    const mi = digits(v, 14, 2);
    const sec = digits(v, 17, 2);
    return h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 59;
  }
  if (parseTime(v) === undefined) return false;
  acceptedDate = v.slice(0, 10);
  return true;
}
let acceptedDate = '';

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

const DAY_MS = 86_400_000;
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** `YYYY-MM-DDT` of a day number (days since 1970-01-01, years 1970–2299), H. Hinnant's civil_from_days. */
function dayPrefix(day: number): string {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${PAD2[m]}-${PAD2[d]}T`;
}

// Two cached days: records mostly share a day, and those that fall back to the transport time
// (often the next day) would otherwise evict it on every switch.
let dayA = NaN;
let prefixA = '';
let dayB = NaN;
let prefixB = '';

/** `2026-11-21T10:00:01.234Z`. The date part is cached: consecutive records share a day. */
export function formatIsoMillis(ms: number): string {
  const t = Math.floor(Number.isFinite(ms) ? Math.min(Math.max(ms, MIN_MS), MAX_MS) : 0);
  const day = Math.floor(t / DAY_MS);
  let prefix: string;
  if (day === dayA) prefix = prefixA;
  else if (day === dayB) prefix = prefixB;
  else {
    prefix = dayPrefix(day);
    dayB = dayA;
    prefixB = prefixA;
    dayA = day;
    prefixA = prefix;
  }
  let r = t - day * DAY_MS;
  const milli = r % 1000;
  r = (r - milli) / 1000;
  const sec = r % 60;
  r = (r - sec) / 60;
  const min = r % 60;
  const hour = (r - min) / 60;
  return `${prefix}${PAD2[hour]}:${PAD2[min]}:${PAD2[sec]}.${PAD3[milli]}Z`;
}
