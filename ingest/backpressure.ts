// Backpressure: fetching is paused while too many records are in memory (buffered plus being
// inserted) and resumed a little below that (`resumeAt`, kafka-source.ts: half a batch below).
// kafkajs keeps heartbeating while paused, so a slow or unavailable ClickHouse never costs the
// group membership.
import type { Consumer } from 'kafkajs';
import type { Logger } from './log.ts';
import type { IngestMetrics } from './metrics.ts';

/**
 * Where fetching resumes: half a batch below the high water (never below half of it). A flush
 * takes up to 2 × the batch (flush-plan.ts BEHIND_FACTOR) and stays counted while it is inserted,
 * so when one is stored, what is left in memory is mostly the next flush's records. Resuming
 * only at half the high water kept fetching paused through that next flush too: the normalize
 * thread, the pipeline's slowest stage, ran dry for about a second of every three while the
 * engine inserted (each thread's CPU from /proc every 200 ms, `npm run bench -- --only faultline`).
 * Half a batch is still several fetches (2 MiB each, ~6,900 gateway records), so pausing does not
 * flap. 1,000,000 records, alternating with the commit before three times: 48,539–50,310
 * records/s against 43,061–45,483, RSS unchanged (bench/RESULTS.md, issue 17, third session).
 */
export function resumeAt(highWater: number, batchSize: number): number {
  return Math.max(highWater / 2, highWater - batchSize / 2);
}

export class FetchGate {
  paused = false;

  constructor(
    private readonly consumer: Pick<Consumer, 'pause' | 'resume'>,
    private readonly topics: readonly string[],
    private readonly highWater: number,
    /** Resume at or below this many records in memory (below `highWater`). */
    private readonly resumeAt: number,
    private readonly metrics: IngestMetrics,
    private readonly log: Logger,
  ) {}

  /** Pause or resume for `inMemory` records; nothing changes while stopping (the drain paused for good). */
  update(inMemory: number, stopping: boolean): void {
    this.metrics.buffered.set(inMemory);
    if (stopping) return;
    if (!this.paused && inMemory >= this.highWater) {
      this.paused = true;
      this.apply();
      this.metrics.paused.set(1);
      this.log.debug(`sink behind (${inMemory} records in memory): fetching paused`);
    } else if (this.paused && inMemory <= this.resumeAt) {
      this.paused = false;
      this.apply();
      this.metrics.paused.set(0);
      this.log.debug('fetching resumed');
    }
  }

  /** Stop fetching for good (the drain at stop): nothing resumes it; a consumer not running has nothing to pause. */
  hold(): void {
    this.paused = true;
    this.apply();
  }

  /** The consumer was restarted (kafka-source.ts onCrash): a new consumer fetches everything, so pause it again if paused. */
  reapply(): void {
    if (this.paused) this.apply();
  }

  private apply(): void {
    const topics = this.topics.map((topic) => ({ topic }));
    try {
      if (this.paused) this.consumer.pause(topics);
      else this.consumer.resume(topics);
    } catch {
      // kafkajs refuses while its consumer is stopped (after a crash, before the restart):
      // the restart applies the state (reapply).
    }
  }
}
