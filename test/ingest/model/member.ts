// One consumer-group member of the model, built from the product's own parts: PartitionBuffer
// (segment cutting, replay holding), planStarts (recovery), flush (plan + execution), GroupCommit
// and Sink (with its retry loop) — only Kafka's commit log and ClickHouse are in memory. A
// member joins a generation, reads every committed offset and intent, fetches its partitions
// from their committed offsets in seeded batches and flushes at seeded moments until all of its
// records are committed, it dies (Crash) or its generation ends (a refused commit).
import type { NormalizeResult } from '../../../transform/event.ts';
import { flush, flushable } from '../../../ingest/flush.ts';
import { GroupCommit } from '../../../ingest/group-commit.ts';
import { partitionKey } from '../../../ingest/intent.ts';
import { IngestMetrics } from '../../../ingest/metrics.ts';
import { silentLogger } from '../../../ingest/log.ts';
import { PartitionBuffer, type RawMessage } from '../../../ingest/partition-buffer.ts';
import { planStarts } from '../../../ingest/recovery.ts';
import { AbortedError } from '../../../lib/retry.ts';
import type { Normalizer } from '../../../ingest/record-rows.ts';
import { Sink } from '../../../ingest/sink.ts';
import type { CommitLog } from './commit-log.ts';
import type { DedupStore } from './dedup-store.ts';
import { Crash, type Faults } from './faults.ts';

/** One partition of the model's topics: its records, in offset order (with gaps). */
export interface PartitionLog {
  topic: string;
  partition: number;
  messages: RawMessage[];
}

const metrics = new IngestMetrics();
const backoff = { initialMs: 1, maxMs: 1, permanentAttempts: 1 };
const limits = { maxRecordBytes: 1 << 20, maxDepth: 64, rawMaxBytes: 4096 };

/** A template event (docs/event-model.md fields); the model's records only vary its time and request id. */
const TEMPLATE = {
  event_time: '',
  source: 'gateway',
  request_id: '',
  http_status: 500,
  outcome: 'error',
  code: 'E',
  category: 'internal',
  limit_kind: 'none',
  channel: '',
  upstream_vendor: '',
  upstream_code: '',
  upstream_sub_code: '',
  upstream_message: '',
  message: 'm',
  failed_offers: [],
  route: '/r',
  method: 'GET',
  latency_ms: null,
  attempt: null,
  app_id: '',
  catalog_drift: false,
  raw: '{}',
} as const;

/**
 * The model's normalizer: `ok:<day>:<id>` is an event of that day; `otlp:<outcomes>:<id>` an
 * OTLP message of several log records, one outcome per character (`1`–`3`: an event of that day,
 * `r`: a reject), so one record's rows span both tables and several blocks; anything else a
 * reject. Cheap, so that thousands of schedules run per second; the real one is covered by test/transform.
 */
const modelNormalize: Normalizer = (record) => {
  // The scenario's records are the same objects in every schedule of a seed: each is read once.
  // The results are frozen, so product code that changed a normalizer's result would fail here.
  let res = normalized.get(record);
  if (!res) {
    res = normalizeText(Buffer.from(record).toString());
    normalized.set(record, res);
  }
  return res;
};
const normalized = new WeakMap<Uint8Array, NormalizeResult | NormalizeResult[]>();

