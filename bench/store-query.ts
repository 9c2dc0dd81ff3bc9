// Run SELECTs on a faultline embedded store after `faultline run` has exited (chDB locks its
// data directory, so this is its own short-lived child process):
//
//   node --import tsx bench/store-query.ts --data DIR [--database faultline] SQL…
//
// Prints one JSON line: an array with, per SQL, its rows as objects.
import { parseArgs } from 'node:util';
import { openStore } from '../sql/index.ts';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { data: { type: 'string' }, database: { type: 'string', default: 'faultline' } },
  });
  if (!values.data || positionals.length === 0) throw new Error('store-query: --data DIR and at least one SQL are required');
  const store = await openStore(
    {
      CLICKHOUSE_URL: undefined,
      CLICKHOUSE_USER: 'default',
      CLICKHOUSE_PASSWORD: '',
      CLICKHOUSE_DATABASE: values.database ?? 'faultline',
      FAULTLINE_DATA: values.data,
      FAULTLINE_RETENTION_DAYS: 30,
      CLICKHOUSE_CLUSTER: undefined,
    },
    { fallbackToEndpoint: false },
  );
  try {
    const out: unknown[] = [];
    for (const sql of positionals) out.push(await store.query(sql));
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await store.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`store-query: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
