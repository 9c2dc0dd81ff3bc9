// When a crash test ends short of rows: which Kafka records have no row at all, which ledger
// rows claim them, and which replays (ingest/recovery.ts describeReplay lines) and checked
// replays (ingest/flush.ts) covered them in each run's log. Printed on the timeout path, so
// a loss seen once in CI says where it happened instead of only how many rows it was.
import type { Store } from '../../sql/store.ts';
import { replayRanges } from './rollup-shortfall.ts';

interface Gap {
  key: string;
  first: number;
  last: number;
}

/** Offsets below each partition's highest stored offset that have no row in `events` or `rejects`. */
async function gaps(store: Store, db: string): Promise<Gap[]> {
  const rows = await store.query<{ topic: string; partition: number; offsets: string[] }>(
    `SELECT topic, partition, arraySort(groupUniqArray(toString(offset))) AS offsets FROM
       (SELECT topic, partition, offset FROM ${db}.events UNION ALL SELECT topic, partition, offset FROM ${db}.rejects)
     GROUP BY topic, partition ORDER BY topic, partition`,
  );
  const out: Gap[] = [];
  for (const r of rows) {
    const offs = r.offsets.map(Number).sort((a, b) => a - b);
    let expect = 0;
    for (const o of offs) {
      if (o > expect) out.push({ key: `${r.topic}/${r.partition}`, first: expect, last: o - 1 });
      expect = o + 1;
    }
  }
  return out;
}

/** Log lines of `log` that name a range of `key` overlapping the gap. */
function linesAbout(log: string, g: Gap): string[] {
  const [topic, partition] = g.key.split('/');
  const out: string[] = [];
  for (const line of log.split('\n')) {
    if (!line.includes(`${topic}/${partition}`) && !line.includes(`${topic}[${partition}]`)) continue;
    const ranges = [...line.matchAll(/(\d+)-(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
    if (ranges.some(([a, b]) => a <= g.last && b >= g.first)) out.push(line.slice(0, 300));
  }
  return out;
}

/** Ledger rows whose event or reject count differs from the rows stored in their range. */
async function ledgerMismatches(store: Store, db: string): Promise<string[]> {
  const ledger = await store.query<{ topic: string; partition: number; first: string; last: string; events: number; rejects: number }>(
    `SELECT DISTINCT topic, partition, toString(first_offset) AS first, toString(last_offset) AS last, events, rejects
     FROM ${db}.ingest_batches ORDER BY topic, partition, first`,
  );
  const rows = await store.query<{ t: string; topic: string; partition: number; offset: string }>(
    `SELECT 'events' AS t, topic, partition, toString(offset) AS offset FROM ${db}.events
     UNION ALL SELECT 'rejects' AS t, topic, partition, toString(offset) AS offset FROM ${db}.rejects`,
  );
  const by = new Map<string, number[]>();
  for (const r of rows) {
    const k = `${r.t} ${r.topic}/${r.partition}`;
    if (!by.has(k)) by.set(k, []);
    by.get(k)!.push(Number(r.offset));
  }
  const within = (k: string, a: number, b: number) => (by.get(k) ?? []).filter((o) => o >= a && o <= b).length;
  const out: string[] = [];
  for (const l of ledger) {
    const [a, b] = [Number(l.first), Number(l.last)];
    const ev = within(`events ${l.topic}/${l.partition}`, a, b);
    const rj = within(`rejects ${l.topic}/${l.partition}`, a, b);
    if (ev !== Number(l.events) || rj !== Number(l.rejects)) {
      out.push(`${l.topic}/${l.partition} ${a}-${b}: ledger ${l.events} events ${l.rejects} rejects, stored ${ev} events ${rj} rejects`);
    }
  }
  return out;
}

/** A readable account of every record without a row and every ledger row its rows do not match. */
export async function lossReport(store: Store, db: string, logs: readonly string[]): Promise<string> {
  const found = await gaps(store, db);
  const mismatched = await ledgerMismatches(store, db);
  const out: string[] = [`ledger rows not matching the rows in their range (overlapping ranges count twice): ${mismatched.length}`];
  out.push(...mismatched.slice(0, 30).map((m) => `  ${m}`));
  out.push(`${found.length} gaps (offsets with no row in events or rejects):`);
  for (const g of found.slice(0, 20)) {
    const [topic, partition] = g.key.split('/');
    const ledger = await store.query<{
      first_offset: string;
      last_offset: string;
      records: number;
      events: number;
      rejects: number;
      n: number;
    }>(
      `SELECT toString(first_offset) AS first_offset, toString(last_offset) AS last_offset, records, events, rejects, count() AS n
       FROM ${db}.ingest_batches WHERE topic = {t:String} AND partition = {p:UInt32}
         AND first_offset <= {last:UInt64} AND last_offset >= {first:UInt64}
       GROUP BY first_offset, last_offset, records, events, rejects ORDER BY first_offset`,
      { t: topic!, p: Number(partition), first: g.first, last: g.last },
    );
    out.push(`- ${g.key} ${g.first}-${g.last} (${g.last - g.first + 1} offsets); ledger rows over it: ${JSON.stringify(ledger)}`);
    logs.forEach((log, i) => {
      const replays = replayRanges(log).filter((r) => r.key === g.key && r.first <= g.last && r.last >= g.first);
      const lines = linesAbout(log, g);
      if (replays.length > 0 || lines.length > 0)
        out.push(`  run ${i + 1}: ${lines.length} lines:\n    ${lines.slice(0, 12).join('\n    ')}`);
    });
  }
  return out.join('\n');
}
