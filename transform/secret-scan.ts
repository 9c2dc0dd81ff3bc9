// Where a secret may hide in text (docs/secrets.md §1, §2): the stems of the secret key names,
// `Bearer`/`Basic`, and the literal starts of the shapes of §2 (secret-shapes.ts), with the
// check of a stem against the key run around it and of a shape against its exact form.
// Shared by the record pre-check (mayHoldSecret) and redactText's own hint and key test.
import { secretClass, NOT_SECRET } from './secret-names.ts';
import { SHAPE_TRIGGERS, shapeAt, shapeAtTrigger, shapeSkip, userinfoHint, userinfoStarts } from './secret-shapes.ts';
import { piiHits } from './redact-pii.ts';

export { isSecretKey } from './secret-names.ts';
export { hitStrings } from './secret-hits.ts';

// A secret key (§1) is a run of ASCII letters, digits, `-` and `_` (or a dotted path of such
// runs) one of whose components is, or whose components joined contain, a word of §1, so text
// can only hold a secret key where one of the stems below sits inside such a run (`pass` stands
// for password/passwd/passphrase, `auth` for auth/authorization, `sessid` for PHPSESSID); `Bearer`,
// `Basic` and `\u` escapes (which may spell anything) count wherever they are. The stems allow
// `-`/`_` between any two letters (`api_key`, `x-api-key`, `s_i_g_n`).
//
// Backslashes are allowed there too: text is often read once more through an escaping layer
// (a JSON string, a quoted logfmt value, JSON logged inside a string), and a logfmt reader
// turns `\s` into `s`, so `pa\ssword=x` becomes `password=x` and `Be\arer tok…` a Bearer
// credential. A run around a stem therefore extends over backslashes, and is checked under
// every reading of its escapes (escapedRunSecret).
const STEM_WORDS = ['sign', 'session', 'sessid', 'token', 'secret', 'pass', 'pwd', 'auth', 'cookie', 'apikey', 'credential', 'privatekey'];
/**
 * The stems as one regexp alternation, `sep` allowed between any two letters and words sharing
 * a start factored into a trie: `s[-_]*(?:i[-_]*g[-_]*n|e…)|t…`. It matches what the words
 * spelled out one by one would, but the engine tries each shared prefix once per position
 * instead of once per word: 10–25% less scanning time.
 */
function stemTrie(words: readonly (readonly string[])[], sep: string): string {
  const groups = new Map<string, (readonly string[])[]>();
  for (const w of words) {
    const head = w[0] as string;
    const g = groups.get(head);
    if (g) g.push(w.slice(1));
    else groups.set(head, [w.slice(1)]);
  }
  const alts: string[] = [];
  for (const [head, rests] of groups) {
    if (rests.length > 1 && rests.some((r) => r.length === 0)) throw new Error(`stem ${head} is a prefix of another stem`);
    alts.push(rests.length === 1 ? [head, ...(rests[0] as readonly string[])].join(sep) : `${head}${sep}(?:${stemTrie(rests, sep)})`);
  }
  return alts.join('|');
}
/** `authori[sz]ation` -> its letters, a `[sz]` class one step. */
const steps = (w: string): string[] => w.match(/\[[^\]]*\]|./g) ?? [];
/** `bearer`/`basic` with backslashes allowed before each letter (the only stems starting with b). */
const BEARER_STEM = [...'bearer'].join('\\\\*');
const BASIC_STEM = [...'basic'].join('\\\\*');
// Text without a backslash (most records) is scanned for the stems as plain words, plus each
// word's first letter followed by `-`/`_` (how `s_i_g_n`, `a_p_i_k_e_y` start): a `-`/`_`
// allowed between every two letters (as the trie below does) costs every record more than
// all the shapes of §2 together (measured, ns a record: 312 stems of event-model §6, 393 with
// separators and the words of §1, 466 for these and the shapes). A key split elsewhere inside
// a word (`ap_ikey`) is redacted only when something else sends the record down the redaction
// path; `api_key`/`api-key`, the usual split, is a stem.
// The shapes' literal parts share the stems' first-letter branches (measured: ~7% cheaper than
// a group of their own); a match is told apart by SHAPE_MATCH.
const PLAIN_SOURCE =
  's(?:ign|e(?:ss|cret)|[-_][ie])|t(?:oken|[-_]o|3blbkfj)|p(?:ass|wd|rivate|[-_][awr]|m_)' +
  '|a(?:uth|pi[-_]?key|[-_][up]|kia|sia|bia|cca|3t|iza)|c(?:ookie|redential|[-_][or]|url)|b(?:earer|asic)' +
  '|g(?:r1348941|h[pousr]_|ithub_pat_|l(?:pat|dt|ffct|ft|imt|agent|oas|ptt|rt|soat|cbt)-)' +
  '|x(?:ox[abeoprs]-|app-)|\\.(?:eyj|slack\\.com)|k_(?:live|test|prod)_|-----begin|%3a%2f%2f';
