// FAULTLINE_RAW=all against non-ok on the demo day (`faultline demo`: 300,000 gateway and client
// records of a simulated day, both streams through the file source into embedded chDB), runs
// interleaved A B B A … so the machine's load weighs on both alike:
//
//   node --import tsx bench/raw-policy.ts [--rounds 2] [--count 300000]
//
// Per run: the demo's own ingest time (records/s), the CPU of the whole demo process (generator,
// normalize, engine, its report) per record, and on disk after `OPTIMIZE … FINAL`: the events
// table's bytes and its `raw` column's. Prints a table, then one JSON line of the medians.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
const BIN = here('../bin/faultline.js');

/** CPU of this process's reaped children (cutime + cstime, /proc/self/stat fields 16-17), ms. */
function childCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[13]) + Number(f[14])) * 1000) / 100;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const c = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('error', rej);
    c.on('close', (code) => res({ code: code ?? 1, stdout, stderr }));
  });
}

interface RawRun {
  mode: 'all' | 'non-ok';
  records: number;
  ingest_s: number;
  records_per_s: number;
  cpu_us_per_record: number;
  events_bytes: number;
  raw_bytes: number;
  rows: number;
  raw_rows: number;
}

async function once(mode: 'all' | 'non-ok', count: number, data: string): Promise<RawRun> {
  rmSync(data, { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, FAULTLINE_RAW: mode, FAULTLINE_DATA: data };
  delete env.CLICKHOUSE_URL;
  const cpu0 = childCpuMs();
  const d = await run(process.execPath, [BIN, 'demo', '--count', String(count), '--data', data], env);
  const cpu = childCpuMs() - cpu0;
  if (d.code !== 0) throw new Error(`demo (${mode}) exited ${d.code}: ${d.stderr.slice(-800)}`);
  const m = /demo: stored ([\d,]+) records .* in ([\d.]+) s/.exec(d.stderr + d.stdout);
  if (!m) throw new Error(`demo (${mode}): no "stored … in … s" line`);
  const records = Number(m[1]!.replace(/,/g, ''));
  const ingest = Number(m[2]);
  const q = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      here('./store-query.ts'),
      '--data',
      data,
      'OPTIMIZE TABLE faultline.events FINAL',
      `SELECT (SELECT sum(bytes_on_disk) FROM system.parts WHERE database = 'faultline' AND table = 'events' AND active) AS events_bytes,
            (SELECT sum(column_data_compressed_bytes) FROM system.parts_columns WHERE database = 'faultline' AND table = 'events' AND active AND column = 'raw') AS raw_bytes,
            (SELECT count() FROM faultline.events) AS rows, (SELECT countIf(raw != '') FROM faultline.events) AS raw_rows`,
    ],
    env,
  );
  if (q.code !== 0) throw new Error(`store query (${mode}): ${q.stderr.slice(-600)}`);
  const row = (JSON.parse(q.stdout.trim()) as Record<string, string>[][])[1]![0]!;
  rmSync(data, { recursive: true, force: true });
  return {
    mode,
    records,
    ingest_s: ingest,
    records_per_s: Math.round(records / ingest),
    cpu_us_per_record: Math.round((cpu * 10_000) / records) / 10,
    events_bytes: Number(row.events_bytes),
    raw_bytes: Number(row.raw_bytes),
    rows: Number(row.rows),
    raw_rows: Number(row.raw_rows),
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, count: { type: 'string', default: '300000' } } });
  const rounds = Number(values.rounds);
  const count = Number(values.count);
  const data = resolve('var/bench', `raw-policy-${Date.now().toString(36)}`);
  const runs: RawRun[] = [];
  const loads: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const mode of (r % 2 === 0 ? ['all', 'non-ok'] : ['non-ok', 'all']) as ('all' | 'non-ok')[]) {
      loads.push(loadavg()[0]!);
      const x = await once(mode, count, join(data, mode));
      runs.push(x);
      process.stderr.write(`[raw-policy] ${JSON.stringify(x)}\n`);
    }
  }
  const mib = (b: number): string => (b / 1048576).toFixed(1);
  const lines = [
    '| FAULTLINE_RAW | records/s (ingest) | CPU µs/record (demo process) | events on disk | of which `raw` | events with raw |',
    '|---|---|---|---|---|---|',
  ];
  for (const x of runs) {
    lines.push(
      `| ${x.mode} | ${x.records_per_s.toLocaleString('en')} | ${x.cpu_us_per_record} | ${mib(x.events_bytes)} MiB | ${mib(x.raw_bytes)} MiB | ${x.raw_rows.toLocaleString('en')} of ${x.rows.toLocaleString('en')} |`,
    );
  }
  process.stdout.write(
    `${lines.join('\n')}\n1-min load during the runs: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}\n`,
  );
  const med = (mode: string, k: keyof RawRun): number => median(runs.filter((x) => x.mode === mode).map((x) => x[k] as number));
  process.stdout.write(
    `${JSON.stringify(
      Object.fromEntries(
        ['all', 'non-ok'].map((m) => [
          m,
          {
            records_per_s: med(m, 'records_per_s'),
            cpu_us_per_record: med(m, 'cpu_us_per_record'),
            events_bytes: med(m, 'events_bytes'),
            raw_bytes: med(m, 'raw_bytes'),
          },
        ]),
      ),
    )}\n`,
  );
  rmSync(data, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`raw-policy: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
