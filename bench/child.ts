// Child processes of the bench: spawned with their output captured, their memory sampled from
// /proc (VmRSS now, VmHWM peak) and, when started with the mem probe, from inside
// (process.memoryUsage(): V8 heap and external memory, i.e. what is not the embedded engine).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const MEM_PROBE = fileURLToPath(new URL('./mem-probe.mjs', import.meta.url));

/** Child processes still running, so an interrupted bench can end them (see killChildren). */
const live = new Set<ChildProcess>();

/** Remember `proc` until it exits. */
export function track(proc: ChildProcess): void {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
}

/** SIGKILL every tracked child still running (an interrupted bench leaves none behind). */
export function killChildren(): void {
  for (const p of live) p.kill('SIGKILL');
  live.clear();
}

export interface MemSummary {
  /** Peak resident set of the process, MiB (VmHWM, else the highest VmRSS sample). */
  rss_peak_mb: number;
  /** Peak of V8 heapTotal + external (incl. ArrayBuffers), MiB, from the probe (0 without it). */
  js_peak_mb: number;
  /** Peak of heapTotal + external + `nativeBaseMb`: the RSS without the embedded engine's own memory. */
  rss_excl_engine_mb: number;
}

export interface Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** CPU time (user + system, all threads, engine included) used so far, ms; the last sample once exited. */
  cpuMs(): number;
  /** Stop sampling and summarise memory. `nativeBaseMb` is a bare node's RSS outside heap+external. */
  memory(nativeBaseMb: number): MemSummary;
}

function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // already gone
  }
}

const MB = 1024 * 1024;
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** utime + stime of a process (all its threads), ms; undefined once it is gone. */
export function procCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces): state is field 3.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

/**
 * CPU per thread of a live process by thread name (/proc/<pid>/task/<tid>/{comm,stat}): node's own
 * threads are all called `node` (main, workers, V8's GC helpers, libuv's pool, where native
 * async calls such as chDB's queries run), chDB's own carry ClickHouse's names (ThreadPool,
 * MergeMutate…). `byName`: chDB's by name, node's one by one as `node+<tid − pid>`.
 * Undefined once the process is gone.
 */
export function procThreadsCpuMs(pid: number): { node: number; main: number; other: number; byName: Map<string, number> } | undefined {
  try {
    const byName = new Map<string, number>();
    let node = 0;
    let main = 0;
    let other = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      let name: string;
      let ms: number;
      try {
        name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ms = ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ;
      } catch {
        continue; // the thread ended meanwhile
      }
      if (Number(tid) === pid) main = ms;
      // V8's own threads (`v8:ProfEvntProc`, the profiler's) count with node's.
      if (name === 'node' || name.startsWith('v8:')) {
        node += ms;
        // Apart by start order (tid − pid): main 0, V8's platform workers, libuv's pool, then worker threads.
        byName.set(`node+${Number(tid) - pid}`, ms);
      } else {
        other += ms;
        byName.set(name, (byName.get(name) ?? 0) + ms);
      }
    }
    return { node, main, other, byName };
  } catch {
    return undefined;
  }
}

/** Spawn `node [nodeArgs] script args` with the mem probe preloaded; sample /proc every `everyMs`. */
export function spawnNode(
  nodeArgs: string[],
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { everyMs?: number; memOut: string; echo?: boolean },
): Child {
  rmSync(opts.memOut, { force: true });
  const proc = spawn(process.execPath, [...nodeArgs, '--import', MEM_PROBE, script, ...args], {
    env: { ...process.env, ...env, FAULTLINE_BENCH_MEM_OUT: opts.memOut },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = proc.pid;
  if (pid === undefined) throw new Error(`cannot spawn ${script}`);
  track(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (opts.echo) process.stderr.write(d);
  });
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (opts.echo) process.stderr.write(d);
  });
  let rssMax = 0;
  let hwm = 0;
  let cpu = 0;
  const sample = (): void => {
    cpu = procCpuMs(pid) ?? cpu;
    rssMax = Math.max(rssMax, procStatusKb(pid, 'VmRSS'));
    hwm = Math.max(hwm, procStatusKb(pid, 'VmHWM'));
  };
  const timer = setInterval(sample, opts.everyMs ?? 100);
  const exited = new Promise<number | string>((resolve) => {
    proc.on('exit', (code, signal) => {
      clearInterval(timer);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    proc,
    pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    cpuMs() {
      if (proc.exitCode === null && proc.signalCode === null) cpu = procCpuMs(pid) ?? cpu;
      return cpu;
    },
    memory(nativeBaseMb) {
      sample();
      clearInterval(timer);
      // Peak over time of the sum, across threads, of each thread's latest heapTotal + external.
      let js = 0;
      if (existsSync(opts.memOut)) {
        const samples = readFileSync(opts.memOut, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { t: number; thread: number; heapTotal: number; external: number })
          .sort((a, b) => a.t - b.t);
        const latest = new Map<number, number>();
        for (const m of samples) {
          latest.set(m.thread, m.heapTotal + m.external);
          let sum = 0;
          for (const v of latest.values()) sum += v;
          js = Math.max(js, sum);
        }
      }
      const jsMb = js / MB;
      return {
        rss_peak_mb: Math.round(Math.max(rssMax, hwm) / 1024),
        js_peak_mb: Math.round(jsMb),
        rss_excl_engine_mb: js > 0 ? Math.round(jsMb + nativeBaseMb) : 0,
      };
    },
  };
}

/** The last line of `text` that parses as a JSON object. */
export function lastJson<T>(text: string): T | undefined {
  const lines = text.trim().split('\n').reverse();
  for (const line of lines) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      return JSON.parse(t) as T;
    } catch {
      // not JSON after all: try the line before
    }
  }
  return undefined;
}

/**
 * RSS of a bare node process (tsx and kafkajs loaded) outside its V8 heap and external memory:
 * the node runtime's own native footprint, which any faultline process has too.
 */
export async function nativeBaselineMb(): Promise<number> {
  const code = "await import('kafkajs'); const m = process.memoryUsage(); " + 'process.stdout.write(JSON.stringify(m));';
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((res) => proc.on('exit', res));
  const m = JSON.parse(out) as { rss: number; heapTotal: number; external: number };
  return (m.rss - m.heapTotal - m.external) / MB;
}
