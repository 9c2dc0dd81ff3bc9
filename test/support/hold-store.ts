// Child process for lock tests: `node --import tsx test/support/hold-store.ts <dataDir> <db> serve|noserve`.
// Opens the embedded store (taking chDB's lock on the data dir), migrates, inserts one event
// with request id `req_held`, optionally serves it read-only (endpoint.json), prints `ready`,
// and holds everything until its stdin closes.
import { loadConfig } from '../../lib/config.ts';
import { openStore, serveStore } from '../../sql/index.ts';
import { insertRows, makeEvent } from './stores.ts';

const [dataDir, db, mode] = process.argv.slice(2);
const store = await openStore({ ...loadConfig({}), FAULTLINE_DATA: dataDir!, CLICKHOUSE_DATABASE: db! });
await store.migrate();
await insertRows(store, 'events', [makeEvent({ request_id: 'req_held' })]);
const served = mode === 'serve' ? await serveStore(store, { readonly: true }) : undefined;
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', async () => {
  await served?.close();
  await store.close();
  process.exit(0);
});
