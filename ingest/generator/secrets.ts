// Credentials planted in generated traffic where real ones leak into logs: Taobao `sign` and
// `session` args, Alipay `sign`, `Authorization: Bearer …` headers, `access_token` and
// `api_key` fields. They come from a fixed pool so tests can assert that none of them ever
// reaches storage, stdout or logs (docs/secrets.md).
import { Rng } from './rng.ts';

const HEX = '0123456789ABCDEF';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function pool(n: number, make: (r: Rng) => string, seed: number): readonly string[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => make(r));
}

/** TOP / Alipay request signatures (32 hex digits, as in the TOP docs' example). */
export const SIGNS = pool(16, (r) => r.token(32, HEX), 0x5157);
/** Taobao session keys. */
export const SESSIONS = pool(16, (r) => `6102${r.token(40, '0123456789abcdef')}`, 0x5e55);
/** Gateway API keys, sent as `Authorization: Bearer …`. */
export const BEARERS = pool(16, (r) => `fl_live_${r.token(32, ALNUM)}`, 0xbea7);
/** OAuth access tokens and vendor API keys logged by careless clients. */
export const TOKENS = pool(16, (r) => `at.${r.token(40, ALNUM)}`, 0x70c3);

/** Every value the generator may plant; none of them may appear in any output of the pipeline. */
export const PLANTED_SECRETS: readonly string[] = [...SIGNS, ...SESSIONS, ...BEARERS, ...TOKENS];
