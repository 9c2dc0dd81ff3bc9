// How stored records were read (docs/real-inputs.md §4): events per topic and `format`, for
// `faultline status` (the unrecognized share per topic and the formats seen). One statement.
import { checkDatabaseName } from './migrate.ts';
import type { Store } from './store.ts';

export interface TopicFormats {
  topic: string;
  events: number;
  /** Events per format, most first. */
  formats: { format: string; events: number }[];
  /** Share of events read as `unrecognized` (0–1). */
  unrecognized: number;
}

/** Rows stored before migration 0008 have format '' and are reported as `(before 0008)`. */
export async function formatsByTopic(store: Pick<Store, 'query'>, db: string): Promise<TopicFormats[]> {
  checkDatabaseName(db);
  const rows = await store.query<{ topic: string; format: string; events: number }>(
    `SELECT topic, if(format = '', '(before 0008)', format) AS format, toUInt64(count()) AS events FROM ${db}.events GROUP BY topic, ` +
      `format ORDER BY topic, events DESC, format`,
  );
  const out = new Map<string, TopicFormats>();
  for (const r of rows) {
    const t = out.get(r.topic) ?? { topic: r.topic, events: 0, formats: [], unrecognized: 0 };
    const n = Number(r.events);
    t.events += n;
    t.formats.push({ format: r.format, events: n });
    if (r.format === 'unrecognized') t.unrecognized += n;
    out.set(r.topic, t);
  }
  for (const t of out.values()) t.unrecognized = t.events === 0 ? 0 : t.unrecognized / t.events;
  return [...out.values()];
}