/** Whether a match of the scan is a shape's literal part (checked by shapeAtTrigger), not a stem. */
const SHAPE_MATCH = new RegExp(`^(?:${SHAPE_TRIGGERS})$`, 'i');
/** What the stems of PLAIN_SOURCE match, lower case: most matches are these, told by one lookup. */
const STEM_MATCHES: ReadonlySet<string> = new Set([
  'sign',
  'sess',
  'secret',
  'token',
  'pass',
  'pwd',
  'private',
  'auth',
  'apikey',
  'api_key',
  'api-key',
  'cookie',
  'credential',
  'bearer',
  'basic',
  ...['si', 'se', 'to', 'pa', 'pw', 'pr', 'au', 'ap', 'co', 'cr'].flatMap((p) => [`${p[0]}_${p[1]}`, `${p[0]}-${p[1]}`]),
]);
// Text holding a backslash is scanned with backslashes allowed inside the stems. Apart: the
// extra class costs ~20% of the scan, and most records hold no backslash at all.
const ESCAPED_SOURCE = `${stemTrie(STEM_WORDS.map(steps), '[-_\\\\]*')}|${BEARER_STEM}|${BASIC_STEM}|\\\\u|${SHAPE_TRIGGERS}`;
// Over lower-cased text a case-sensitive scan is cheaper than an /i one.
const PLAIN = { lower: new RegExp(PLAIN_SOURCE, 'g'), any: new RegExp(PLAIN_SOURCE, 'gi') };
const ESCAPED = { lower: new RegExp(ESCAPED_SOURCE, 'g'), any: new RegExp(ESCAPED_SOURCE, 'gi') };
// redactText's hint: a `.test` first (most strings redactText sees hold no hint at all, and a
// test stops at the first), then the same source with `@` (for userinfoHint) and /g to learn
// which passes the string needs.
const TEST_PLAIN = new RegExp(`${PLAIN_SOURCE}|@`, 'i');
const TEST_ESCAPED = new RegExp(`${ESCAPED_SOURCE}|@`, 'i');
const HINT_PLAIN = new RegExp(`${PLAIN_SOURCE}|@`, 'gi');
const HINT_ESCAPED = new RegExp(`${ESCAPED_SOURCE}|@`, 'gi');

/** hintsSecret bits: which passes of redactText the text needs. */
export const HINT_KEYS = 1;
export const HINT_SCHEME = 2;
export const HINT_SHAPES = 4;

/**
 * redactText's own pre-check, not confirmed against runs: HINT_KEYS for a stem (or a `\u`
 * escape, which may spell one), HINT_SCHEME for Bearer/Basic, HINT_SHAPES for a shape's start;
 * 0 for text that no pass would change.
 */
export function hintsSecret(s: string): number {
  const escaped = s.includes('\\');
  if (!(escaped ? TEST_ESCAPED : TEST_PLAIN).test(s)) return 0;
  const re = escaped ? HINT_ESCAPED : HINT_PLAIN;
  let bits = 0;
  re.lastIndex = 0;
  // Past 64 hints every pass runs: a text made of triggers costs no more than the passes.
  let n = 0;
  for (let m = re.exec(s); m !== null && bits !== 7; m = re.exec(s)) {
    if (++n > 64) return 7;
    const c = m[0].charCodeAt(0);
    if (SHAPE_MATCH.test(m[0])) bits |= HINT_SHAPES;
    else if (c === 64) bits |= userinfoHint(s) ? HINT_SHAPES : 0;
    else bits |= c === 98 || c === 66 ? HINT_SCHEME : c === 92 ? HINT_KEYS | HINT_SCHEME | HINT_SHAPES : HINT_KEYS;
  }
  return bits;
}

function isAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/** [A-Za-z0-9_-]: the characters of a key run (normKey drops `-`/`_`, `.` splits segments). */
function isRunChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}

/**
 * s[from, to) (from its last `.` on when `dotted`) when that is a secret key name (§1), else ''.
 */
