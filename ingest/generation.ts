// One consumer-group generation of this member: what it was assigned, the partition buffers it
// filled, the starts it read (committed offsets and intents), and the abort that ends its
// flush's retries. A join replaces the whole object: nothing of an ended generation leaks into
// the next (its buffers are dropped and re-read from the committed offsets; docs/delivery.md,
// "Generations").
import { partitionKey } from './intent.ts';
import type { PartitionBuffer, PartitionStart } from './partition-buffer.ts';

export class Generation {
  /** Partition buffers by partitionKey, created on each partition's first batch. */
  readonly parts = new Map<string, PartitionBuffer>();
  /** Aborted when the generation ends: its flush stops retrying (the next owner replays it). */
  private readonly ended = new AbortController();
  /** Partitions whose fetch was moved back to the committed offset once (kafka-source.ts). */
  readonly seeked = new Set<string>();
  /** Starts of the assigned partitions, read once the previous generation's flush settled. */
  starts: Promise<Map<string, PartitionStart>> = new Promise(() => {});

  constructor(
    /** 1, 2, … in join order (0: before the first join). */
    readonly epoch: number,
    readonly assignment: ReadonlyMap<string, ReadonlySet<number>>,
    readonly startedAt: number = Date.now(),
  ) {}

  static none(): Generation {
    const g = new Generation(0, new Map());
    g.end();
    return g;
  }

  owns(topic: string, partition: number): boolean {
    return this.assignment.get(topic)?.has(partition) ?? false;
  }

  get signal(): AbortSignal {
    return this.ended.signal;
  }

  end(): void {
    this.ended.abort();
  }

  /**
   * Whole replays still incomplete this long after the generation started (a partition of the
   * flush brings nothing back: retention emptied it) go the checked way instead.
   */
  staleGroups(sessionTimeoutMs: number, now = Date.now()): boolean {
    return now - this.startedAt > Math.max(4 * sessionTimeoutMs, 30_000);
  }

  /** The assignment for the log: `topic[0,1,2] other[3]`. */
  describe(): string {
    return [...this.assignment].map(([t, ps]) => `${t}[${[...ps].sort((a, b) => a - b).join(',')}]`).join(' ');
  }

  buffer(topic: string, partition: number): PartitionBuffer | undefined {
    return this.parts.get(partitionKey(topic, partition));
  }
}
