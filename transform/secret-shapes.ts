// Secrets known by their shape, under any key and inside any text (docs/secrets.md §2): JSON
// Web Tokens, PEM private keys, passwords in URLs and `curl -u`, and the token formats of
// gitleaks' rules (cmd/generate/config/rules/{aws,github,gitlab,slack,stripe,gcp,npm,openai,
// jwt,privatekey,curl}.go: prefixes, lengths, allowlists taken from there). A trigger regexp of
// literal prefixes finds candidates; each is then checked by a character loop, never by a
// backtracking regexp, and every loop either consumes what it reads or reads a bounded
// stretch (cached run ends make repeated triggers inside one run cost O(1)): linear (§6).

import { ALNUM, hit, is, runEnd, startsWithCI, TOKEN, WORD, type ShapeHit } from './secret-runs.ts';
import { tokenAt } from './secret-tokens.ts';

export type { ShapeHit } from './secret-runs.ts';

/**
 * Literal parts of the shapes, lower case, factored by first letter: the pre-check scans every
 * record's lower-cased text for them beside the key stems, where each alternative costs all
 * records, and one starting with a common letter costs most (measured: `eyj` alone +30%).
 * So a shape is found by its rarest fixed part: a JWT by `.eyJ` (its second segment), a Slack
 * webhook by `.slack.com/`, a Stripe key by `k_live_`, an npm token by `pm_`, an OpenAI key by
 * its `T3BlbkFJ` marker; shapeAtTrigger goes back to the start. URL userinfo needs an `@`: found by indexOf
 * (userinfoHint), not here, unless percent-encoded (`%3A%2F%2F`, a URL inside a query string).
 */
export const SHAPE_TRIGGERS =
  'a(?:kia|sia|bia|cca|3t|iza)|g(?:r1348941|h[pousr]_|ithub_pat_|l(?:pat|dt|ffct|ft|imt|agent|oas|ptt|rt|soat|cbt)-)' +
  '|x(?:ox[abeoprs]-|app-)|\\.(?:eyj|slack\\.com)|k_(?:live|test|prod)_|t3blbkfj|pm_|-----begin|curl|%3a%2f%2f';

/**
 * Where the authority starts when `://` is at i (the `:`), each `/` maybe escaped once or more
 * (`:\/\/` from JSON encoders that escape `/`, `:\\/\\/` once more inside a JSON string); -1 if not.
 */
function afterSlashes(s: string, i: number): number {
  let j = i + 1;
  for (let n = 0; n < 2; n++) {
    for (let k = 0; k < 4 && s.charCodeAt(j) === 92; k++) j++;
    if (s.charCodeAt(j) !== 47) return -1;
    j++;
  }
  return j;
}

/** Whether text may hold a password in a URL: an `@` and a `://` (or `:\/`, escaped). */
export function userinfoHint(s: string): boolean {
  return s.indexOf('@') >= 0 && (s.indexOf('://') >= 0 || s.indexOf(':\\') >= 0);
}

/** Where `://` (maybe escaped) starts in s (for the pre-check's hits), in order. */
export function userinfoStarts(s: string): number[] {
  const out: number[] = [];
  for (let i = s.indexOf(':'); i >= 0; i = s.indexOf(':', i + 1)) if (afterSlashes(s, i) >= 0) out.push(i);
  return out;
}

/** Where the scan may continue after a rejected candidate (set by shapeAt). */
export let shapeSkip = 0;

/** Where an OpenAI key starts, from its marker at m: `sk-` + 20, or a project prefix + 58 or 74. */
const OPENAI_BACK = [23, 66, 82, 69, 85, 67, 83];

/** The shape a trigger of SHAPE_TRIGGERS (or `://`) at p belongs to, or undefined (then see shapeSkip). */
export function shapeAtTrigger(s: string, p: number): ShapeHit | undefined {
  const c = s.charCodeAt(p);
  if (c === 46) {
    if (s.startsWith('.eyJ', p)) {
      let a = p;
      while (a > 0 && is(s, a - 1, TOKEN)) a--;
      const h = s.startsWith('eyJ', a) ? shapeAt(s, a) : undefined;
      shapeSkip = p + 1;
      return h;
    }
    return p >= 5 && s.startsWith('hooks', p - 5) ? shapeAt(s, p - 5) : undefined;
  }
  // `k_live_` of sk_/rk_, `pm_` of npm_: the token starts one character before.
  if ((c === 107 || c === 112 || c === 80) && p > 0) return shapeAt(s, p - 1);
  if (c === 37) return encodedUserinfoAt(s, p);
  if (c === 84 || c === 116) {
    for (const back of OPENAI_BACK) {
      if (p >= back && s.startsWith('sk-', p - back)) {
        const h = shapeAt(s, p - back);
        if (h !== undefined) return h;
      }
    }
    shapeSkip = p + 1;
    return undefined;
  }
  return shapeAt(s, p);
}