function secretSpan(s: string, from: number, to: number, dotted: boolean): string {
  // A dotted key counts by its whole path and its last segment (§1): secretClass reads both.
  const k = s.slice(from, to);
  return (dotted || !k.includes('.')) && secretClass(k) !== NOT_SECRET ? k : '';
}

/**
 * Past this many escapes, or this length, a run's readings are not tried (each costs a pass
 * over the run, and a hostile record could hold a megabyte-long one): the run counts as secret.
 */
const MAX_RUN_ESCAPES = 8;
const MAX_ESCAPED_RUN = 256;

/**
 * The secret key name a run holding backslashes may read as, or '' for none.
 * Each `\X` is one escape: a reader may keep X and join the parts around it (logfmt `\s`),
 * or turn it into a separator (`\n`), so every stretch of consecutive parts is tried, its
 * first part with and without its first character. `dotted`: a name counts by its last
 * dotted segment (redactText's keys; the pre-check's runs hold no dots).
 */
export function escapedRunSecret(run: string, dotted: boolean): string {
  if (run.length > MAX_ESCAPED_RUN) return 'secret';
  const parts = run.split('\\');
  if (parts.length > MAX_RUN_ESCAPES + 1) return 'secret';
  for (let i = 0; i < parts.length; i++) {
    const first = parts[i] as string;
    const starts = i > 0 && first.length > 0 ? [first, first.slice(1)] : [first];
    for (const start of starts) {
      let name = start;
      for (let j = i; j < parts.length; j++) {
        if (j > i) name += parts[j];
        const n = name === '' ? '' : secretSpan(name, 0, name.length, dotted);
        if (n !== '') return n;
      }
    }
  }
  return '';
}

/**
 * A superset test: false only when no secret key, Bearer credential or `\u` escape can be in
 * the text, so the record needs no redaction at all. Each stem hit is checked against its
 * whole run, so words like `INVALID_API_KEY` or `signature` do not send a record down the
 * redaction path.
 */
export function mayHoldSecret(text: string): boolean {
  return scanStems(text, false) !== false;
}

/**
 * mayHoldSecret, and when it holds, where every stem hit starts (confirmed or not): the only
 * places whose text redactText could change (see hitStrings). undefined: nothing to redact.
 */
export function secretHits(text: string, pii = false): number[] | undefined {
  const hits = scanStems(text, true);
  if (!pii) return hits === false ? undefined : (hits as number[]);
  // Personal data (FAULTLINE_PII=mask, docs/secrets.md §5): its hits join the secrets' in order.
  const p = piiHits(text);
  if (hits === false) return p.length === 0 ? undefined : p;
  return mergeSorted(hits as number[], p);
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && (a[i] as number) <= (b[j] as number))) out.push(a[i++] as number);
    else out.push(b[j++] as number);
  }
  return out;
}

/**
 * mayHoldSecret's scan. With `collect`, it goes on to the end and returns every hit (the array
 * made at the first hit: most records have none), or false when none confirms a secret.
 */
