// Child process standing for one ClickHouse shard: `node --import tsx test/support/shard-host.ts <dataDir> <db>`.
// chDB allows one data directory per process, so each shard of a test cluster is its own
// process: it opens an embedded store, migrates `<db>`, serves it writable over ClickHouse's
// HTTP interface (sql/local-endpoint.ts, no password, loopback), prints `{"url": …}` and holds
// everything until its stdin closes.
import { loadConfig } from '../../lib/config.ts';
import { openStore, serveStore } from '../../sql/index.ts';
import { KEEP_FOREVER } from './keep-forever.ts';

const [dataDir, db] = process.argv.slice(2);
const store = await openStore({ ...loadConfig(KEEP_FOREVER), FAULTLINE_DATA: dataDir!, CLICKHOUSE_DATABASE: db! });
await store.migrate();
const served = await serveStore(store, { readonly: false, token: null, advertise: false });
process.stdout.write(`${JSON.stringify({ url: served.url })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await served.close();
  await store.close();
  process.exit(0);
});
