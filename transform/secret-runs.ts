// Character runs for the shape and token checks (secret-shapes.ts, secret-tokens.ts): class
// tables, and run ends cached per class so that triggers arriving in increasing order inside
// one run cost O(1) each (docs/secrets.md §6: linear on any input).

/** Where a shape was found: `from`..`to` is replaced; `fp`: an API key or token (§4). */
export interface ShapeHit {
  from: number;
  to: number;
  fp: boolean;
}

// Character classes by table.
export const ALNUM = 1;
export const WORD = 2; // [A-Za-z0-9_]
export const TOKEN = 4; // [A-Za-z0-9_-]
export const UPPER_DIGIT = 8; // [A-Z0-9]
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const up = c >= 65 && c <= 90;
  const alnum = up || (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
  CLASS[c] =
    (alnum ? ALNUM | WORD | TOKEN : 0) |
    (c === 95 ? WORD | TOKEN : 0) |
    (c === 45 ? TOKEN : 0) |
    (up || (c >= 48 && c <= 57) ? UPPER_DIGIT : 0);
}
export function is(s: string, i: number, cls: number): boolean {
  const c = s.charCodeAt(i);
  return c < 128 && ((CLASS[c] as number) & cls) !== 0;
}

// Run ends by class, cached: triggers arrive in increasing order, so a run is scanned once
// however many triggers sit inside it.
const runCache = { s: '', cls: [0, 0, 0, 0, 0, 0, 0, 0, 0], from: [0, 0, 0, 0, 0, 0, 0, 0, 0], to: [0, 0, 0, 0, 0, 0, 0, 0, 0] };
export function runEnd(s: string, i: number, cls: number): number {
  if (runCache.s !== s) {
    runCache.s = s;
    runCache.from.fill(-1);
    runCache.to.fill(-1);
  }
  if (i >= (runCache.from[cls] as number) && i < (runCache.to[cls] as number)) return runCache.to[cls] as number;
  let j = i;
  while (j < s.length && is(s, j, cls)) j++;
  runCache.from[cls] = i;
  runCache.to[cls] = j;
  return j;
}

/** Run length of `cls` at i. */
export function runLen(s: string, i: number, cls: number): number {
  return runEnd(s, i, cls) - i;
}

export function startsWithCI(s: string, i: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) {
    let c = s.charCodeAt(i + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(k)) return false;
  }
  return true;
}

export function hit(from: number, to: number, fp: boolean): ShapeHit {
  return { from, to, fp };
}
