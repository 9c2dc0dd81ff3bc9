// The freshness phase's steady stream: bench/fresh-producer.c (librdkafka) in its own process,
// compiled here on first use. Records are serialised once into a templates file whose lines
// start with a fixed-width `{"ts":"<24-byte placeholder>"`; the producer stamps each record's
// produce time into those bytes, so it costs a few µs of CPU per record instead of kafkajs'
// ~20 and leaves the two cores to the process under measurement. This module builds the
// templates, runs the producer, and reads its progress lines while it runs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generateRecords } from '../ingest/generator/index.ts';
import { lastJson, track } from './child.ts';

const SOURCE = fileURLToPath(new URL('./fresh-producer.c', import.meta.url));
const BINARY = resolve(dirname(SOURCE), '../var/bench/bin/fresh-producer');
/** `{"ts":"` then 24 bytes the producer overwrites with e.g. `2026-11-22T23:00:00.123Z`. */
export const STAMP_PLACEHOLDER = '{"ts":"0000-00-00T00:00:00.000Z"';

const TIME_KEYS = ['ts', 'time', 'timestamp', '@timestamp', 'event_time', 'logged_at'];

/** Turn records into template tails `,…rest}` (their own time keys removed) to follow `{"ts":"…"`. */
export function timeTemplates(records: Iterable<string>, max = 5000): string[] {
  const out: string[] = [];
  for (const r of records) {
    if (out.length >= max) break;
    let obj: Record<string, unknown>;
    try {
      const v = JSON.parse(r) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
      obj = v as Record<string, unknown>;
    } catch {
      continue;
    }
    for (const k of TIME_KEYS) delete obj[k];
    const rest = JSON.stringify(obj).slice(1); // `…}` without the opening brace
    out.push(rest === '}' ? '}' : `,${rest}`);
  }
  return out;
}

/**
 * Write `count` generated gateway records (garbage off) as producer templates, one per line
 * (JSON.stringify escapes newlines, so a line is a record). Returns the average record size.
 */
export function writeTemplates(path: string, seed: number, count = 5000): { templates: number; avg_bytes: number } {
  function* values(): Generator<string> {
    for (const r of generateRecords({ count, sources: 'gateway', garbage: 0, seed: seed + 1 })) yield r.value;
  }
  const lines = timeTemplates(values(), count).map((rest) => STAMP_PLACEHOLDER + rest);
  if (lines.length === 0) throw new Error('steady producer: the generator gave no JSON object records');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { templates: lines.length, avg_bytes: Math.round(lines.reduce((a, l) => a + Buffer.byteLength(l), 0) / lines.length) };
}

/** Compile the producer when missing or stale (to a temp name, then rename). */
export function buildProducer(): string {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) return BINARY;
  mkdirSync(dirname(BINARY), { recursive: true });
  const tmp = `${BINARY}.${process.pid}.tmp`;
  const r = spawnSync('gcc', ['-O2', '-Wall', '-o', tmp, SOURCE, '-lrdkafka'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot build the bench producer (gcc ${SOURCE} -lrdkafka): ${r.error?.message ?? r.stderr}`);
  renameSync(tmp, BINARY);
  return BINARY;
}

/** The producer's own summary (its last stdout line). */
export interface SteadySummary {
  records: number;
  acked: number;
  failed: number;
  /** Wall clock (epoch ms) of the stream's start: record k was due at started_at + k / rate. */
  started_at: number;
  /** From the start to the last produce call / the last broker acknowledgement. */
  produce_ms: number;
  ack_ms: number;
  /** Largest delay of a tick's first record behind its schedule. */
  behind_ms_max: number;
  /** Produce calls that found librdkafka's queue full (the broker not keeping up). */
  queue_full: number;
  cpu_ms: number;
}

export interface SteadyResult extends SteadySummary {
  rate: number;
  seconds: number;
  linger_ms: number;
  /** Records acknowledged by the broker per second of produce calls (start to last call, at least `seconds`). */
  achieved_per_s: number;
  /** ≥ 95% of the rate, every record acknowledged, the last ack within 2 s of the last produce call. */
  valid: boolean;
  cpu_us_per_record: number;
  /** Progress samples (produced, acked, epoch ms), every ~50 ms. */
  timeline: [number, number, number][];
}

export interface SteadyRun {
  /** Latest progress sample; undefined before the first. */
  latest(): [number, number, number] | undefined;
  /** Epoch ms of the stream's start (the first progress sample). */
  startedAt(): number | undefined;
  done: Promise<SteadyResult>;
  kill(): void;
}

export function startSteady(o: {
  brokers: string;
  topic: string;
  partitions: number;
  rate: number;
  seconds: number;
  templatesFile: string;
  lingerMs: number;
}): SteadyRun {
  const bin = buildProducer();
  const proc = spawn(
    bin,
    [o.brokers, o.topic, String(o.partitions), String(o.rate), String(o.seconds), o.templatesFile, String(o.lingerMs)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  track(proc);
  const timeline: [number, number, number][] = [];
  let summaryLine = '';
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const lines = createInterface({ input: proc.stdout });
  lines.on('line', (line) => {
    if (line.startsWith('p ')) {
      const [, p, a, t] = line.split(' ');
      timeline.push([Number(p), Number(a), Number(t)]);
    } else if (line.startsWith('{')) summaryLine = line;
  });
  const done = new Promise<SteadyResult>((res, rej) => {
    proc.on('error', rej);
    // 'close' (not 'exit'): every stdout line has been read by then.
    proc.on('close', (code, signal) => {
      const s = lastJson<SteadySummary>(summaryLine);
      if (!s) return rej(new Error(`steady producer exited ${code ?? signal} without a summary: ${err.slice(-1000)}`));
      // The rate of produce calls, counting only records the broker acknowledged; the acks
      // must follow within 2 s of the last call, else records waited in the producer's queue.
      const achieved = Math.round(s.acked / (Math.max(o.seconds * 1000, s.produce_ms) / 1000));
      res({
        ...s,
        rate: o.rate,
        seconds: o.seconds,
        linger_ms: o.lingerMs,
        achieved_per_s: achieved,
        valid: s.failed === 0 && s.acked === s.records && achieved >= 0.95 * o.rate && s.ack_ms - s.produce_ms <= 2000,
        cpu_us_per_record: s.records > 0 ? Math.round(((s.cpu_ms * 1000) / s.records) * 10) / 10 : 0,
        timeline,
      });
    });
  });
  return {
    latest: () => timeline[timeline.length - 1],
    startedAt: () => timeline[0]?.[2],
    done,
    kill: () => void proc.kill('SIGKILL'),
  };
}

/**
 * When record k was handed to the producer (epoch ms), interpolated between the progress
 * samples around it: records produced between two samples were stamped within that span.
 */
export function produceTime(timeline: readonly [number, number, number][], k: number, from = { i: 0 }): number | undefined {
  let i = from.i;
  while (i + 1 < timeline.length && timeline[i + 1]![0] <= k) i++;
  from.i = i;
  const a = timeline[i];
  const b = timeline[i + 1];
  if (!a || !b || k < a[0]) return undefined;
  if (b[0] === a[0]) return b[2];
  return a[2] + ((k - a[0] + 1) / (b[0] - a[0])) * (b[2] - a[2]);
}
