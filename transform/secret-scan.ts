// Where a secret may hide in text (docs/event-model.md §6): the stems of the secret key names and
// `Bearer`, and the check of a stem against the key run around it. Shared by the record
// pre-check (mayHoldSecret) and redactText's own hint and key test (redact.ts).
import { normKey } from './keys.ts';

/** The secret key names of §6, normalized (lowercase, no `-`/`_`). */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'sign', 'session', 'sessionkey', 'accesstoken', 'refreshtoken', 'appsecret', 'secret',
  'password', 'authorization', 'cookie', 'xapikey', 'apikey',
]);

/** A key whose value is secret; a dotted key (`headers.authorization`) by its last segment too. */
export function isSecretKey(key: string): boolean {
  const n = normKey(key);
  if (SECRET_KEYS.has(n)) return true;
  const dot = n.lastIndexOf('.');
  return dot >= 0 && SECRET_KEYS.has(n.slice(dot + 1));
}

// A secret key (§6) is a run of ASCII letters, digits, `-` and `_` (or the last dotted segment
// of one) that normalizes to one of SECRET_KEYS, so text can only hold a secret where one of
// the stems below sits inside such a run; `Bearer` and `\u` escapes (which may spell anything)
// count wherever they are. normKey ignores `-`/`_` anywhere, so the stems allow them between
// any two letters (`api_key`, `x-api-key`, `pass_word`, also `s_i_g_n`).
//
// Backslashes are allowed there too: text is often read once more through an escaping layer
// (a JSON string, a quoted logfmt value, JSON logged inside a string), and a logfmt reader
// turns `\s` into `s`, so `pa\ssword=x` becomes `password=x` and `Be\arer tok…` a Bearer
// credential. A run around a stem therefore extends over backslashes, and is checked under
// every reading of its escapes (escapedRunSecret).
const STEM_WORDS = ['sign', 'session', 'token', 'secret', 'password', 'authori[sz]ation', 'cookie', 'apikey'];
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
    if (rests.some((r) => r.length === 0)) throw new Error(`stem ${head} is a prefix of another stem`);
    alts.push(rests.length === 1 ? [head, ...(rests[0] as readonly string[])].join(sep) : `${head}${sep}(?:${stemTrie(rests, sep)})`);
  }
  return alts.join('|');
}
/** `authori[sz]ation` -> its letters, a `[sz]` class one step. */
const steps = (w: string): string[] => w.match(/\[[^\]]*\]|./g) ?? [];
/** `bearer` with backslashes allowed before each letter (its only stem starting with b). */
export const BEARER_STEM = [...'bearer'].join('\\\\*');
const PLAIN_SOURCE = `${stemTrie(STEM_WORDS.map(steps), '[-_]*')}|bearer`;
// Text holding a backslash is scanned with backslashes allowed inside the stems. Apart: the
// extra class costs ~20% of the scan, and most records hold no backslash at all.
const ESCAPED_SOURCE = `${stemTrie(STEM_WORDS.map(steps), '[-_\\\\]*')}|${BEARER_STEM}|\\\\u`;
// Over lower-cased text a case-sensitive scan is cheaper than an /i one.
const PLAIN = { lower: new RegExp(PLAIN_SOURCE, 'g'), any: new RegExp(PLAIN_SOURCE, 'gi') };
const ESCAPED = { lower: new RegExp(ESCAPED_SOURCE, 'g'), any: new RegExp(ESCAPED_SOURCE, 'gi') };
const HINT_PLAIN = new RegExp(PLAIN_SOURCE, 'i');
const HINT_ESCAPED = new RegExp(ESCAPED_SOURCE, 'i');

/** redactText's own pre-check: a stem anywhere, not confirmed against its run. */
export function hintsSecret(s: string): boolean {
  return (s.includes('\\') ? HINT_ESCAPED : HINT_PLAIN).test(s);
}

/** [A-Za-z0-9_-]: the characters of a key run (normKey drops `-`/`_`, `.` splits segments). */
function isRunChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}

/**
 * s[from, to) normalized (ASCII lower case, no `-`/`_`; from its last `.` on when `dotted`) when
 * that is a secret key name, else ''.
 */
function secretSpan(s: string, from: number, to: number, dotted: boolean): string {
  let n = '';
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 45 || c === 95) continue;
    if (c === 46 && dotted) n = '';
    else n += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
  }
  return SECRET_KEYS.has(n) ? n : '';
}

/**
 * Past this many escapes, or this length, a run's readings are not tried (each costs a pass
 * over the run, and a hostile record could hold a megabyte-long one): the run counts as secret.
 */
const MAX_RUN_ESCAPES = 8;
const MAX_ESCAPED_RUN = 256;

/**
 * The secret key name (normalized) a run holding backslashes may read as, or '' for none.
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
export function secretHits(text: string): number[] | undefined {
  const hits = scanStems(text, true);
  return hits === false ? undefined : (hits as number[]);
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
    if (collect) (hits ??= []).push(m.index);
    const c = m[0].charCodeAt(0);
    // `\u…` and `Bearer` (the only stem starting with b) count anywhere.
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
    if (!found && (esc ? escapedRunSecret(text.slice(from, to), false) !== '' : secretSpan(text, from, to, false) !== '')) {
      if (!collect) return true;
      found = true;
    }
    re.lastIndex = to;
  }
  return found && hits !== undefined ? hits : false;
}

/** Whether the `"` at i is escaped (an odd number of backslashes before it). */
function escapedAt(s: string, i: number): boolean {
  let n = 0;
  while (i - n > 0 && s.charCodeAt(i - n - 1) === 92) n++;
  return n % 2 === 1;
}

/**
 * The decoded strings of the JSON string tokens of `json` (valid JSON text) that hold a hit
 * in [from, to), or undefined when a hit is not inside a string token. A stem inside a
 * decoded string was a stem in its token (escapes other than `\u` decode to no letter, `-`
 * or `_`; a `\u` or a backslash is a hit itself), so a parsed string (key or value) that is
 * not one of these is left unchanged by redactText: the redaction walk skips its scan.
 */
export function hitStrings(json: string, hits: readonly number[], from: number, to: number): string[] | undefined {
  const out: string[] = [];
  let end = -1;
  for (const h of hits) {
    if (h < from || h >= to || h <= end) continue;
    let open = json.lastIndexOf('"', h - 1);
    while (open >= from && escapedAt(json, open)) open = json.lastIndexOf('"', open - 1);
    let close = json.indexOf('"', h);
    while (close >= 0 && close < to && escapedAt(json, close)) close = json.indexOf('"', close + 1);
    if (open < from || close < 0 || close >= to) return undefined;
    const token = json.slice(open + 1, close);
    if (!token.includes('\\')) out.push(token);
    else {
      try {
        out.push(JSON.parse(json.slice(open, close + 1)) as string);
      } catch {
        return undefined;
      }
    }
    end = close;
  }
  return out;
}
