// `faultline run` on Kafka: a kafkajs consumer group over the gateway and client topics.
// Fetched batches are normalized into per-partition buffers (partition-buffer.ts); a flush
// (flush.ts), on the size or time bound, (1) commits each partition's unchanged position with
// the flush's composition as metadata (the intent), (2) inserts everything with one insert per
// table under the composition's token, (3) commits the offsets after it. A new generation
// reads positions and intents (recovery.ts) and replays pending flushes. docs/delivery.md
// ("Delivery") argues why this gives no loss and no duplicates across crashes and rebalances.
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { FaultlineError, errorMessage } from '../lib/errors.ts';
import type { Source } from '../transform/event.ts';
import { FetchGate, resumeAt } from './backpressure.ts';
import { flush, flushable } from './flush.ts';
import { nextFlush } from './flush-plan.ts';
import { GroupCommit, heartbeating, type CommitFn } from './group-commit.ts';
import { consumerConfig } from './kafka-client.ts';
import type { Logger } from './log.ts';
import type { IngestMetrics } from './metrics.ts';
import { NormalizeThread } from './normalize-thread.ts';
import { Generation } from './generation.ts';
import { PartitionBuffer, type PartitionStart } from './partition-buffer.ts';
import { describeReplay, fetchCommitted, planStarts } from './recovery.ts';
import { partitionKey as key } from './intent.ts';
import { AbortedError, backoffDelay, DEFAULT_BACKOFF, sleep, type BackoffPolicy } from '../lib/retry.ts';
import { classifyConsumerCrash } from './kafka-errors.ts';
import type { Limits, Normalizer } from './record-rows.ts';
import type { Segment } from './segment.ts';
import type { Sink } from './sink.ts';

/** Restarts of a stopped consumer without a successful join in between before the run ends. */
const MAX_RESTARTS = 10;

export interface KafkaIngestOptions {
  kafka: Kafka;
  groupId: string;
  /** Topic -> the stream it carries. */
  topics: ReadonlyMap<string, Source>;
  sink: Sink;
  normalize: Normalizer;
  limits: Limits;
  log: Logger;
  metrics: IngestMetrics;
  /** Flush when this many records are buffered… */
  batchSize: number;
  /** …or when the oldest buffered record is this old (ms). */
  batchMs: number;
  /** …or, with no flush running, as soon as this many are buffered (adaptive cadence, flush-plan.ts nextFlush; default batchSize). */
  batchMinSize?: number;
  sessionTimeoutMs: number;
  /** Where a group without committed offsets starts (default: the earliest retained offset). */
  fromBeginning?: boolean;
  /**
   * Pause fetching above this many records in memory (default 3 × batchSize: one flush being
   * inserted, the next one complete, and room for the normalize thread to go on meanwhile; at
   * 2 × the thread idled while a large insert ran, and fetching restarted only after it).
   */
  highWater?: number;
  backoff?: BackoffPolicy;
  /** Settles when the store can take rows (its migrations): fetching and normalizing start before. */
  ready?: Promise<unknown>;
  /**
   * Normalize in a worker thread (normalize-thread.ts; only for transform/'s own normalizer,
   * which the thread loads itself): fetch, normalize and the engine's insert then use both cores.
   */
  normalizeThread?: boolean;
}

export class KafkaIngest {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  /** The current generation (replaced at every join). */
  private gen = Generation.none();
  private flushing: Promise<void> | null = null;
  private inFlightRecords = 0;
  private flushes = 0;
  private lastYield = 0;
  private get staleGroups(): boolean {
    return this.gen.staleGroups(this.o.sessionTimeoutMs);
  }
  private commitFn: CommitFn | null = null;
  private stopping = false;
  private activeBatches = 0;
  private timer: NodeJS.Timeout | undefined;
  private abort = new AbortController();
  /** Restarts of the consumer after non-retriable crashes since the last join (onCrash). */
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly commits: GroupCommit;
  private readonly gate: FetchGate;
  private fatal: ((err: unknown) => void) | undefined;
  /** Settles when the consumer stops: resolves after a graceful stop, rejects on a fatal error. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  /** Per partition, since start: records, events and rejects stored (reconciliation). */
  readonly stored = new Map<string, { records: number; events: number; rejects: number }>();
  private readonly highWater: number;
  private readonly backoff: BackoffPolicy;
  private readonly thread: NormalizeThread | undefined;