/** The shape starting at i, or undefined (then see shapeSkip). */
export function shapeAt(s: string, i: number): ShapeHit | undefined {
  shapeSkip = i + 1;
  const c = s.charCodeAt(i);
  if (c === 45) return privateKeyAt(s, i);
  if (c === 58) return userinfoAt(s, i);
  // Every other shape starts a word: a letter, digit or `_` before it means it is inside one.
  if (i > 0 && is(s, i - 1, WORD)) return undefined;
  if (c === 101 && s.startsWith('eyJ', i)) return jwtAt(s, i);
  if ((c === 99 || c === 67) && startsWithCI(s, i, 'curl')) return curlAt(s, i);
  return tokenAt(s, i);
}

/** JSON Web Token: `eyJ…` `.` `eyJ…` (`.` signature, maybe empty, maybe `=`-padded). */
function jwtAt(s: string, i: number): ShapeHit | undefined {
  if (i > 0 && s.charCodeAt(i - 1) === 45) return undefined;
  const e1 = runEnd(s, i, TOKEN);
  shapeSkip = e1;
  if (e1 - i < 16 || s.charCodeAt(e1) !== 46 || !s.startsWith('eyJ', e1 + 1)) return undefined;
  const e2 = runEnd(s, e1 + 1, TOKEN);
  if (e2 - e1 - 1 < 8) return undefined;
  let end = e2;
  if (s.charCodeAt(e2) === 46) {
    end = runEnd(s, e2 + 1, TOKEN);
    for (let k = 0; k < 2 && s.charCodeAt(end) === 61; k++) end++;
  }
  return hit(i, end, false);
}

/** `-----BEGIN … PRIVATE KEY-----` … `-----END … PRIVATE KEY-----`, or to the end of the text. */
function privateKeyAt(s: string, i: number): ShapeHit | undefined {
  if (!startsWithCI(s, i, '-----begin')) return undefined;
  const close = s.indexOf('-----', i + 10);
  if (close < 0 || close - i > 130) return undefined;
  // `%20` for the spaces when the block is percent-encoded in a URL.
  const label = s
    .slice(i + 10, close)
    .toUpperCase()
    .replaceAll('%20', ' ');
  if (!/^[ A-Z0-9_-]*PRIVATE KEY(?: BLOCK)?$/.test(label)) return undefined;
  // The END line: the next `-----` run that says END (a base64 body holds no `-`).
  for (let k = s.indexOf('-----', close + 5); k >= 0; k = s.indexOf('-----', k + 5)) {
    if (!startsWithCI(s, k, '-----end')) continue;
    const endClose = s.indexOf('-----', k + 8);
    if (endClose < 0 || endClose - k > 130) break;
    return hit(i, endClose + 5, false);
  }
  // Cut short (a truncated log line): everything after BEGIN is key material.
  return hit(i, s.length, false);
}

/** Stops an authority: `/ ? #`, whitespace, quotes, `< >`, `\` (an escape in text), `,` `;`. */
function endsAuthority(c: number): boolean {
  return c <= 32 || c === 47 || c === 63 || c === 35 || c === 34 || c === 39 || c === 60 || c === 62 || c === 92 || c === 44 || c === 59;
}

/** `scheme://user:password@host` (also `scheme://:password@host`): the password only. */
function userinfoAt(s: string, i: number): ShapeHit | undefined {
  if (i === 0 || !is(s, i - 1, ALNUM)) return undefined;
  const a = afterSlashes(s, i);
  if (a < 0) return undefined;
  let at = -1;
  let j = a;
  for (; j < s.length && j - a < 512; j++) {
    const d = s.charCodeAt(j);
    if (endsAuthority(d)) break;
    if (d === 64) at = j;
  }
  // No skip past the authority: it may hold the start of another shape.
  if (at < 0) return undefined;
  let colon = a;
  while (colon < at && s.charCodeAt(colon) !== 58) colon++;
  if (colon >= at - 1) return undefined;
  return hit(colon + 1, at, false);
}

