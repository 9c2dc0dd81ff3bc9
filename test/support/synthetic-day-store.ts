// An embedded store in its own data directory, migrated and loaded with the synthetic day:
// the fixture the dashboard, alert and preview tests share.
import { rmSync } from 'node:fs';
import { loadConfig } from '../../lib/config.ts';
import { openStore, type Store } from '../../sql/index.ts';
import { KEEP_FOREVER } from './keep-forever.ts';
import { loadSyntheticDay, syntheticDay, type SyntheticDay } from './synthetic-day.ts';

export interface SyntheticDayStore {
  store: Store;
  day: SyntheticDay;
  /** Close the store and remove its data directory. */
  close(): Promise<void>;
}

export async function openSyntheticDayStore(database: string, dataDir: string): Promise<SyntheticDayStore> {
  const store = await openStore(loadConfig({ ...KEEP_FOREVER, FAULTLINE_DATA: dataDir, CLICKHOUSE_DATABASE: database }));
  await store.migrate();
  const day = await loadSyntheticDay(store, database, syntheticDay());
  return {
    store,
    day,
    async close() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