  constructor(private readonly o: KafkaIngestOptions) {
    this.highWater = o.highWater ?? Math.max(3 * o.batchSize, 1000);
    this.backoff = o.backoff ?? DEFAULT_BACKOFF;
    this.consumer = o.kafka.consumer(consumerConfig(o.groupId, o.sessionTimeoutMs, o.batchMs));
    this.admin = o.kafka.admin();
    this.thread = o.normalizeThread ? new NormalizeThread() : undefined;
    this.gate = new FetchGate(this.consumer, [...o.topics.keys()], this.highWater, resumeAt(this.highWater, o.batchSize), o.metrics, o.log);
    this.commits = new GroupCommit({
      epoch: () => this.gen.epoch,
      commitFn: () => this.commitFn,
      stopping: () => this.stopping,
      backoff: this.backoff,
      metrics: o.metrics,
      log: o.log,
      sessionTimeoutMs: o.sessionTimeoutMs,
    });
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.fatal = (err) => {
        this.stopping = true;
        this.abort.abort();
        clearInterval(this.timer);
        void this.thread?.close();
        void this.consumer
          .disconnect()
          .catch(() => {})
          .finally(() => this.admin.disconnect().catch(() => {}));
        reject(err);
      };
    });
    this.done.catch(() => {});
  }

  async start(): Promise<void> {
    const { consumer } = this;
    consumer.on(consumer.events.GROUP_JOIN, (e) => this.onJoin(e.payload.memberAssignment));
    consumer.on(consumer.events.CRASH, (e) => this.onCrash(e.payload.error, e.payload.restart));
    this.o.ready?.catch((err: unknown) => this.fatal?.(err)); // e.g. a failed migration: stop, even with nothing to flush
    await this.admin.connect();
    await this.runConsumer();
    this.timer = setInterval(() => this.maybeFlush(), Math.max(20, Math.min(200, Math.floor(this.o.batchMs / 4))));
  }

  private async runConsumer(): Promise<void> {
    const { consumer } = this;
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.o.topics.keys()], fromBeginning: this.o.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /**
   * kafkajs's consumer crashed. It restarts itself after a retriable error; after any other it
   * stays stopped (having disconnected), and then: a broker's protocol error is worth restarting
   * it here, with backoff, up to MAX_RESTARTS times without a join in between; an error no
   * restart heals ends the run (kafka-errors.ts classifyConsumerCrash).
   */
  private onCrash(err: unknown, kafkajsRestarts: boolean): void {
    if (kafkajsRestarts) {
      this.o.log.warn(`kafka consumer restarting after: ${errorMessage(err)}`);
      return;
    }
    if (this.stopping) return;
    if (classifyConsumerCrash(err) === 'fatal' || this.restarts >= MAX_RESTARTS) {
      this.fatal?.(err);
      return;
    }
    this.restarts++;
    const delay = backoffDelay(this.restarts, this.backoff);
    this.o.metrics.consumerRestarts.inc();
    this.o.log.warn(
      `kafka consumer stopped by the broker: ${errorMessage(err)}; restarting it in ${delay} ms (${this.restarts} of ${MAX_RESTARTS} ` +
        'without a join)',
    );
    this.commitFn = null; // the stopped consumer's: commits wait for a batch of the restarted one
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.runConsumer().then(
        () => this.gate.reapply(),
        (e: unknown) => this.onCrash(e, false),
      );
    }, delay);
  }

  /** A new generation: everything buffered from the last one is dropped (it will be re-read from the committed offsets). */
  private onJoin(assigned: Record<string, number[]>): void {
    this.restarts = 0;
    this.gen.end();
    const gen = new Generation(this.gen.epoch + 1, new Map(Object.entries(assigned).map(([t, ps]) => [t, new Set(ps)])));
    this.gen = gen;
    this.o.metrics.rebalances.inc();
    this.o.metrics.lag.reset();
    this.o.log.info(`joined group ${this.o.groupId}: assigned ${gen.describe() || '(nothing)'}`);
    // Positions and intents are read once the previous generation's flush has settled, so a
    // flush of ours in flight is never replayed concurrently with itself.
    const previous = this.flushing ?? Promise.resolve();
    gen.starts = previous.catch(() => {}).then(() => this.readStarts(gen));
    gen.starts.catch(() => {});
    this.checkBackpressure();
  }

  private async readStarts(gen: Generation): Promise<Map<string, PartitionStart>> {
    if (gen.assignment.size === 0) return new Map();
    // Every partition of the subscribed topics: a composition may name partitions assigned elsewhere.
    const committed = await fetchCommitted(this.admin, this.o.groupId, [...this.o.topics.keys()], {
      ...this.o,
      backoff: this.backoff,
      signal: this.abort.signal,
      cancelled: () => gen !== this.gen || this.stopping,
    });
    return committed ? planStarts(gen.assignment, committed) : new Map();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    if (this.stopping) return;
    // The latest batch's: after kafkajs restarts its consumer, an earlier one commits for a group member that is gone.
    this.commitFn = payload.commitOffsetsIfNecessary;
    const { batch } = payload;
    const source = this.o.topics.get(batch.topic);
    if (!source) return;
    this.activeBatches++;
    try {
      const gen = this.gen;
      const starts = await heartbeating(gen.starts, payload);
      if (gen !== this.gen || this.stopping || !gen.owns(batch.topic, batch.partition)) return;
      const k = key(batch.topic, batch.partition);
      let buf = gen.parts.get(k);
      if (!buf) {
        const start = starts.get(k) ?? { committed: null, replay: [] };
        // kafkajs re-reads from the committed offset after a join; if a batch starts beyond it
        // anyway, move the fetch back rather than leave a hole (once: a real gap stays a gap).
        const first = Number(batch.firstOffset() ?? -1);
        if (start.committed !== null && first > start.committed && !gen.seeked.has(k)) {
          gen.seeked.add(k);
          this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: String(start.committed) });
          return;
        }
        buf = new PartitionBuffer(
          batch.topic,
          batch.partition,
          source,
          this.o.normalize,
          this.o.limits,
          this.o.batchSize,
          start,
          this.thread,
        );
        gen.parts.set(k, buf);
        if (start.replay.length > 0) this.o.log.info(describeReplay(k, start));
      }
      const added = buf.append(batch.messages);
      if (added > 0) this.o.metrics.recordsIn.inc({ topic: batch.topic }, added);
      buf.highWatermark = Number(batch.highWatermark);
      this.o.metrics.lag.set(buf.labels, buf.lag);
      payload.resolveOffset(batch.lastOffset());
      this.maybeFlush();
      this.checkBackpressure();
      // kafkajs hands over a fetch's batches back to back on microtasks: yield now and then so
      // that the flush's commits and inserts (I/O callbacks) and the timers move meanwhile.
      if (performance.now() - this.lastYield > 20) {
        await new Promise((r) => setImmediate(r));
        this.lastYield = performance.now();
      }
    } finally {
      this.activeBatches--;
    }
  }

  /** Records in memory: buffered plus being inserted. Unfinished replay ranges do not count: pausing for them could never end. */
  private memoryRecords(): number {
    let n = this.inFlightRecords;
    for (const b of this.gen.parts.values()) if (!b.held) n += b.weight;
    return n;
  }

  private checkBackpressure(): void {
    this.gate.update(this.memoryRecords(), this.stopping);
  }

  private maybeFlush(force = false): void {
    if (this.flushing || (this.stopping && !force)) return;
    let total = 0;
    let oldest = Infinity;
    for (const b of this.gen.parts.values()) {
      total += b.weight;
      if (flushable(b, this.gen.parts, this.staleGroups)) oldest = Math.min(oldest, b.oldestAt ?? Date.now());
    }
    const now = Date.now();
    const next = nextFlush(
      { weight: total, oldestAgeMs: oldest === Infinity ? null : now - oldest, flushes: this.flushes, force },
      { batchSize: this.o.batchSize, batchMs: this.o.batchMs, minSize: this.o.batchMinSize ?? this.o.batchSize },
    );
    if (!next) return;
    this.flushing = this.flush(next.maxRecords)
      .then(
        () => undefined,
        (err: unknown) => {
          if (!(err instanceof AbortedError)) this.fatal?.(err);
        },
      )
      .finally(() => {
        this.flushing = null;
        this.checkBackpressure();
        if (!this.stopping) this.maybeFlush();
      });
  }

  private async flush(maxRecords: number): Promise<void> {
    if (this.o.ready) await this.o.ready; // the store's migrations, run while the group was joined
    const gen = this.gen;
    const signal = AbortSignal.any([this.abort.signal, gen.signal]);
    return flush({
      parts: gen.parts,
      sink: this.o.sink,
      signal,
      log: this.o.log,
      commit: (entries, what) => this.commits.commit(gen.epoch, entries, what, signal),
      awaitGeneration: () => this.commits.awaitGeneration(gen.epoch, this.abort.signal),
      lagOf: (s: Segment) => {
        const b = gen.parts.get(key(s.topic, s.partition));
        return b && b.highWatermark >= 0 ? Math.max(0, b.highWatermark - s.last - 1) : 0;
      },
      stored: (buf, segs) => {
        const committed = buf.committed ?? 0;
        this.o.metrics.committedOffset.set(buf.labels, committed);
        this.o.metrics.lag.set(buf.labels, buf.lag);
        this.o.metrics.accountStored(this.stored, buf.topic, buf.partition, segs);
      },
      inFlight: (n) => {
        this.inFlightRecords += n;
      },
      maxRecords,
      rotate: this.flushes++,
      staleGroups: this.staleGroups,
    });
  }

  /** For the progress line: total lag, records in memory, paused or not. */
  snapshot(): { lag: number; buffered: number; paused: boolean; partitions: number } {
    const lag = [...this.gen.parts.values()].reduce((n, b) => n + b.lag, 0);
    return { lag, buffered: this.memoryRecords(), paused: this.gate.paused, partitions: this.gen.parts.size };
  }

  /**
   * Graceful stop: stop fetching, store and commit everything buffered (except unfinished
   * replay ranges, which the next owner replays), leave the group. After `deadlineMs` the
   * pending insert is abandoned uncommitted and the promise rejects (nothing is lost: those
   * offsets are read again on the next start).
   */
  async stop(deadlineMs = 30_000): Promise<void> {
    if (this.stopping) return this.done;
    this.stopping = true;
    clearInterval(this.timer);
    clearTimeout(this.restartTimer);
    const timeout = setTimeout(() => this.abort.abort(), deadlineMs);
    try {
      this.gate.hold();
      while (this.activeBatches > 0) await sleep(20);
      for (;;) {
        if (this.flushing) await this.flushing;
        if (this.abort.signal.aborted)
          throw new FaultlineError(
            'DRAIN_TIMEOUT',
            `could not store the buffered records within ${deadlineMs} ms; they will be read again on the next start`,
          );
        if (![...this.gen.parts.values()].some((b) => flushable(b, this.gen.parts, this.staleGroups))) break;
        this.maybeFlush(true);
      }
      const left = [...this.gen.parts.values()].reduce((n, b) => n + b.records, 0);
      this.o.log.info(
        left === 0
          ? 'drained: every record read is stored and committed'
          : `drained: every record read is stored and committed, except ${left} of unfinished replay ranges (left uncommitted for the ` +
              `next owner)`,
      );
    } catch (err) {
      this.fatal?.(err);
      throw err;
    } finally {
      clearTimeout(timeout);
    }
    await this.consumer.disconnect().catch((err: unknown) => this.o.log.warn(`leaving the group: ${errorMessage(err)}`));
    await this.admin.disconnect().catch(() => {});
    await this.thread?.close();
    this.resolveDone();
  }
}