/** `%3A%2F%2Fuser%3Apassword%40host` (a URL percent-encoded inside a query string): the password. */
function encodedUserinfoAt(s: string, p: number): ShapeHit | undefined {
  if (p === 0 || !is(s, p - 1, ALNUM)) return undefined;
  const a = p + 9;
  let at = -1;
  let colon = -1;
  let j = a;
  for (; j < s.length && j - a < 512; j++) {
    const d = s.charCodeAt(j);
    if (endsAuthority(d) || d === 38) break;
    if (d !== 37) continue;
    const code = s.slice(j + 1, j + 3).toUpperCase();
    if (code === '2F' || code === '3F' || code === '23') break;
    if (code === '40') at = j;
    else if (code === '3A' && colon < 0) colon = j;
  }
  if (at < 0 || colon < 0 || colon > at - 4) return undefined;
  return hit(colon + 3, at, false);
}

function isSpaceAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c === 32 || c === 9;
}

// Where the last `curl` scan of this text found no option to read: a later `curl` before
// that point resumes there instead of reading the same stretch again (linear, §6).
const curlScan = { s: '', to: 0, eol: false };

/** `curl … -u user:password` / `--user user:password` on one line: the password only. */
function curlAt(s: string, i: number): ShapeHit | undefined {
  if (!isSpaceAt(s, i + 4)) return undefined;
  const limit = Math.min(s.length, i + 1024);
  let j = i + 4;
  if (curlScan.s === s && curlScan.to > j) {
    if (curlScan.eol) return undefined;
    j = curlScan.to;
  }
  curlScan.s = s;
  curlScan.eol = false;
  for (; j < limit; j++) {
    const d = s.charCodeAt(j);
    if (d === 10 || d === 13 || (d === 92 && (s[j + 1] === 'n' || s[j + 1] === 'r'))) {
      curlScan.eol = true;
      break;
    }
    if (d !== 45 || !isSpaceAt(s, j - 1)) continue;
    let v = -1;
    if (s.charCodeAt(j + 1) === 117 && isSpaceAt(s, j + 2)) v = j + 2;
    else if (s.startsWith('--user', j) && (s.charCodeAt(j + 6) === 61 || isSpaceAt(s, j + 6))) v = j + 6;
    if (v < 0) continue;
    if (s.charCodeAt(v) === 61) v++;
    while (isSpaceAt(s, v)) v++;
    const q = s.charCodeAt(v);
    let end: number;
    if (q === 34 || q === 39) {
      end = s.indexOf(String.fromCharCode(q), v + 1);
      if (end < 0 || end - v > 512) end = Math.min(s.length, v + 512);
      v++;
    } else {
      end = v;
      while (end < s.length && !(s.charCodeAt(end) <= 32) && end - v < 512) end++;
    }
    let colon = v;
    while (colon < end && s.charCodeAt(colon) !== 58) colon++;
    if (colon >= end - 1) return undefined;
    // Placeholders (gitleaks curl allowlist): `$VAR`, `<password>`, `{{ secret }}`.
    const p = s.charCodeAt(colon + 1);
    if (p === 36 || p === 60 || s.startsWith('{{', colon + 1)) return undefined;
    curlScan.to = 0;
    return hit(colon + 1, end, false);
  }
  curlScan.to = j;
  return undefined;
}

// Found anywhere in text, case-insensitively; shapeAt then checks the exact form.
const TRIGGER = new RegExp(`${SHAPE_TRIGGERS}|:\\\\*/`, 'gi');

/**
 * `s` with every shape of §2 (but Bearer/Basic, see redact.ts) replaced: `[REDACTED]`, or what
 * `fingerprint` makes of an API key or token (§4).
 */
export function redactShapes(s: string, fingerprint: (credential: string) => string): string {
  let out = '';
  let last = 0;
  let changed = false;
  TRIGGER.lastIndex = 0;
  for (let m = TRIGGER.exec(s); m !== null; m = TRIGGER.exec(s)) {
    const h = shapeAtTrigger(s, m.index);
    if (h === undefined) {
      TRIGGER.lastIndex = Math.max(shapeSkip, m.index + 1);
      continue;
    }
    out += s.slice(last, h.from) + fingerprint(h.fp ? s.slice(h.from, h.to) : '');
    last = h.to;
    changed = true;
    TRIGGER.lastIndex = Math.max(h.to, m.index + 1);
  }
  return changed ? out + s.slice(last) : s;
}
