// How a secret is replaced (docs/secrets.md §4, §5): `[REDACTED]`, or for an API key or bearer
// credential `[REDACTED:<fp>]`, fp = the first 10 hex characters of HMAC-SHA256 over the bare
// credential's UTF-8 bytes under the installation's key. The key is an input like any other
// setting (transform/ does no I/O): `faultline migrate` keeps it in the store, or it is given as
// FAULTLINE_REDACTION_KEY; without one, fingerprints are plain `[REDACTED]`.
import { createHmac } from 'node:crypto';

export const REDACTED = '[REDACTED]';
/** What every redacted value starts with; a value already redacted is left as it is. */
export const REDACTED_PREFIX = '[REDACTED';

export interface RedactOptions {
  /** `[REDACTED:<fp>]` of a credential (`[REDACTED]` without a key, or for ''). */
  fp(credential: string): string;
  /** Mask e-mail local parts and payment card numbers (FAULTLINE_PII=mask). */
  readonly pii: boolean;
  /** Card numbers too (false for values under a key naming an id or a number, §5). */
  readonly cards: boolean;
  /** These options for a value under an id or number key. */
  readonly idValue: RedactOptions;
}

const plainFp = (): string => REDACTED;
/** No key, personal data kept: the default. */
export const PLAIN: RedactOptions = {
  fp: plainFp,
  pii: false,
  cards: false,
  get idValue() {
    return PLAIN;
  },
};

const made = new Map<string, RedactOptions>();
// normalize asks for every record: the last answer is kept beside the map (one comparison).
let lastKey: string | undefined;
let lastPii: string | undefined;
let last: RedactOptions = PLAIN;

/**
 * The options for a key and a PII mode, made once per pair (a process has one key): the
 * fingerprints of recent credentials are remembered, as one credential repeats across records.
 */
export function redactOptions(key: string | undefined, pii: 'keep' | 'mask' | undefined): RedactOptions {
  if (key === lastKey && pii === lastPii) return last;
  const k = key ?? '';
  const mask = pii === 'mask';
  lastKey = key;
  lastPii = pii;
  if (k === '' && !mask) {
    last = PLAIN;
    return last;
  }
  const id = `${mask ? 'm' : 'k'}${k}`;
  const hit = made.get(id);
  if (hit !== undefined) {
    last = hit;
    return last;
  }
  const memo = new Map<string, string>();
  const fp =
    k === ''
      ? plainFp
      : (credential: string): string => {
          if (credential === '') return REDACTED;
          const m = memo.get(credential);
          if (m !== undefined) return m;
          const out = `[REDACTED:${createHmac('sha256', k).update(credential, 'utf8').digest('hex').slice(0, 10)}]`;
          if (memo.size >= 10_000) memo.clear();
          memo.set(credential, out);
          return out;
        };
  const idValue: RedactOptions = {
    fp,
    pii: mask,
    cards: false,
    get idValue() {
      return idValue;
    },
  };
  const o: RedactOptions = { fp, pii: mask, cards: mask, idValue };
  if (made.size >= 16) made.clear();
  made.set(id, o);
  last = o;
  return o;
}

/** The fingerprint inside `[REDACTED:<fp>]`, or '' (for app_id `key:<fp>`, §4). */
export function firstFingerprint(text: string): string {
  const at = text.indexOf('[REDACTED:');
  if (at < 0) return '';
  const fp = text.slice(at + 10, at + 20);
  return text.charCodeAt(at + 20) === 93 && /^[0-9a-f]{10}$/.test(fp) ? fp : '';
}
