// Kafka's committed offsets, in memory: per partition an offset and a metadata string, a group
// generation that a commit must carry (OffsetCommit is refused with ILLEGAL_GENERATION /
// REBALANCE_IN_PROGRESS once the group moved on), and the broker's metadata limit
// (`offset.metadata.max.bytes`, 4,096 bytes by default: a larger one is refused with
// OFFSET_METADATA_TOO_LARGE), and the cap on one commit's records (message.max.bytes: a larger
// commit is refused whole). It also records what the delivery argument forbids: a committed
// offset moving backwards, or metadata naming anything but one flush of the partition.
import { decodeComposition, decodeIntent, partitionKey } from '../../../ingest/intent.ts';
import type { CommitFn } from '../../../ingest/group-commit.ts';
import type { Committed } from '../../../ingest/recovery.ts';
import type { Faults } from './faults.ts';

const METADATA_MAX_BYTES = 4096;
/** One OffsetCommit's records are one batch to __consumer_offsets: message.max.bytes (1,048,588 by default) caps it. */
const COMMIT_MAX_BYTES = 1_048_588;

/** The partitions a composition names (undefined: not a composition), decoded once per metadata string. */
const compositions = new Map<string, ReadonlySet<string> | undefined>();
function names(metadata: string): ReadonlySet<string> | undefined {
  if (compositions.has(metadata)) return compositions.get(metadata);
  if (compositions.size >= 4096) compositions.clear();
  const refs = decodeComposition(metadata);
  const set = refs && new Set(refs.map((r) => partitionKey(r.topic, r.partition)));
  compositions.set(metadata, set);
  return set;
}

export class CommitLog {
  readonly committed = new Map<string, Committed>();
  generation = 1;
  readonly violations: string[] = [];
  commits = 0;

  /** The group's commit for a member of `generation`, dying where `faults` says. */
  commitFn(generation: number, faults: Faults): CommitFn {
    return async (arg) => {
      // kafkajs's commitOffsetsIfNecessary takes the OffsetCommit payload, metadata included (group-commit.ts).
      const payload = arg as unknown as {
        topics: { topic: string; partitions: { partition: number; offset: string; metadata?: string | null }[] }[];
      };
      await null;
      if (faults.step('commit') === 'fence' || generation !== this.generation) {
        throw Object.assign(new Error('The coordinator is rebalancing (injected)'), { type: 'REBALANCE_IN_PROGRESS' });
      }
      const total = payload.topics.reduce((n, t) => n + t.partitions.reduce((m, p) => m + Buffer.byteLength(p.metadata ?? ''), 0), 0);
      if (total > COMMIT_MAX_BYTES) {
        this.violations.push(`an OffsetCommit of ${total} bytes of metadata refused whole (over message.max.bytes)`);
        throw Object.assign(new Error('UNKNOWN_SERVER_ERROR (batch over message.max.bytes)'), { type: 'UNKNOWN_SERVER_ERROR' });
      }
      for (const { topic, partitions } of payload.topics) {
        for (const p of partitions) {
          const metadata = p.metadata ?? '';
          if (Buffer.byteLength(metadata) > METADATA_MAX_BYTES) {
            this.violations.push(
              `${topic}/${p.partition}: metadata of ${Buffer.byteLength(metadata)} bytes refused (OFFSET_METADATA_TOO_LARGE)`,
            );
            throw Object.assign(new Error('OFFSET_METADATA_TOO_LARGE'), { type: 'OFFSET_METADATA_TOO_LARGE' });
          }
        }
      }
      for (const { topic, partitions } of payload.topics) {
        for (const p of partitions) {
          const k = partitionKey(topic, p.partition);
          const offset = Number(p.offset);
          const before = this.committed.get(k);
          if (before?.offset != null && offset < before.offset)
            this.violations.push(`${k}: committed offset moved back from ${before.offset} to ${offset}`);
          const metadata = p.metadata ?? '';
          const named = names(metadata)?.has(k) ?? decodeIntent(metadata).length > 0;
          if (metadata !== '' && !named) this.violations.push(`${k}: metadata names no flush of the partition: ${metadata}`);
          this.committed.set(k, { offset, metadata: metadata === '' ? null : metadata });
        }
      }
      this.commits++;
      faults.step('ack');
    };
  }

  /** A copy, to continue from as it is now. */
  clone(): CommitLog {
    const c = new CommitLog();
    for (const [k, v] of this.committed) c.committed.set(k, { ...v });
    c.generation = this.generation;
    c.violations.push(...this.violations);
    c.commits = this.commits;
    return c;
  }

  /** The first difference from `other`, or undefined when they hold the same. */
  differs(other: CommitLog): string | undefined {
    if (this.generation !== other.generation || this.commits !== other.commits) return 'generation or commits';
    if (this.violations.join('\n') !== other.violations.join('\n')) return 'violations';
    if (this.committed.size !== other.committed.size) return 'committed partitions';
    for (const [k, c] of this.committed) {
      const o = other.committed.get(k);
      if (o?.offset !== c.offset || o.metadata !== c.metadata) return `${k} committed`;
    }
    return undefined;
  }

  /** Every partition's committed offset and metadata (admin.fetchOffsets). */
  snapshot(): Map<string, Committed> {
    return new Map([...this.committed].map(([k, c]) => [k, { ...c }]));
  }
}
