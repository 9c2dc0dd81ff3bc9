// Backpressure: fetching is paused while too many records are in memory (buffered plus being
// inserted) and resumed below half of that. kafkajs keeps heartbeating while paused, so a slow
// or unavailable ClickHouse never costs the group membership.
import type { Consumer } from 'kafkajs';
import type { Logger } from './log.ts';
import type { IngestMetrics } from './metrics.ts';

export class FetchGate {
  paused = false;

  constructor(
    private readonly consumer: Pick<Consumer, 'pause' | 'resume'>,
    private readonly topics: readonly string[],
    private readonly highWater: number,
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
    } else if (this.paused && inMemory <= this.highWater / 2) {
      this.paused = false;
      this.apply();
      this.metrics.paused.set(0);
      this.log.debug('fetching resumed');
    }
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
