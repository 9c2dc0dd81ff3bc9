// Throughput of 1, 2 and 3 `faultline run` processes in one consumer group writing to one store
// (docs/scaling.md). The store is chDB hosted by this process and served over ClickHouse's HTTP
// interface (test/ingest/group-host.ts), so every member uses the server backend as against a
// ClickHouse server; the broker is librdkafka's mock (support/broker.ts). For each N: a fresh
// 24-partition topic pre-filled with --records generated gateway records, N members started at
// once, timed until every record is stored. The rate that counts is the steady one: from the
// moment the group is complete (every member's last `joined group` line holds a share and the
// shares cover the 24 partitions) until every record is stored, over the records stored in
// between (so neither process start nor the group join is in it). CPU seconds per member (from
// /proc/<pid>/stat) and of this process (the engine and the endpoint) say where the time went.
//
//   node --import tsx bench/multi-process.ts [--records 120000] [--counts 1,2,3]
//
// On a machine with fewer cores than members + 1 (the store), the members share the cores with
// each other and with the engine: the total cannot scale with N, and the per-process rate falls
// as 1/N. The figures then measure contention, not what N machines would do.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { generateRecords } from '../ingest/generator/index.ts';
import { startBroker } from '../support/broker.ts';
import { counts, sleep } from '../test/ingest/helpers.ts';
import { hostGroupStore } from '../test/ingest/group-host.ts';
import { fillTopic } from './produce.ts';

const { values } = parseArgs({ options: { records: { type: 'string', default: '120000' }, counts: { type: 'string', default: '1,2,3' } } });
const RECORDS = Number(values.records);
const COUNTS = values.counts.split(',').map(Number);
const PARTITIONS = 24;

/** utime + stime of a live process, in seconds (Linux /proc, clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Every member's latest assignment holds partitions of `topic`, and together they hold all of them. */
function groupComplete(stderrs: string[], topic: string): boolean {
  let held = 0;
  for (const err of stderrs) {
    const lines = err.match(/joined group [^\n]*/g);
    const last = lines?.[lines.length - 1];
    const share = last ? new RegExp(`${topic}\\[([\\d,]+)\\]`).exec(last) : null;
    if (!share) return false;
    held += share[1]!.split(',').length;
  }
  return held === PARTITIONS;
}

interface Row { load: number; n: number; wallS: number; total: number; steady: number; perProcess: number; memberCpu: number[]; hostCpu: number; usPerRecord: number }

async function runWith(n: number, brokers: string, corpus: string[], createTopic: (t: string, p: number) => Promise<void>): Promise<Row> {
  const topic = `mp-bench-${n}-${Date.now()}`;
  await createTopic(topic, PARTITIONS);
  await fillTopic(brokers, topic, PARTITIONS, corpus);
  const host = await hostGroupStore(`mpb${n}`);
  try {
    const env = {
      KAFKA_BROKERS: brokers, KAFKA_GROUP_ID: `g-${topic}`, FAULTLINE_GATEWAY_TOPIC: topic, FAULTLINE_CLIENT_TOPIC: `${topic}-unused`,
      FAULTLINE_LOG_LEVEL: 'info', // the `joined group … assigned` lines tell when the group is complete
    };
    await createTopic(`${topic}-unused`, 1);
    const hostCpu0 = process.cpuUsage();
    const start = performance.now();
    // Started 1 s apart: librdkafka's mock (2.0.2) once answered a SyncGroup of three members
    // joining at the same instant with an error that stops a kafkajs consumer.
    const members = [];
    for (let i = 0; i < n; i++) {
      if (i > 0) await sleep(1000);
      members.push(host.member(env));
    }
    let joinedAt = 0;
    let storedAtJoin = 0;
    for (;;) {
      // Polled cheaply (two count()s, answered from part metadata); the distinct check runs once at the end.
      const [q] = await host.store.query<{ n: number }>(`SELECT (SELECT count() FROM ${host.db}.events) + (SELECT count() FROM ${host.db}.rejects) AS n`);
      const stored = Number(q!.n);
      const now = performance.now();
      if (!joinedAt && groupComplete(members.map((m) => m.stderr()), topic)) {
        joinedAt = now;
        storedAtJoin = stored;
      }
      if (stored >= RECORDS) {
        const c = await counts(host.store, host.db);
        if (c.distinct !== RECORDS || c.events + c.rejects !== RECORDS) throw new Error(`N=${n}: ${c.events + c.rejects} stored, ${c.distinct} distinct of ${RECORDS}`);
        break;
      }
      for (const m of members) if (m.proc.exitCode !== null) throw new Error(`N=${n}: a member exited early:\n${m.stderr().slice(-1500)}`);
      if (now - start > 600_000) throw new Error(`N=${n}: not done in 10 minutes (${stored} of ${RECORDS})`);
      await sleep(100);
    }
    const wallS = (performance.now() - start) / 1000;
    const memberCpu = members.map((m) => cpuSeconds(m.proc.pid!));
    const used = process.cpuUsage(hostCpu0);
    const hostCpu = (used.user + used.system) / 1e6;
    const load = loadavg()[0]!;
    for (const m of members) m.kill('SIGTERM');
    await Promise.all(members.map((m) => m.exited));
    if (!joinedAt || RECORDS - storedAtJoin < RECORDS / 2) throw new Error(`N=${n}: the group was complete only after ${storedAtJoin} of ${RECORDS} records were stored; use more --records`);
    const steady = (RECORDS - storedAtJoin) / ((performance.now() - joinedAt) / 1000);
    const cpu = memberCpu.reduce((a, b) => a + b, 0) + hostCpu;
    return { load, n, wallS, total: RECORDS / wallS, steady, perProcess: steady / n, memberCpu, hostCpu, usPerRecord: (cpu / RECORDS) * 1e6 };
  } finally {
    await host.close();
  }
}

const broker = await startBroker();
try {
  const corpus: string[] = [];
  for (const r of generateRecords({ count: RECORDS, sources: 'gateway', garbage: 0, seed: 7 })) corpus.push(r.value);
  const rows: Row[] = [];
  for (const n of COUNTS) {
    const row = await runWith(n, broker.bootstrap, corpus, (t, p) => broker.createTopic(t, p));
    rows.push(row);
    process.stderr.write(`N=${n} done in ${row.wallS.toFixed(1)} s\n`);
  }
  console.log(`${RECORDS} gateway records, ${PARTITIONS} partitions, ${cpus().length} cores; one store served over HTTP by the bench process`);
  console.log('| processes | wall s (join..all stored) | records/s overall | records/s steady (group complete..all stored) | per process, steady | CPU s per member | CPU s engine+endpoint | CPU µs per record (all) | load average (1 min) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.n} | ${r.wallS.toFixed(1)} | ${Math.round(r.total)} | ${Math.round(r.steady)} | ${Math.round(r.perProcess)} | ${r.memberCpu.map((c) => c.toFixed(1)).join(' / ')} | ${r.hostCpu.toFixed(1)} | ${r.usPerRecord.toFixed(1)} | ${r.load.toFixed(1)} |`);
  }
  console.log(JSON.stringify({ records: RECORDS, cores: cpus().length, runs: rows.map((r) => ({ processes: r.n, steady_per_s: Math.round(r.steady), per_process_per_s: Math.round(r.perProcess), cpu_us_per_record: Number(r.usPerRecord.toFixed(1)) })) }));
} finally {
  await broker.stop();
}