function scanStems(text: string, collect: boolean): number[] | boolean {
  // toLowerCase keeps positions unless a character expands (U+0130); then scan the text itself.
  // It may also fold a non-ASCII letter into an ASCII one (Kelvin sign -> k): one more stem
  // hit at most, as runs are checked on the original text.
  const low = text.toLowerCase();
  const stems = low.includes('\\') ? ESCAPED : PLAIN;
  const re = low.length === text.length ? stems.lower : stems.any;
  const scan = re === stems.lower ? low : text;
  let found = false;
  let hits: number[] | undefined;
  re.lastIndex = 0;
  for (let m = re.exec(scan); m !== null; m = re.exec(scan)) {
    // A stem's hit is kept only when its run is a secret key name (wherever it stands):
    // redactText can change text nowhere else, and `shop-worker` or `author` would send
    // their strings through it for nothing.
    const m0 = m[0];
    const shape = !STEM_MATCHES.has(re === stems.lower ? m0 : m0.toLowerCase()) && SHAPE_MATCH.test(m0);
    // `s_`, `a-` and the like stand for a word spelled in single letters (`s_i_g_n`): only
    // where the letter is a component of its own (`shop-api` holds `p-a`).
    if (
      !shape &&
      m0.length === 3 &&
      (m0.charCodeAt(1) === 45 || m0.charCodeAt(1) === 95) &&
      m.index > 0 &&
      isAlnum(text.charCodeAt(m.index - 1))
    ) {
      re.lastIndex = m.index + 1;
      continue;
    }
    if (collect && (shape || m0.charCodeAt(0) === 92 || (m0.charCodeAt(0) | 32) === 98)) {
      hits ??= [];
      hits.push(m.index);
    }
    if (shape) {
      // A shape's start: counts when the text there has the shape's exact form.
      if (!found && shapeAtTrigger(text, m.index) !== undefined) {
        if (!collect) return true;
        found = true;
      }
      re.lastIndex = Math.max(shapeSkip, m.index + 1);
      continue;
    }
    const c = m[0].charCodeAt(0);
    // `\u…`, `Bearer` and `Basic` (the only stems starting with b) count anywhere.
    if (c === 92 || c === 98 || c === 66) {
      if (!collect) return true;
      found = true;
      continue;
    }
    let from = m.index;
    let esc = false;
    for (let d = text.charCodeAt(from - 1); from > 0 && (isRunChar(d) || d === 92); d = text.charCodeAt(--from - 1)) esc ||= d === 92;
    let to = m.index;
    for (let d = text.charCodeAt(to); to < text.length && (isRunChar(d) || d === 92); d = text.charCodeAt(++to)) esc ||= d === 92;
    if (collect) {
      if (esc ? escapedRunSecret(text.slice(from, to), false) !== '' : secretSpan(text, from, to, false) !== '') {
        hits ??= [];
        hits.push(m.index);
        found ||= inKeyPosition(text, from, to);
      }
    } else if (
      inKeyPosition(text, from, to) &&
      (esc ? escapedRunSecret(text.slice(from, to), false) !== '' : secretSpan(text, from, to, false) !== '')
    ) {
      return true;
    }
    re.lastIndex = to;
  }
  // Passwords in URLs (§2): only where an `@` is (userinfoHint), so not in the regexp above.
  if (userinfoHint(text)) {
    for (const at of userinfoStarts(text)) {
      if (!found && shapeAt(text, at) !== undefined) {
        if (!collect) return true;
        found = true;
      }
      if (collect) {
        hits ??= [];
        hits.push(at);
      }
    }
    if (hits !== undefined) hits.sort((a, b) => a - b);
  }
  return found && hits !== undefined ? hits : false;
}

const PAIR_NAMES: ReadonlySet<string> = new Set(['key', 'name', 'k', 'header', 'field', 'param']);

/**
 * Whether the run [from, to) stands where redaction reads a key (§1): before `=` or `:`
 * (logfmt, headers, JSON keys), maybe after a closing quote; as the first element of a pair
 * list (`["Cookie", …]`); or as the value of a pair's name (`{"key":"sign","value":…}`). A
 * secret-looking word elsewhere is a value (`{"code":"INVALID_API_KEY"}`), which no rule
 * redacts, and need not send the record down the redaction path.
 */
function inKeyPosition(text: string, from: number, to: number): boolean {
  let j = to;
  for (let n = 0; n < 4 && j < text.length; n++) {
    const c = text.charCodeAt(j);
    if (c === 61 || c === 58) return true;
    // Percent-encoded `=` or `:` (a URL nested in a query string).
    if (c === 37 && text.charCodeAt(j + 1) === 51 && ((text.charCodeAt(j + 2) | 32) === 100 || (text.charCodeAt(j + 2) | 32) === 97))
      return true;
    // `,` after a pair list's first element only (`["Cookie","…"]`), not after an object's value.
    if (c === 44) {
      if (j > to && openedBy(text, from, 91)) return true;
      break;
    }
    if (c === 34 || c === 39 || c === 92 || c === 32 || c === 9) j++;
    else break;
  }
  // Backwards over the opening quote and `:` to the key before it.
  let i = from - 1;
  let colon = false;
  for (let n = 0; n < 6 && i >= 0; n++, i--) {
    const c = text.charCodeAt(i);
    if (c === 58) colon = true;
    else if (!(c === 34 || c === 39 || c === 92 || c === 32 || c === 9)) break;
  }
  if (!colon) return false;
  const end = i + 1;
  while (i >= 0 && end - i <= 8 && isRunChar(text.charCodeAt(i))) i--;
  return PAIR_NAMES.has(text.slice(i + 1, end).toLowerCase());
}

/** Whether the quoted run at `from` is opened right after the character `open` (spaces and an escaped quote allowed). */
function openedBy(text: string, from: number, open: number): boolean {
  let i = from - 1;
  for (let n = 0; n < 4 && i >= 0; n++, i--) {
    const c = text.charCodeAt(i);
    if (c === open) return true;
    if (!(c === 34 || c === 39 || c === 92 || c === 32 || c === 9)) return false;
  }
  return false;
}