function normalizeText(text: string): NormalizeResult | NormalizeResult[] {
  const [kind, spec, id] = text.split(':');
  const outcome = (c: string, i: number): NormalizeResult =>
    deepFreeze(
      c === 'r'
        ? { ok: false, reject: { reason: 'unrecognised_text', detail: 'model', head: '' } }
        : { ok: true, event: { ...TEMPLATE, event_time: `2026-11-0${c}T10:00:00.000Z`, request_id: `req_${id}_${i}` } as never },
    );
  if (kind === 'ok') return outcome(spec!, 0);
  if (kind === 'otlp') return Object.freeze([...spec!].map(outcome)) as NormalizeResult[];
  return outcome('r', 0);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** The outcomes the model's normalizer gives a record: a day (event) or `r` (reject) per record_index. */
export function modelOutcomes(value: string): string[] {
  const [kind, spec] = value.split(':');
  return kind === 'ok' ? [spec!] : kind === 'otlp' ? [...spec!] : ['r'];
}

export interface MemberOptions {
  name: string;
  logs: readonly PartitionLog[];
  owned: ReadonlySet<string>;
  commitLog: CommitLog;
  store: DedupStore;
  faults: Faults;
  random: () => number;
  maxSegmentRecords: number;
  maxRecords: number;
  staleGroups: boolean;
}

export class Member {
  readonly parts = new Map<string, PartitionBuffer>();
  readonly abort = new AbortController();
  readonly generation: number;
  ended: 'done' | 'crashed' | 'fenced' | undefined;
  flushes = 0;
  private readonly commits: GroupCommit;
  private readonly sink: Sink;

  constructor(private readonly o: MemberOptions) {
    this.generation = o.commitLog.generation;
    const commitFn = o.commitLog.commitFn(this.generation, o.faults);
    this.commits = new GroupCommit({
      epoch: () => this.generation,
      commitFn: () => commitFn,
      stopping: () => false,
      backoff,
      metrics,
      log: silentLogger,
      sessionTimeoutMs: 1000,
    });
    this.sink = new Sink({ target: o.store.target(o.faults), log: silentLogger, metrics, backoff, consumer: o.name });
  }

  /** Join: starts of the owned partitions from every committed offset and intent. */
  join(): void {
    const assignment = new Map<string, Set<number>>();
    for (const l of this.o.logs) {
      if (!this.o.owned.has(partitionKey(l.topic, l.partition))) continue;
      const set = assignment.get(l.topic) ?? new Set<number>();
      set.add(l.partition);
      assignment.set(l.topic, set);
    }
    const starts = planStarts(assignment, this.o.commitLog.snapshot());
    for (const l of this.o.logs) {
      const k = partitionKey(l.topic, l.partition);
      const start = starts.get(k);
      if (!start) continue;
      const buf = new PartitionBuffer(l.topic, l.partition, 'gateway', modelNormalize, limits, this.o.maxSegmentRecords, start);
      this.parts.set(k, buf);
      this.owned.push({ log: l, buf });
    }
  }

  /** The owned logs with their buffers (set at the join). */
  private owned: { log: PartitionLog; buf: PartitionBuffer }[] = [];

  /** Index of the first message of `log` at or past the buffer's position (messages are in offset order). */
  private static next(log: PartitionLog, buf: PartitionBuffer): number {
    const at = buf.position;
    let i = 0;
    while (i < log.messages.length && Number(log.messages[i]!.offset) < at) i++;
    return i;
  }

  /** Fetch and flush at seeded moments until everything owned is committed, or the member dies. */
  async run(): Promise<void> {
    const r = this.o.random;
    for (let round = 0; round < 400; round++) {
      const unread = this.owned.filter(({ log, buf }) => Member.next(log, buf) < log.messages.length);
      const canFlush = this.owned.some(({ buf }) => flushable(buf, this.parts, this.o.staleGroups));
      if (unread.length === 0 && !canFlush) {
        const left = [...this.parts.values()].filter((b) => b.records > 0 || b.held);
        if (left.length > 0)
          throw new Error(`${this.o.name}: no progress: ${left.map((b) => `${b.topic}/${b.partition}`).join(' ')} still buffered or held`);
        this.ended = 'done';
        return;
      }
      if (unread.length > 0 && (!canFlush || r() < 0.6)) {
        const { log, buf } = unread[Math.floor(r() * unread.length)]!;
        const from = Member.next(log, buf);
        buf.append(log.messages.slice(from, from + 1 + Math.floor(r() * 4)));
        continue;
      }
      try {
        await this.flushOnce();
      } catch (err) {
        if (err instanceof Crash || (err instanceof AbortedError && this.abort.signal.aborted)) {
          this.ended = 'crashed';
          return;
        }
        throw err;
      }
      if (this.ended) return;
    }
    throw new Error(`${this.o.name}: no progress after 400 rounds`);
  }

  private flushOnce(): Promise<void> {
    return flush({
      parts: this.parts,
      sink: this.sink,
      signal: this.abort.signal,
      log: silentLogger,
      commit: (entries, what) => this.commits.commit(this.generation, entries, what, this.abort.signal),
      awaitGeneration: async () => {
        this.ended = 'fenced'; // the rejoin drops every buffer: this member's part ends here
      },
      lagOf: () => 0,
      stored: () => {},
      inFlight: () => {},
      maxRecords: this.o.maxRecords,
      rotate: this.flushes++,
      staleGroups: this.o.staleGroups,
    });
  }
}
