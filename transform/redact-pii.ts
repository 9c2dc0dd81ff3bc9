// Personal data, opt-in (docs/secrets.md §5, FAULTLINE_PII=mask): the local part of an e-mail
// address becomes `[REDACTED]` (the domain stays: ops see which provider or customer), and a
// payment card number becomes `[REDACTED]`. A card number is 13–19 digits, single spaces or
// dashes allowed between them, starting with an issuer prefix (ISO/IEC 7812 IINs of Visa,
// Mastercard, Amex, Discover, JCB, Diners, UnionPay) and ending with a valid Luhn check digit;
// digits after a key naming an id or a number (`offer_id`, `order_no`) are not one. Character
// loops, each reading a bounded stretch around an `@` or a digit run: linear in the text.
import { REDACTED } from './redact-options.ts';
import { keyComponents } from './secret-names.ts';

/** Last key components that name an identifier or a number, not a card (§5). */
const ID_COMPONENTS: ReadonlySet<string> = new Set(['id', 'ids', 'no', 'nr', 'num', 'number', 'code', 'seq', 'sn']);

/** Whether a key names an id or a number (its value is then no card number). */
export function isIdKey(key: string): boolean {
  const c = keyComponents(key);
  return c.length > 0 && ID_COMPONENTS.has(c[c.length - 1] as string);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isLocalChar(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}
function isDomainChar(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 45;
}

/** Issuer prefixes by the first digits (IIN ranges). */
function knownIssuer(d: string): boolean {
  const two = Number(d.slice(0, 2));
  const three = Number(d.slice(0, 3));
  const four = Number(d.slice(0, 4));
  return (
    d[0] === '4' ||
    (two >= 51 && two <= 55) ||
    (four >= 2221 && four <= 2720) ||
    two === 34 ||
    two === 37 ||
    four === 6011 ||
    two === 65 ||
    (three >= 644 && three <= 649) ||
    (four >= 3528 && four <= 3589) ||
    (three >= 300 && three <= 305) ||
    two === 36 ||
    two === 38 ||
    two === 62
  );
}

function luhn(d: string): boolean {
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let x = d.charCodeAt(d.length - 1 - i) - 48;
    if (i % 2 === 1) {
      x *= 2;
      if (x > 9) x -= 9;
    }
    sum += x;
  }
  return sum % 10 === 0;
}

/** Whether the digits at i follow `key=`, `key: `, `"key":"` where the key names an id. */
function afterIdKey(s: string, i: number): boolean {
  let j = i - 1;
  let seps = 0;
  while (j >= 0 && seps < 4) {
    const c = s.charCodeAt(j);
    if (c === 34 || c === 39 || c === 32 || c === 61 || c === 58 || c === 92) {
      j--;
      seps++;
    } else break;
  }
  if (seps === 0) return false;
  const end = j + 1;
  while (
    j >= 0 &&
    end - j <= 64 &&
    (isAlnum(s.charCodeAt(j)) || s.charCodeAt(j) === 95 || s.charCodeAt(j) === 45 || s.charCodeAt(j) === 46)
  )
    j--;
  return end - j > 1 && isIdKey(s.slice(j + 1, end));
}

/** The end of the card number at i (a digit after a non-alphanumeric), or -1. */
function cardEnd(s: string, i: number, digitsOut: string[]): number {
  let digits = '';
  let j = i;
  let last = i;
  while (j < s.length && digits.length < 20) {
    const c = s.charCodeAt(j);
    if (isDigit(c)) {
      digits += s[j];
      last = ++j;
    } else if ((c === 32 || c === 45) && isDigit(s.charCodeAt(j + 1)) && isDigit(s.charCodeAt(j - 1))) j++;
    else break;
  }
  if (digits.length < 13 || digits.length > 19 || isAlnum(s.charCodeAt(last))) return -1;
  digitsOut[0] = digits;
  return last;
}

/** `s` with e-mail local parts and (when `cards`) card numbers masked. */
export function maskPii(s: string, cards = true): string {
  let out = '';
  let last = 0;
  let changed = false;
  const ds: string[] = [''];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 64) {
      let a = i;
      while (a > last && i - a < 64 && isLocalChar(s.charCodeAt(a - 1))) a--;
      let b = i + 1;
      let dot = -1;
      while (b < s.length && b - i < 255 && isDomainChar(s.charCodeAt(b))) {
        if (s.charCodeAt(b) === 46) dot = b;
        b++;
      }
      // A domain with a dot and a TLD of 2+ letters, a local part of 1+ characters.
      if (a < i && dot > i + 1 && b - dot > 2 && !isDigit(s.charCodeAt(b - 1))) {
        out += s.slice(last, a) + REDACTED;
        last = i;
        changed = true;
      }
      continue;
    }
    if (!cards || !isDigit(c) || (i > 0 && (isAlnum(s.charCodeAt(i - 1)) || s.charCodeAt(i - 1) === 46))) continue;
    const end = cardEnd(s, i, ds);
    if (end < 0) {
      // Skip the rest of this digit run: no card starts inside it.
      while (i + 1 < s.length && isDigit(s.charCodeAt(i + 1))) i++;
      continue;
    }
    const d = ds[0] as string;
    if (knownIssuer(d) && luhn(d) && !afterIdKey(s, i)) {
      out += s.slice(last, i) + REDACTED;
      last = end;
      changed = true;
    }
    i = end - 1;
  }
  return changed ? out + s.slice(last) : s;
}

/** Where personal data may start (`@`, digit runs of 13+): hits for the record pre-check. */
export function piiHits(s: string): number[] {
  const out: number[] = [];
  let run = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 64) out.push(i);
    if (isDigit(c)) {
      if (run === 0) start = i;
      if (++run === 13) out.push(start);
    } else if (!((c === 32 || c === 45) && run > 0)) run = 0;
  }
  return out;
}
