// One throughput measurement of a faultline ingest process (the real `faultline run`, or the
// bench's multi-worker prototype) over the pre-filled topic: time to store every record,
// memory, a check of the store afterwards (counts, no duplicate offsets), optional profile.
import { fileURLToPath } from 'node:url';
import { procThreadsCpuMs, spawnNode, type MemSummary } from './child.ts';
import { startFaultline, waitStored, type Timed } from './faultline-run.ts';
import { formatSummary, profileFiles, summarise } from './profile-summary.ts';
import type { Table } from './table.ts';
import { formatTimeline, startTimeline, summariseTimeline } from './thread-timeline.ts';

export interface RunMeasure {
  timed: Timed;
  memory: MemSummary;
  complete: boolean;
}

export async function measureRun(o: {
  label: string;
  brokers: string;
  topic: string;
  clientTopic: string;
  records: number;
  dataDir: string;
  metricsPort: number;
  flags: string[];
  script?: string;
  profileDir?: string;
  /** Sample each thread's CPU every 200 ms (thread-timeline.ts): the log gets the timeline, the table its summary. */
  timeline?: boolean;
  nativeBaseMb: number;
  verbose: boolean;
  table: Table;
}): Promise<RunMeasure> {
  const t = o.table;
  const run = startFaultline({
    brokers: o.brokers,
    gatewayTopic: o.topic,
    clientTopic: o.clientTopic,
    dataDir: o.dataDir,
    metricsPort: o.metricsPort,
    flags: o.flags,
    echo: o.verbose,
    ...(o.script ? { script: o.script } : {}),
    ...(o.profileDir ? { profileDir: o.profileDir } : {}),
  });
  const sampler = o.timeline ? startTimeline(run.child.pid) : undefined;
  const timed = await waitStored(run, o.records, 600_000);
  // Per thread, while the process still runs (right after the last record was stored).
  const threads = procThreadsCpuMs(run.child.pid);
  const samples = sampler?.stop();
  const stopped = await run.stop(o.nativeBaseMb);
  const complete = timed.stored >= o.records;
  const m = stopped.memory;
  if (!complete) {
    t.row(
      o.label,
      'INCOMPLETE',
      `stored ${timed.stored} of ${o.records}; exit ${stopped.exit}; ${run.child.stderr().slice(-600).replace(/\s+/g, ' ')}`,
    );
  } else {
    t.row(
      o.label,
      `${timed.per_s.toLocaleString('en')} rec/s`,
      `${timed.stored.toLocaleString('en')} stored in ${timed.last_row_ms} ms from spawn (first batch at ${timed.first_row_ms} ms; ${timed.steady_per_s.toLocaleString('en')}/s after); ` +
        `CPU ${timed.cpu_us_per_record} µs/record after the first batch (all threads, engine included), ${Math.round((timed.cpu_total_ms * 1000) / timed.stored)} µs/record from spawn; exit ${stopped.exit}`,
    );
    if (threads) {
      const us = (ms: number): string => ((ms * 1000) / timed.stored).toFixed(1);
      const top = (node: boolean) =>
        [...threads.byName]
          .filter(([n]) => n.startsWith('node+') === node)
          .sort((a, b) => b[1] - a[1])
          .filter(([, ms]) => (ms * 1000) / timed.stored >= 0.1)
          .slice(0, 8)
          .map(([n, ms]) => `${n} ${us(ms)}`)
          .join(', ');
      t.row(
        '  CPU by thread',
        `${us(threads.node + threads.other)} µs/record`,
        `from spawn: node's threads ${us(threads.node)} (${top(true)}; node+0 is the main thread; the others are the normalize worker, V8's GC helpers and libuv's pool, where chDB's async calls run); chDB's named threads ${us(threads.other)} (${top(false)})`,
      );
    }
    t.row(
      `  RSS`,
      `${m.rss_peak_mb} MB`,
      `peak VmHWM; without the engine: ${m.rss_excl_engine_mb} MB (V8 heap+external peak ${m.js_peak_mb} MB + node runtime ` +
        `${Math.round(o.nativeBaseMb)} MB)`,
    );
    if (samples) {
      process.stderr.write(`${formatTimeline(samples)}\n`);
      const s = summariseTimeline(samples, timed.first_row_ms, timed.last_row_ms);
      const c = (x: number) => x.toFixed(2);
      t.row(
        '  timeline',
        `${c(s.cores)} cores`,
        `mean from the first batch to the last record (${s.samples} samples of 200 ms, each thread's CPU from /proc; per sample on stderr): ` +
          `normalize thread ${c(s.normalize)}, main ${c(s.main)}, chDB's threads ${c(s.engine)}, node's others ${c(s.other)}; ` +
          `normalize thread under 0.2 of a core in ${s.normalizeIdlePct}% of the samples, the process under 1.5 cores in ${s.underUsedPct}%`,
      );
    }
    const check = spawnNode(
      ['--import', 'tsx'],
      fileURLToPath(new URL('./store-query.ts', import.meta.url)),
      [
        '--data',
        o.dataDir,
        `SELECT (SELECT count() FROM faultline.events) AS events, (SELECT count() FROM faultline.rejects) AS rejects,
              (SELECT uniqExact(topic, partition, offset) FROM faultline.events) AS distinct_offsets,
              (SELECT sum(bytes_on_disk) FROM system.parts WHERE database = 'faultline' AND table = 'events' AND active) AS events_bytes`,
      ],
      {},
      { memOut: `${o.dataDir}.query.mem.jsonl` },
    );
    await check.exited;
    let counts: Record<string, string> | undefined;
    try {
      counts = (JSON.parse(check.stdout().trim()) as Record<string, string>[][])[0]?.[0];
    } catch {
      counts = undefined;
    }
    t.row(
      '  store check',
      counts ? `${counts.events} ev + ${counts.rejects} rej` : 'unreadable',
      counts
        ? `${counts.distinct_offsets} distinct offsets among events (duplicates: ${Number(counts.events) - Number(counts.distinct_offsets)}); events on disk ${(Number(counts.events_bytes) / 1048576).toFixed(1)} MiB (unmerged parts)`
        : check.stderr().slice(-300),
    );
  }
  if (o.profileDir) {
    // One profile per thread; tsx's module-loader thread is nearly all idle: skip such ones.
    const perArea = new Map<string, number>();
    let jsBusyMs = 0;
    for (const f of profileFiles([o.profileDir])) {
      const sum = summarise(f);
      if (sum.idle_pct >= 90) continue;
      process.stderr.write(`${formatSummary(sum)}\n`);
      const busy = sum.total_ms * (1 - sum.idle_pct / 100);
      jsBusyMs += busy;
      for (const [a, pct] of Object.entries(sum.areas)) perArea.set(a, (perArea.get(a) ?? 0) + (busy * pct) / 100);
    }
    t.row('  CPU profile', o.profileDir, 'summary on stderr; again with `node --import tsx bench/profile-summary.ts DIR`');
    if (complete && jsBusyMs > 0) {
      // The JS threads' busy time from their profiles (V8 samples wall time: on a loaded machine
      // it overstates CPU); chDB's native threads are not sampled: they are the process's CPU minus the JS threads'.
      const us = (ms: number): string => ((ms * 1000) / timed.stored).toFixed(1);
      // The profiled JS threads (main, normalize worker). On a loaded machine a thread waiting for
      // a core is sampled as busy: the areas are then scaled to the node threads' real CPU (/proc,
      // "CPU by thread"), which is an upper bound.
      const jsCpu = threads ? Math.min(jsBusyMs, threads.node) : jsBusyMs;
      const k = jsCpu / jsBusyMs;
      for (const [a, ms] of perArea) perArea.set(a, ms * k);
      jsBusyMs = jsCpu;
      const engineMs = Math.max(0, timed.cpu_total_ms - jsBusyMs);
      const parts = [...perArea]
        .sort((a, b) => b[1] - a[1])
        .filter(([, ms]) => (ms * 1000) / timed.stored >= 0.1)
        .map(([a, ms]) => `${a} ${us(ms)}`);
      t.row(
        '  CPU per record by area',
        `${us(timed.cpu_total_ms)} µs`,
        `from spawn, all threads: JS threads ${us(jsBusyMs)}${k < 0.99 ? ` (profile samples scaled by ${k.toFixed(2)} to their CPU)` : ''}: ${parts.join(', ')}; the rest ${us(engineMs)}: chDB (insert, views, merges, on its own threads and on libuv's where its async calls run) and V8's GC helper threads`,
      );
    }
  }
  return { timed, memory: m, complete };
}
