// Time stamps in the formats docs/event-model.md §1 accepts, so the generator exercises every one:
// ISO-8601 UTC and with an offset, `YYYY-MM-DD HH:mm:ss.SSS`, epoch seconds and milliseconds.
import type { Rng } from './rng.ts';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

// Records arrive nearly in time order, so the formatted minute is cached and only seconds and
// milliseconds are appended (Date#toISOString was the generator's top cost).
let cachedMin = NaN;
let cachedPrefix = '';

/** ISO-8601 UTC with milliseconds, e.g. `2026-11-21T10:00:01.234Z`. */
export function iso(ms: number): string {
  const min = Math.floor(ms / 60_000);
  if (min !== cachedMin) {
    cachedMin = min;
    cachedPrefix = new Date(min * 60_000).toISOString().slice(0, 17);
  }
  const rest = ms - min * 60_000;
  const sec = Math.floor(rest / 1000);
  const frac = rest - sec * 1000;
  return `${cachedPrefix + (sec < 10 ? '0' : '') + sec + (frac < 10 ? '.00' : frac < 100 ? '.0' : '.') + frac}Z`;
}

/** `YYYY-MM-DD HH:mm:ss.SSS` in UTC. */
export function spaced(ms: number): string {
  const s = iso(ms);
  return `${s.slice(0, 10)} ${s.slice(11, 23)}`;
}

/** ISO-8601 in the +08:00 zone (Hangzhou, where the marketplaces are), e.g. `2026-11-21T18:00:01.234+08:00`. */
function isoPlus8(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${date}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+08:00`;
}

/** One time key for a JSON record, in one of the accepted formats, as `[key, value]`. */
export function timeField(rng: Rng, ms: number, stream: 'gateway' | 'client'): [string, string | number] {
  const x = rng.float();
  if (stream === 'gateway') {
    if (x < 0.72) return ['ts', iso(ms)];
    if (x < 0.82) return ['time', ms];
    if (x < 0.88) return ['@timestamp', isoPlus8(ms)];
    if (x < 0.95) return ['logged_at', spaced(ms)];
    return ['timestamp', ms / 1000];
  }
  if (x < 0.7) return ['timestamp', iso(ms)];
  if (x < 0.85) return ['time', String(ms)];
  return ['event_time', spaced(ms)];
}

/** Set one time key on a JSON record (see timeField). */
export function formatTime(rng: Rng, r: Record<string, unknown>, ms: number, stream: 'gateway' | 'client'): void {
  const [k, v] = timeField(rng, ms, stream);
  r[k] = v;
}
