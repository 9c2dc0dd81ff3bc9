// Transform alone: the full normalizer over the same records the topic holds, in-process, one
// core, no Kafka and no store. The upper bound of what one faultline thread can feed a sink.
import type { NormalizeContext, NormalizeResult } from '../transform/event.ts';
export { normalize } from '../transform/normalize.ts';

export interface TransformResult {
  records: number;
  events: number;
  rejects: number;
  elapsed_ms: number;
  records_per_s: number;
  us_per_record: number;
}

/** transform/normalize.ts `normalize`: the record's bytes, as the ingest hands over Kafka message values. */
type Normalize = (record: Uint8Array, ctx: NormalizeContext) => NormalizeResult;

/** Run `normalize` over `records` (a warm-up pass over the first 20,000 first, untimed). */
export function measureTransform(normalize: Normalize, texts: readonly string[], transportTimeMs = Date.now()): TransformResult {
  const ctx: NormalizeContext = { source: 'gateway', transportTimeMs };
  const records = texts.map((t) => Buffer.from(t));
  for (let i = 0; i < Math.min(records.length, 20_000); i++) normalize(records[i]!, ctx);
  let events = 0;
  let rejects = 0;
  const t0 = performance.now();
  for (const r of records) {
    if (normalize(r, ctx).ok) events++;
    else rejects++;
  }
  const ms = performance.now() - t0;
  return {
    records: records.length,
    events,
    rejects,
    elapsed_ms: Math.round(ms),
    records_per_s: Math.round(records.length / (ms / 1000)),
    us_per_record: Math.round((ms * 1000 * 100) / records.length) / 100,
  };
}
