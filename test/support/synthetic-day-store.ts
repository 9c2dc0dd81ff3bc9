// A database in this process's test data directory (stores.ts), migrated and loaded with the
// synthetic day: the fixture the dashboard, alert and preview tests share. The data directory
// is the process's one chDB directory, so these files can share a process with other store tests.
import { KEEP_FOREVER } from './keep-forever.ts';
import { loadConfig } from '../../lib/config.ts';
import { openStore, type Store } from '../../sql/index.ts';
import { testDataDir } from './stores.ts';
import { loadSyntheticDay, syntheticDay, type SyntheticDay } from './synthetic-day.ts';

export interface SyntheticDayStore {
  store: Store;
  day: SyntheticDay;
  /** Drop the database and close the store. */
  close(): Promise<void>;
}

export async function openSyntheticDayStore(database: string): Promise<SyntheticDayStore> {
  const store = await openStore(loadConfig({ ...KEEP_FOREVER, FAULTLINE_DATA: testDataDir(), CLICKHOUSE_DATABASE: database }));
  await store.migrate();
  const day = await loadSyntheticDay(store, database, syntheticDay());
  return {
    store,
    day,
    async close() {
      await store.command(`DROP DATABASE IF EXISTS ${database} SYNC`);
      await store.close();
    },
  };
}
