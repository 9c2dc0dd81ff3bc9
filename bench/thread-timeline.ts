// Where a run's two cores go over time (`npm run bench -- --only faultline --timeline`): every
// thread's CPU from /proc/<pid>/task/<tid>/stat, sampled every 200 ms while `faultline run`
// stores the bench's records, grouped as the normalize thread, the main thread, chDB's own
// threads and node's others (V8's GC helpers, libuv's pool where chDB's async calls run).
// The totals per thread (child.ts procThreadsCpuMs) say how much; this says when: it showed the
// normalize thread idle for about a second of every three while the engine inserted, with
// fetching paused (ingest/backpressure.ts resumeAt).
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc stat times (USER_HZ). */
const USER_HZ = 100;

export interface TimelineSample {
  /** ms since sampling started. */
  t: number;
  /** Cores used during the interval ending at `t`, by group. */
  normalize: number;
  main: number;
  engine: number;
  other: number;
}

interface Tick {
  name: string;
  ticks: number;
}

function threads(pid: number): Map<number, Tick> | undefined {
  const out = new Map<number, Tick>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(Number(tid), { name, ticks: Number(f[11]) + Number(f[12]) });
      } catch {
        // the thread ended meanwhile
      }
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Samples `pid` every `everyMs` until stop(); the normalize thread is told apart at the end (node's busiest thread but the main one). */
export function startTimeline(pid: number, everyMs = 200): { stop(): TimelineSample[] } {
  const started = performance.now();
  let prev = threads(pid) ?? new Map<number, Tick>();
  const rows: { t: number; byTid: Map<number, { name: string; cores: number }> }[] = [];
  let last = started;
  const timer = setInterval(() => {
    const cur = threads(pid);
    if (!cur) return;
    const now = performance.now();
    const seconds = (now - last) / 1000;
    const byTid = new Map<number, { name: string; cores: number }>();
    for (const [tid, { name, ticks }] of cur) {
      // A thread born during the interval counts from zero.
      const d = ticks - (prev.get(tid)?.ticks ?? 0);
      if (d > 0) byTid.set(tid, { name, cores: d / USER_HZ / seconds });
    }
    rows.push({ t: now - started, byTid });
    prev = cur;
    last = now;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const total = new Map<number, number>();
      for (const r of rows)
        for (const [tid, v] of r.byTid) if (v.name === 'node' && tid !== pid) total.set(tid, (total.get(tid) ?? 0) + v.cores);
      const normalizeTid = [...total].sort((a, b) => b[1] - a[1])[0]?.[0];
      return rows.map((r) => {
        const s: TimelineSample = { t: Math.round(r.t), normalize: 0, main: 0, engine: 0, other: 0 };
        for (const [tid, v] of r.byTid) {
          if (tid === pid) s.main += v.cores;
          else if (tid === normalizeTid) s.normalize += v.cores;
          else if (v.name === 'node' || v.name.startsWith('v8:')) s.other += v.cores;
          else s.engine += v.cores;
        }
        return s;
      });
    },
  };
}

/** The samples between `fromMs` and `toMs` (the first batch and the last record), summed up. */
export function summariseTimeline(samples: readonly TimelineSample[], fromMs: number, toMs: number) {
  const window = samples.filter((s) => s.t > fromMs && s.t <= toMs);
  const n = Math.max(1, window.length);
  const mean = (f: (s: TimelineSample) => number) => window.reduce((a, s) => a + f(s), 0) / n;
  const share = (p: (s: TimelineSample) => boolean) => Math.round((100 * window.filter(p).length) / n);
  return {
    samples: window.length,
    cores: mean((s) => s.normalize + s.main + s.engine + s.other),
    normalize: mean((s) => s.normalize),
    main: mean((s) => s.main),
    engine: mean((s) => s.engine),
    other: mean((s) => s.other),
    /** % of the samples in which the normalize thread used under a fifth of a core. */
    normalizeIdlePct: share((s) => s.normalize < 0.2),
    /** % of the samples in which the process used under 1.5 of the 2 cores. */
    underUsedPct: share((s) => s.normalize + s.main + s.engine + s.other < 1.5),
  };
}

/** One line per sample, for the log. */
export function formatTimeline(samples: readonly TimelineSample[]): string {
  const f = (x: number) => x.toFixed(2).padStart(6);
  const lines = ['    t ms  normalize   main  engine  other  total'];
  for (const s of samples) {
    lines.push(
      `${String(s.t).padStart(8)}  ${f(s.normalize)}    ${f(s.main)} ${f(s.engine)} ${f(s.other)} ${f(s.normalize + s.main + s.engine + s.other)}`,
    );
  }
  return lines.join('\n');
}
