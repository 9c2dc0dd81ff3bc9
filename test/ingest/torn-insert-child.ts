// One owner's part of the torn-insert test (torn-insert.test.ts), in its own process: chDB holds
// one data directory per process, and the test must stop the engine between steps to put its
// files in the state a kill leaves. Prints one JSON line: what the store holds afterwards.
//   write DIR           the first owner's flush of two partitions, killed after its rejects insert (no ledger)
//   replay DIR          the next owner's whole replay of that flush, as before this fix: same tokens, no repair
//   replay-repair DIR   the whole replay as flush.ts runs it: same tokens, then `Sink.repair`
//   checked DIR         the split-ownership fallback for each range (`Sink.writeMissing`)
//   counts DIR          nothing: what the store holds (after `faultline run --from file:`)
import { loadConfig } from '../../lib/config.ts';
import { silentLogger } from '../../ingest/log.ts';
import { Sink } from '../../ingest/sink.ts';
import { deliveryTarget } from '../../sql/ledger.ts';
import { openStore } from '../../sql/open.ts';
import { KEEP_FOREVER } from '../support/keep-forever.ts';
import { counts, records, segmentsOf } from './helpers.ts';

const [mode, dir] = process.argv.slice(2) as [string, string];
const store = await openStore({ ...loadConfig(KEEP_FOREVER), FAULTLINE_DATA: dir, CLICKHOUSE_DATABASE: 'faultline', CLICKHOUSE_URL: '' });
await store.migrate();
const target = deliveryTarget(store);
const backoff = { initialMs: 20, maxMs: 100, permanentAttempts: 1 };
// Fixed content and transport time: both owners build byte-identical segments (same tokens).
const AT = Date.UTC(2026, 10, 21, 10, 0, 0);
const recs = records('gateway', 400, { tag: 'torn' });
const range = [{ first: 0, last: 199 }];
const segs = async (replay: boolean) => [
  ...(await segmentsOf('gw', 0, recs.values.slice(0, 200), 0, replay ? range : [], replay ? 'c' : null, AT)),
  ...(await segmentsOf('gw', 1, recs.values.slice(200), 0, replay ? range : [], replay ? 'c' : null, AT)),
];

let repaired: unknown = null;
if (mode === 'write') {
  const killed = { ...target, insertLedger: () => Promise.reject(new Error('killed before the ledger insert')) };
  await new Sink({ target: killed, log: silentLogger, backoff }).write(await segs(false)).catch(() => undefined);
} else {
  const sink = new Sink({ target, log: silentLogger, backoff });
  if (mode === 'replay' || mode === 'replay-repair') {
    const whole = await segs(true);
    await sink.write(whole);
    if (mode === 'replay-repair') repaired = await sink.repair(whole);
  } else if (mode === 'checked') {
    const checked = [
      ...(await segmentsOf('gw', 0, recs.values.slice(0, 200), 0, range, null, AT)),
      ...(await segmentsOf('gw', 1, recs.values.slice(200), 0, range, null, AT)),
    ];
    const got = [];
    for (const s of checked) got.push(await sink.writeMissing(s));
    repaired = got;
  } else if (mode !== 'counts') {
    throw new Error(`unknown mode ${mode}: write, replay, replay-repair, checked, counts`);
  }
}
const parts = await store.query<{ table: string; path: string }>(
  `SELECT table, path FROM system.parts WHERE database = 'faultline' AND table IN ('rejects', 'ingest_batches') AND active`,
);
const [ledger] = await store.query<{ n: number }>('SELECT count() AS n FROM faultline.ingest_batches');
const [rollups] = await store.query<{ events: number; rejects: number }>(
  'SELECT (SELECT sum(events) FROM faultline.events_1m) AS events, (SELECT sum(rejects) FROM faultline.rejects_1m) AS rejects',
);
process.stdout.write(
  `${JSON.stringify({
    counts: await counts(store, 'faultline'),
    ledger: Number(ledger!.n),
    rollups: { events: Number(rollups!.events), rejects: Number(rollups!.rejects) },
    parts,
    repaired,
    expected: { events: recs.valid, rejects: recs.garbage },
  })}\n`,
);
await store.close();
