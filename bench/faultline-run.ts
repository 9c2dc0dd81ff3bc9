// `faultline run` as a child process (`node bin/faultline.js run …`), exactly as a user starts
// it, on a fresh data directory and a fresh consumer group: timed from spawn and from its
// first stored row to its last, with memory sampled (child.ts) and, optionally, a CPU profile.
// Progress is read from its Prometheus /metrics (records stored = events + rejects).
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnNode, type Child, type MemSummary } from './child.ts';

const BIN = fileURLToPath(new URL('../bin/faultline.js', import.meta.url));

export interface RunOptions {
  brokers: string;
  gatewayTopic: string;
  clientTopic: string;
  dataDir: string;
  metricsPort: number;
  /** Extra CLI flags, e.g. ['--workers', '2']. */
  flags?: string[];
  env?: NodeJS.ProcessEnv;
  /** Write a V8 CPU profile of every thread into this directory. */
  profileDir?: string;
  echo?: boolean;
  /** Run this TypeScript entry (through tsx) with `flags` instead of `bin/faultline.js run` (the bench's multi-worker prototype). */
  script?: string;
}

export interface Running {
  child: Child;
  /** performance.now() at spawn. */
  spawnedAt: number;
  /** Records stored so far (events + rejects), from /metrics; undefined while not up yet. */
  stored(): Promise<number | undefined>;
  /** Latest /metrics text (for the report). */
  metrics(): Promise<string | undefined>;
  /** SIGTERM (graceful drain), wait for exit, and summarise memory. */
  stop(nativeBaseMb: number): Promise<{ exit: number | string; memory: MemSummary }>;
}

/**
 * Records stored so far, from the ingest's counters (ingest/metrics.ts): events acknowledged
 * by ClickHouse (`faultline_events_out_total`) plus rejects (`faultline_rejects_total`, by reason).
 */
export function storedFromMetrics(text: string): number | undefined {
  let sum = 0;
  let seen = false;
  for (const line of text.split('\n')) {
    const m = /^faultline_(?:events_out|rejects)_total(?:\{[^}]*\})?\s+([0-9.e+]+)\s*$/.exec(line);
    if (m) {
      sum += Number(m[1]);
      seen = true;
    }
  }
  return seen ? sum : undefined;
}

export function startFaultline(o: RunOptions): Running {
  rmSync(o.dataDir, { recursive: true, force: true });
  mkdirSync(o.dataDir, { recursive: true });
  const nodeArgs: string[] = o.script ? ['--import', 'tsx'] : [];
  if (o.profileDir) {
    rmSync(o.profileDir, { recursive: true, force: true });
    mkdirSync(o.profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', o.profileDir);
  }
  const env: NodeJS.ProcessEnv = {
    KAFKA_BROKERS: o.brokers,
    KAFKA_GROUP_ID: `bench-faultline-${Date.now()}`,
    KAFKA_CLIENT_ID: 'faultline-bench',
    FAULTLINE_GATEWAY_TOPIC: o.gatewayTopic,
    FAULTLINE_CLIENT_TOPIC: o.clientTopic,
    FAULTLINE_DATA: o.dataDir,
    CLICKHOUSE_DATABASE: 'faultline',
    FAULTLINE_METRICS_PORT: String(o.metricsPort),
    FAULTLINE_LOG_LEVEL: 'warn',
    ...o.env,
  };
  delete env.CLICKHOUSE_URL;
  const spawnedAt = performance.now();
  const child = spawnNode(nodeArgs, o.script ?? BIN, o.script ? (o.flags ?? []) : ['run', ...(o.flags ?? [])], env, {
    memOut: `${o.dataDir}.mem.jsonl`,
    ...(o.echo ? { echo: true } : {}),
  });
  const metrics = async (): Promise<string | undefined> => {
    try {
      const r = await fetch(`http://127.0.0.1:${o.metricsPort}/metrics`, { signal: AbortSignal.timeout(2000) });
      return r.ok ? await r.text() : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    child,
    spawnedAt,
    metrics,
    async stored() {
      const text = await metrics();
      return text === undefined ? undefined : storedFromMetrics(text);
    },
    async stop(nativeBaseMb) {
      if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGTERM');
      const killer = setTimeout(() => child.proc.kill('SIGKILL'), 60_000);
      const exit = await child.exited;
      clearTimeout(killer);
      return { exit, memory: child.memory(nativeBaseMb) };
    },
  };
}

export interface Timed {
  stored: number;
  /** ms from spawn to the first / last poll that saw rows. */
  first_row_ms: number;
  last_row_ms: number;
  /** Records stored per second from spawn (startup and group join included, as the peer's). */
  per_s: number;
  /** From the first stored batch to the last. */
  steady_per_s: number;
  /** CPU of the whole process (all threads, engine included) per record stored, µs, from its first stored batch to its last. */
  cpu_us_per_record: number;
  /** CPU of the process from spawn to its last stored batch, ms. */
  cpu_total_ms: number;
  /** (ms since spawn, stored) samples, for the freshness cross-check. */
  timeline: [number, number][];
}

/**
 * Poll until `target` records are stored (or the timeout / the child exits). Each poll is a
 * /metrics scrape, which costs the child CPU (prom-client's default metrics, per-partition
 * gauges): 200 ms keeps that below 1% while timing runs of several seconds to ±2%.
 */
export async function waitStored(r: Running, target: number, timeoutMs: number, everyMs = 200): Promise<Timed> {
  let stored = 0;
  let first = 0;
  let firstCount = 0;
  let last = 0;
  let cpuFirst = 0;
  let cpuLast = 0;
  const timeline: [number, number][] = [];
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline && r.child.proc.exitCode === null) {
    const n = await r.stored();
    const t = performance.now() - r.spawnedAt;
    if (n !== undefined) {
      timeline.push([Math.round(t), n]);
      const cpu = r.child.cpuMs();
      if (n > 0 && first === 0) {
        first = t;
        firstCount = n;
        cpuFirst = cpu;
      }
      if (n > stored) {
        last = t;
        cpuLast = cpu;
      }
      stored = n;
      if (n >= target) break;
    }
    await new Promise((res) => setTimeout(res, everyMs));
  }
  const steadySpan = (last - first) / 1000;
  return {
    stored,
    first_row_ms: Math.round(first),
    last_row_ms: Math.round(last),
    per_s: last > 0 ? Math.round(stored / (last / 1000)) : 0,
    steady_per_s: steadySpan > 0 ? Math.round((stored - firstCount) / steadySpan) : 0,
    cpu_us_per_record: stored > firstCount ? Math.round((((cpuLast - cpuFirst) * 1000) / (stored - firstCount)) * 10) / 10 : 0,
    cpu_total_ms: Math.round(cpuLast),
    timeline,
  };
}
