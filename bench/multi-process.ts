// Throughput of 1, 2 and 3 `faultline run` processes in one consumer group writing to one store
// (docs/scaling.md). The store is chDB hosted by this process and served over ClickHouse's HTTP
// interface (test/ingest/group-host.ts), so every member uses the server backend as against a
// ClickHouse server; the broker is librdkafka's mock (support/broker.ts). For each N: a fresh
// 24-partition topic, N members started on it while it is empty and left to form the group
// (every member's last `joined group` line holds a share, the shares cover the 24 partitions),
// then --records generated gateway records produced into it, timed from the first record
// produced until every record is stored (neither process start nor group join is in it; the
// fill is faster than the consumers, which read while it runs). CPU seconds per member (from
// /proc/<pid>/stat) and of this process (the engine, the endpoint and the producer) say where
// the time went.
//
//   node --import tsx bench/multi-process.ts [--records 240000] [--counts 1,2,3]
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

const { values } = parseArgs({ options: { records: { type: 'string', default: '240000' }, counts: { type: 'string', default: '1,2,3' } } });
const RECORDS = Number(values.records);
const COUNTS = values.counts.split(',').map(Number);
const PARTITIONS = 24;

/** utime + stime of a live process, in seconds (Linux /proc, clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
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

interface Row {
  load: number;
  n: number;
  joinS: number;
  fillS: number;
  rate: number;
  perProcess: number;
  memberCpu: number[];
  hostCpu: number;
  usPerRecord: number;
  restarts: number;
}

async function runWith(n: number, brokers: string, corpus: string[], createTopic: (t: string, p: number) => Promise<void>): Promise<Row> {
  const topic = `mp-bench-${n}-${Date.now()}`;
  await createTopic(topic, PARTITIONS);
  await createTopic(`${topic}-unused`, 1);
  const host = await hostGroupStore(`mpb${n}`);
  try {
    const env = {
      KAFKA_BROKERS: brokers,
      KAFKA_GROUP_ID: `g-${topic}`,
      FAULTLINE_GATEWAY_TOPIC: topic,
      FAULTLINE_CLIENT_TOPIC: `${topic}-unused`,
      FAULTLINE_LOG_LEVEL: 'info', // the `joined group … assigned` lines tell when the group is complete
    };
    const start = performance.now();
    // Started 1 s apart: librdkafka's mock (2.0.2) once answered a SyncGroup of three members
    // joining at the same instant with an error that stops a kafkajs consumer.
    const members = [];
    for (let i = 0; i < n; i++) {
      if (i > 0) await sleep(1000);
      members.push(host.member(env));
    }
    // 1. The group forms on the empty topic (nothing of it is measured).
    let restarts = 0;
    while (
      !groupComplete(
        members.map((m) => m.stderr()),
        topic,
      )
    ) {
      for (const [i, m] of members.entries()) {
        if (m.proc.exitCode === null) continue;
        // The mock sometimes answers a SyncGroup of a forming group of three with INVALID_REQUEST,
        // which stops a kafkajs consumer and so the process (exit 1): started again, as a
        // supervisor would. Any other exit fails the run.
        if (!/SyncGroup/.test(m.stderr())) throw new Error(`N=${n}: a member exited while joining:\n${m.stderr().slice(-1500)}`);
        restarts++;
        members[i] = host.member(env);
      }
      if (performance.now() - start > 180_000) throw new Error(`N=${n}: the group did not form in 3 minutes`);
      await sleep(100);
    }
    const joinS = (performance.now() - start) / 1000;
    const memberCpu0 = members.map((m) => cpuSeconds(m.proc.pid!));
    const hostCpu0 = process.cpuUsage();
    // 2. Measured: from the first record produced until every record is stored. The fill
    // (kafkajs, this process) is faster than the consumers, which read while it runs.
    const t0 = performance.now();
    const filling = fillTopic(brokers, topic, PARTITIONS, corpus).then(() => (performance.now() - t0) / 1000);
    for (;;) {
      // Polled cheaply (two count()s, answered from part metadata); the distinct check runs once at the end.
      const [q] = await host.store.query<{ n: number }>(
        `SELECT (SELECT count() FROM ${host.db}.events) + (SELECT count() FROM ${host.db}.rejects) AS n`,
      );
      if (Number(q!.n) >= RECORDS) break;
      for (const m of members) if (m.proc.exitCode !== null) throw new Error(`N=${n}: a member exited:\n${m.stderr().slice(-1500)}`);
      if (performance.now() - t0 > 600_000) throw new Error(`N=${n}: not done in 10 minutes (${q!.n} of ${RECORDS})`);
      await sleep(100);
    }
    const seconds = (performance.now() - t0) / 1000;
    const fillS = await filling;
    const memberCpu = members.map((m, i) => cpuSeconds(m.proc.pid!) - memberCpu0[i]!);
    const used = process.cpuUsage(hostCpu0);
    const hostCpu = (used.user + used.system) / 1e6;
    const load = loadavg()[0]!;
    const c = await counts(host.store, host.db);
    if (c.distinct !== RECORDS || c.events + c.rejects !== RECORDS)
      throw new Error(`N=${n}: ${c.events + c.rejects} stored, ${c.distinct} distinct of ${RECORDS}`);
    for (const m of members) m.kill('SIGTERM');
    await Promise.all(members.map((m) => m.exited));
    const rate = RECORDS / seconds;
    const cpu = memberCpu.reduce((a, b) => a + b, 0) + hostCpu;
    return { load, n, joinS, fillS, rate, perProcess: rate / n, memberCpu, hostCpu, usPerRecord: (cpu / RECORDS) * 1e6, restarts };
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
    process.stderr.write(`N=${n}: ${Math.round(row.rate)} records/s (fill ${row.fillS.toFixed(1)} s)\n`);
  }
  console.log(
    `${RECORDS} gateway records, ${PARTITIONS} partitions, ${cpus().length} cores; one store served over HTTP by the bench process`,
  );
  console.log(
    '| processes | group formed after s | records/s (first produced..all stored) | per process | CPU s per member | CPU s bench process ' +
      '(engine, endpoint, producer) | CPU µs per record (all) | load average (1 min) |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.n} | ${r.joinS.toFixed(1)}${r.restarts ? ` (${r.restarts} restarted)` : ''} | ${Math.round(r.rate)} | ` +
        `${Math.round(r.perProcess)} | ${r.memberCpu.map((c) => c.toFixed(1)).join(' / ')} | ${r.hostCpu.toFixed(1)} | ` +
        `${r.usPerRecord.toFixed(1)} | ${r.load.toFixed(1)} |`,
    );
  }
  console.log(
    JSON.stringify({
      records: RECORDS,
      cores: cpus().length,
      runs: rows.map((r) => ({
        processes: r.n,
        records_per_s: Math.round(r.rate),
        per_process_per_s: Math.round(r.perProcess),
        cpu_us_per_record: Number(r.usPerRecord.toFixed(1)),
        fill_s: Number(r.fillS.toFixed(1)),
        load: Number(r.load.toFixed(1)),
      })),
    }),
  );
} finally {
  await broker.stop();
}
