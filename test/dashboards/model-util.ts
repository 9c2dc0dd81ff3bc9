// Helpers of the plain-JS panel models (model.ts, model-ops.ts): grouping, sorting, parsing.
export type Row = Record<string, unknown>;
export const MIN = 60_000;
export const HOUR = 3_600_000;
// Date.parse of the same ~55k strings again and again dominates the model's cost: memoize.
const parsed = new Map<string, number>();
export const ms = (iso: string) => {
  let v = parsed.get(iso);
  if (v === undefined) {
    v = Date.parse(iso);
    parsed.set(iso, v);
  }
  return v;
};
export const floorTo = (t: number, step: number) => Math.floor(t / step) * step;

/** Group, then sum/aggregate: returns groups in insertion order. */
export function group<T, K extends string>(items: T[], key: (x: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of items) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}
const cmp = (a: unknown, b: unknown) => (a === b ? 0 : (a as string | number) < (b as string | number) ? -1 : 1);
/** Sort by keys; a leading '-' means descending. */
export function sortBy(rows: Row[], ...keys: string[]): Row[] {
  return rows.sort((x, y) => {
    for (const k of keys) {
      const desc = k.startsWith('-');
      const f = desc ? k.slice(1) : k;
      const c = cmp(x[f], y[f]);
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  });
}
