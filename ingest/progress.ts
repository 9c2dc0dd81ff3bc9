// The progress line on stderr every few seconds while `faultline run` works:
//   ingest: 48,210 ev/s  51,002 rec/s  rejects 2,791/s (total 12,400)  lag 1,204  buffered 3,100
import type { IngestMetrics } from './metrics.ts';

export interface ProgressSnapshot {
  lag?: number;
  buffered?: number;
  paused?: boolean;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function startProgress(
  metrics: IngestMetrics,
  snapshot: () => ProgressSnapshot,
  opts: { everyMs?: number; write?: (line: string) => void; label?: string } = {},
): { stop(finalLine?: boolean): Promise<void> } {
  const every = opts.everyMs ?? 5000;
  const write = opts.write ?? ((l: string) => process.stderr.write(l));
  let last = { records: 0, events: 0, rejects: 0, at: performance.now() };
  const tick = async () => {
    const t = await metrics.totals();
    const now = performance.now();
    const dt = Math.max(0.001, (now - last.at) / 1000);
    const s = snapshot();
    const parts = [
      `${opts.label ?? 'ingest'}: ${fmt((t.events - last.events) / dt)} ev/s`,
      `${fmt((t.records - last.records) / dt)} rec/s`,
      `rejects ${fmt((t.rejects - last.rejects) / dt)}/s (total ${fmt(t.rejects)})`,
      `stored ${fmt(t.events)} events`,
    ];
    if (s.lag !== undefined) parts.push(`lag ${fmt(s.lag)}`);
    if (s.buffered !== undefined) parts.push(`buffered ${fmt(s.buffered)}${s.paused ? ' (paused: sink behind)' : ''}`);
    write(`${parts.join('  ')}\n`);
    last = { ...t, at: now };
  };
  const timer = setInterval(() => void tick(), every);
  timer.unref();
  return {
    async stop(finalLine = true) {
      clearInterval(timer);
      if (finalLine) await tick();
    },
  };
}
